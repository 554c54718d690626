"""The HTML built in Python for speed (side list, code picker, codebook rows) escapes every
piece of user text: parsed back, it holds only our tags and the user's text verbatim."""

from __future__ import annotations

from html.parser import HTMLParser

from coding.codebook_rows import render_rows
from coding.models import Code
from coding.picker import render_options
from coding.selectors import CodeNode, CodeRow, ExcerptRow
from coding.sidelist import render_items, snippet

HOSTILE = '<script>alert(1)</script> & "quoted" \' <img src=x onerror=alert(2)>'


class Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html) -> Collect:
    parser = Collect()
    parser.feed(str(html))
    return parser


def assert_inert(parsed: Collect, allowed: set[str]):
    for tag, attrs in parsed.tags:
        assert tag in allowed, tag
        assert not any(name.startswith("on") for name in attrs), attrs


def test_side_list_entries():
    code = CodeRow(7, HOSTILE, "teal", None)
    row = ExcerptRow(3, 10, 20, HOSTILE, "a memo", 1, "ok", [code])
    parsed = parse(render_items([row], "/studies/s/excerpts/"))
    assert_inert(parsed, {"li", "a", "span"})
    assert HOSTILE in parsed.text
    assert "memo" in parsed.text
    li = parsed.tags[0][1]
    assert (li["id"], li["data-start"], li["data-end"]) == ("ex-3", "10", "20")
    assert parsed.tags[1][1]["href"] == "/studies/s/excerpts/3/"


def test_long_excerpts_are_shortened_in_the_list():
    assert snippet("x" * 300) == "x" * 149 + "…"
    assert snippet("short") == "short"


def test_picker_options():
    parsed = parse(render_options([(CodeRow(1, HOSTILE, "rose", None), 0)], oob=True))
    assert_inert(parsed, {"ul", "li", "span"})
    assert parsed.tags[1][1]["data-name"] == HOSTILE
    assert parsed.tags[0][1]["hx-swap-oob"] == "true"


def test_codebook_rows():
    code = Code(pk=5, name=HOSTILE, colour="blue", definition=HOSTILE, inclusion=HOSTILE)
    parsed = parse(render_rows([CodeNode(code, 1, 4, 2)], edit_prefix="/e/", can_write=True))
    assert_inert(
        parsed, {"tr", "th", "td", "span", "p", "details", "summary", "dl", "dt", "dd", "a"}
    )
    assert parsed.text.count(HOSTILE) == 3
    assert (
        "a",
        {
            "class": "link",
            "href": "/e/5/",
            "hx-get": "/e/5/",
            "hx-target": "#code-editor",
            "hx-swap": "outerHTML",
        },
    ) in parsed.tags
    reader = parse(render_rows([CodeNode(code, 0, 4, 2)], edit_prefix="/e/", can_write=False))
    assert not any(tag == "a" for tag, _ in reader.tags)
