"""TF-IDF as scikit-learn's TfidfVectorizer(stop_words="english", sublinear_tf=True) has it,
worked out by hand on a tiny corpus (coding/tfidf.py)."""

from __future__ import annotations

import math

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
