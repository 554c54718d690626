"""TF-IDF as scikit-learn's TfidfVectorizer(stop_words="english", sublinear_tf=True) has it,
worked out by hand on a tiny corpus (coding/tfidf.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coding.tfidf import STOP_WORDS, Tfidf

TEXTS = ["Harm reduction works, harm reduction WORKS", "harm reduction", "The client and I"]


def idf(df: int, n: int = 3) -> float:
    return math.log((1 + n) / (1 + df)) + 1


def test_it_weighs_words_by_sublinear_counts_and_smoothed_idf_at_unit_length():
    tfidf = Tfidf()
    matrix = tfidf.fit_transform(TEXTS).toarray()

    # "the", "and" are stop words, "i" is one character: only these are words.
    assert sorted(tfidf.columns) == ["client", "harm", "reduction", "works"]
    column = tfidf.columns
    # Text 0: harm, reduction and works twice each (1 + ln 2), before scaling to length 1.
    weights = {
        "harm": (1 + math.log(2)) * idf(2),
        "reduction": (1 + math.log(2)) * idf(2),
        "works": (1 + math.log(2)) * idf(1),
    }
    length = math.sqrt(sum(w * w for w in weights.values()))
    for word, weight in weights.items():
        assert matrix[0, column[word]] == pytest.approx(weight / length, rel=1e-6)
    assert matrix[0, column["client"]] == 0
    assert matrix[2, column["client"]] == pytest.approx(1)
    assert matrix[1] @ matrix[1] == pytest.approx(1, rel=1e-6)


def test_new_texts_use_the_fitted_words_only():
    tfidf = Tfidf()
    tfidf.fit_transform(TEXTS)

    vectors = tfidf.transform(["harm harm unknown", "nothing known here"]).toarray()

    assert vectors[0, tfidf.columns["harm"]] == pytest.approx(1)
    assert vectors[1].sum() == 0
    assert vectors.dtype == "float32"


def test_the_stop_words_are_the_english_list():
    assert len(STOP_WORDS) == 318
    assert {"the", "and", "whereupon", "yourselves"} <= STOP_WORDS
    assert "client" not in STOP_WORDS


def _sparse_with_ties(rng, rows: int, columns: int):
    from scipy import sparse

    # Values from a few levels, so that rows hold ties; some rows empty.
    dense = rng.choice([0, 0, 0, 0.25, 0.5, 0.75], size=(rows, columns)).astype(np.float32)
    dense[[3, rows - 1]] = 0
    return dense, sparse.csr_matrix(dense)


def test_row_maxima_and_argmax_answer_as_scipy_does_on_unsorted_rows():
    from coding.tfidf import _row_argmax, _row_maxima

    dense, matrix = _sparse_with_ties(np.random.default_rng(7), 40, 9)
    # Reverse every row's entries, as a sparse product may leave them.
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        matrix.indices[start:end] = matrix.indices[start:end][::-1].copy()
        matrix.data[start:end] = matrix.data[start:end][::-1].copy()
    matrix.has_sorted_indices = False
    assert list(_row_maxima(matrix)) == list(dense.max(axis=1))
    for row in np.flatnonzero(dense.max(axis=1)):
        assert _row_argmax(matrix, row) == int(dense[row].argmax())


@pytest.mark.parametrize("cost", [0, 10**9])  # always sparse, always dense blocks
def test_closest_answers_the_same_sparse_or_in_dense_blocks(monkeypatch, cost):
    from coding import tfidf

    rng = np.random.default_rng(11)
    rows, passages = _sparse_with_ties(rng, 300, 12)
    excerpts_dense, excerpts = _sparse_with_ties(rng, 7, 12)
    excerpts_dense[:, 5] = 0  # a word no excerpt holds: left out of the dense blocks
    excerpts = type(excerpts)(excerpts_dense)
    monkeypatch.setattr(tfidf, "SPARSE_TO_DENSE_COST", cost)
    monkeypatch.setattr(tfidf, "BLOCK_VALUES", 64)  # several blocks
    best, like_of = tfidf.closest(passages, excerpts)
    products = rows @ excerpts_dense.T
    assert np.allclose(best, products.max(axis=1))
    for row in np.flatnonzero(products.max(axis=1)):
        assert like_of(row) == int(products[row].argmax())


def test_the_dense_products_use_one_blas_thread(monkeypatch):
    # A worker's request must not fan out over the cores that the other workers and
    # requests use: OpenBLAS's threads spent most of a busy machine's time waiting.
    from threadpoolctl import threadpool_info

    from coding import tfidf

    seen = []
    multiply = np.matmul

    def watched(a, b):
        seen.append({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        return multiply(a, b)

    monkeypatch.setattr(tfidf.np, "matmul", watched)
    rng = np.random.default_rng(3)
    _, passages = _sparse_with_ties(rng, 50, 6)
    _, excerpts = _sparse_with_ties(rng, 4, 6)
    monkeypatch.setattr(tfidf, "SPARSE_TO_DENSE_COST", 10**9)
    best, like_of = tfidf.closest(passages, excerpts)
    like_of(int(np.argmax(best)))
    assert seen
    assert all(threads == {1} for threads in seen)
