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
