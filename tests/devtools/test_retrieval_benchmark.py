"""The retrieval area's benchmark keys: every page of a code is one measurement."""

from __future__ import annotations

from devtools.benchmark import registry
from devtools.benchmark import retrieval as measured
from devtools.benchmark.serving import Response


class Pages:
    """A browser whose retrieval pages say there is a next page until the third."""

    def __init__(self):
        self.paths: list[str] = []

    def get(self, path: str, **headers: str) -> Response:
        self.paths.append(path)
        more = b'<a rel="next" href="?page=9">' if len(self.paths) < 3 else b""
        return Response(200, b"<ol>" + more, 0.01 * len(self.paths), 11, 1.5 + len(self.paths))


def test_retrieval_code_reads_every_page_and_sums_them():
    browser = Pages()
    plan = {"slug": "s", "retrieval_codes": [7, 8]}
    response = measured.retrieval_code(browser, plan, 0)
    assert browser.paths == [
        "/studies/s/excerpts/?code=7",
        "/studies/s/excerpts/?code=7&page=2",
        "/studies/s/excerpts/?code=7&page=3",
    ]
    assert round(response.seconds, 6) == 0.06
    assert (response.status, response.queries, response.peak_mb) == (200, 33, 4.5)


def test_the_keys_are_registered():
    registry.load_areas()
    keys = {"retrieval_code", "retrieval_filtered", "cooccurrence", "matrix_respondent"}
    assert keys <= set(registry.REQUESTS)
    steps = {f"{step.__module__}.{step.__name__}" for step in registry.FILL_STEPS}
    assert "devtools.benchmark.retrieval.retrieval_filters" in steps
