r"""TF-IDF vectors of short texts and their cosine similarity, as scikit-learn's
TfidfVectorizer(stop_words="english", sublinear_tf=True) computes them, on SciPy's sparse
matrices alone.

scikit-learn was used for this and nothing else; importing it (with the parts of SciPy it
loads) added 66 MB to every worker that once showed a code's similar passages, most of a
worker's budget (issue 9: under 160 MB after every page). The arithmetic is a few lines:

- words: runs of two or more word characters (`(?u)\b\w\w+\b`), lowercased, less the
  English stop words below;
- a word's weight in a text: 1 + ln(count), times its idf, ln((1 + n) / (1 + df)) + 1 over
  the n texts fitted, df of which hold it; then each text's vector scaled to length 1.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from scipy import sparse

WORD = re.compile(r"(?u)\b\w\w+\b")
# The Glasgow Information Retrieval Group's list, as scikit-learn ships it (BSD licence):
# http://ir.dcs.gla.ac.uk/resources/linguistic_utils/stop_words. A list of 318 words reads
# best as words.
_STOP_WORDS_TEXT = """
    a about above across after afterwards again against all almost alone along already also
    although always am among amongst amoungst amount an and another any anyhow anyone anything
    anyway anywhere are around as at back be became because become becomes becoming been before
    beforehand behind being below beside besides between beyond bill both bottom but by call can
    cannot cant co con could couldnt cry de describe detail do done down due during each eg
    eight either eleven else elsewhere empty enough etc even ever every everyone everything
    everywhere except few fifteen fifty fill find fire first five for former formerly forty
    found four from front full further get give go had has hasnt have he hence her here
    hereafter hereby herein hereupon hers herself him himself his how however hundred i ie if in
    inc indeed interest into is it its itself keep last latter latterly least less ltd made many
    may me meanwhile might mill mine more moreover most mostly move much must my myself name
    namely neither never nevertheless next nine no nobody none noone nor not nothing now nowhere
    of off often on once one only onto or other others otherwise our ours ourselves out over own
    part per perhaps please put rather re same see seem seemed seeming seems serious several she
    should show side since sincere six sixty so some somehow someone something sometime
    sometimes somewhere still such system take ten than that the their them themselves then
    thence there thereafter thereby therefore therein thereupon these they thick thin third this
    those though three through throughout thru thus to together too top toward towards twelve
    twenty two un under until up upon us very via was we well were what whatever when whence
    whenever where whereafter whereas whereby wherein whereupon wherever whether which while
    whither who whoever whole whom whose why will with within without would yet you your yours
    yourself yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


class Tfidf:
    """Fitted on a list of texts (fit_transform), then turns any texts into vectors in the
    same space (transform): a scipy.sparse CSR matrix, one float32 row per text, of length
    1 (or 0 for a text none of whose words were fitted)."""

    def __init__(self) -> None:
        self.columns: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = [_counts(text) for text in texts]
        documents = Counter(word for text in counts for word in text)
        self.columns = {word: n for n, word in enumerate(sorted(documents))}
        total = len(texts)
        self.idf = np.array(
            [math.log((1 + total) / (1 + documents[word])) + 1 for word in sorted(documents)],
            dtype=np.float32,
        )
        return self._matrix(counts)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return self._matrix([_counts(text) for text in texts])

    def _matrix(self, counts: list[Counter]) -> sparse.csr_matrix:
        rows, columns, values = [], [], []
        for row, text in enumerate(counts):
            for word, count in text.items():
                column = self.columns.get(word)
                if column is not None:
                    rows.append(row)
                    columns.append(column)
                    values.append(1 + math.log(count))
        matrix = sparse.csr_matrix(
            (np.array(values, dtype=np.float32), (rows, columns)),
            shape=(len(counts), len(self.columns)),
            dtype=np.float32,
        )
        matrix = matrix @ sparse.diags(self.idf, format="csr", dtype=np.float32)
        lengths = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        lengths[lengths == 0] = 1
        return sparse.csr_matrix(sparse.diags(1 / lengths, dtype=np.float32) @ matrix)


def _counts(text: str) -> Counter:
    return Counter(word for word in WORD.findall(text.lower()) if word not in STOP_WORDS)


# A multiply-add of two sparse matrices costs some five hundred of a dense one (BLAS):
# 44,000 passages by 200 excerpts over 87 words took 184 ms as a sparse product (10.7
# million multiply-adds) and 25 ms in dense blocks (763 million), CPU time. Dense blocks
# are taken when they cost less by this reckoning, with room to spare.
SPARSE_TO_DENSE_COST = 200
# The largest dense block of products, in float32 values (4 MB): larger blocks were
# slower (the CPU's caches) and a worker's memory stays in bounds.
BLOCK_VALUES = 1 << 20


def closest(rows: sparse.csr_matrix, others: sparse.csr_matrix):
    """For each row of `rows` (n texts' vectors), its largest dot product (cosine, both
    L2-normalised) with a row of `others` (m texts' vectors, the same columns):
    (best, like_of), `best` a float32 array of n values (0 for a row sharing no word),
    `like_of(i)` the row of `others` that row i is most like (the first of equals).

    Computed as sparse products or in dense blocks over the columns `others` uses,
    whichever costs less: the sparse product's multiply-adds are counted exactly (for
    each word, the rows holding it times the others holding it)."""
    used = np.unique(others.indices)
    in_rows = np.bincount(rows.indices, minlength=rows.shape[1])[used]
    in_others = np.bincount(others.indices, minlength=others.shape[1])[used]
    sparse_cost = float(in_rows @ in_others.astype(np.float64))
    dense_cost = float(rows.shape[0]) * used.size * others.shape[0]
    if dense_cost <= SPARSE_TO_DENSE_COST * sparse_cost:
        return _closest_dense(rows, others, used)
    scores = sparse.csr_matrix(rows @ others.T)
    return _row_maxima(scores), lambda i: _row_argmax(scores, i)


def _closest_dense(rows, others, used):
    narrow = rows[:, used] if used.size < rows.shape[1] else rows
    columns = np.ascontiguousarray(others[:, used].toarray().T)
    step = max(1, BLOCK_VALUES // max(used.size, others.shape[0], 1))
    best = np.zeros(rows.shape[0], dtype=np.float32)
    for start in range(0, rows.shape[0], step):
        best[start : start + step] = _dense_products(narrow[start : start + step], columns).max(
            axis=1
        )

    # Which row of `others` a row is most like is asked of the few rows shown only: an
    # argmax of every block took a fifth of the time.
    def like_of(i: int) -> int:
        return int(_dense_products(narrow[i], columns).argmax())

    return best, like_of


def _dense_products(block: sparse.csr_matrix, columns: np.ndarray) -> np.ndarray:
    """`block` (k rows, sparse) times `columns` (dense): k rows of products, on one BLAS
    thread.

    A worker answers one request per thread, beside other workers, so a request has a core
    at best: OpenBLAS's own threads then mostly wait for each other between blocks. 22,000
    passages by 1,300 excerpts over 87 words, in these blocks, took 750 ms with two
    threads and 140 ms with one, on two cores busy with other work (load 11).
    """
    with _blas_threads(1):
        return np.matmul(block.toarray(), columns)


_controller = None


def _blas_threads(limit: int):
    """A context in which BLAS (OpenBLAS, under NumPy) uses at most `limit` threads."""
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=limit, user_api="blas")


def _row_maxima(matrix: sparse.csr_matrix) -> np.ndarray:
    """The largest value of each row of a CSR `matrix` of values >= 0 (0 for an empty
    row), whatever the order of each row's entries (a sparse product leaves them unsorted;
    scipy's max sorted them first, 0.6 s at a quarter of the benchmark's scale)."""
    maxima = np.zeros(matrix.shape[0], dtype=matrix.dtype)
    filled = np.flatnonzero(np.diff(matrix.indptr))
    if filled.size:
        maxima[filled] = np.maximum.reduceat(matrix.data, matrix.indptr[filled])
    return maxima


def _row_argmax(matrix: sparse.csr_matrix, row: int) -> int:
    """The column of the largest value of `row` of a CSR `matrix` (the first column of
    equal ones, as scipy's argmax answers), whatever the order of the row's entries. One
    row at a time: scipy's argmax of every row loops in Python (1 s at a quarter scale)."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    values, columns = matrix.data[start:end], matrix.indices[start:end]
    return int(columns[values == values.max()].min())
