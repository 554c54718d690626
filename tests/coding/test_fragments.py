"""The fragments the coding pages swap in (side list and codebook rows built in Python for
speed; the excerpt panel and the picker as template partials) escape every piece of user
text: parsed back, they hold only our tags and the user's text verbatim."""

from __future__ import annotations

from html.parser import HTMLParser

from django.utils import timezone

from coding.codebook_rows import render_rows
from coding.models import Code, Excerpt
from coding.selectors import CodeNode, CodeRow, ExcerptRow
from coding.sidelist import render_items, snippet
from coding.workspace import detail_html, near_duplicate_html, options_html
from interviews.access import Access
from interviews.models import Role, Study

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
    parsed = parse(options_html([(CodeRow(1, HOSTILE, "rose", None), 0)], oob=True))
    assert_inert(parsed, {"ul", "li", "span"})
    assert parsed.tags[1][1]["data-name"] == HOSTILE
    assert parsed.tags[0][1]["hx-swap-oob"] == "true"
    assert HOSTILE in parsed.text


def test_picker_warning():
    similar = [CodeRow(1, HOSTILE, "rose", None), CodeRow(2, "Peer support", "teal", None)]
    parsed = parse(near_duplicate_html(HOSTILE, similar))
    # The names sit in <bdi>: a right-to-left name keeps to its own side of the sentence.
    assert_inert(parsed, {"div", "p", "button", "bdi"})
    assert parsed.tags[0][1]["hx-swap-oob"] == "true"
    assert "hidden" not in parsed.tags[0][1]
    buttons = [attrs for tag, attrs in parsed.tags if tag == "button"]
    assert [attrs.get("data-use-code") for attrs in buttons[:2]] == ["1", "2"]
    assert sum(text.count(HOSTILE) for text in parsed.text) == 4
    assert "looks like the codes" in "".join(parsed.text)


def test_codebook_rows():
    code = Code(pk=5, name=HOSTILE, colour="blue", definition=HOSTILE, inclusion=HOSTILE)
    parsed = parse(render_rows([CodeNode(code, 1, 4, 2)], edit_prefix="/e/", can_write=True))
    assert_inert(
        parsed, {"tr", "th", "td", "span", "p", "details", "summary", "dl", "dt", "dd", "a"}
    )
    assert parsed.text.count(HOSTILE) == 3
    # The Edit link and the criteria's disclosure name their code to a screen reader,
    # escaped like the rest.
    assert f"Criteria and example of “{HOSTILE}”" in "".join(parsed.text)
    assert f"Edit the code “{HOSTILE}”" in "".join(parsed.text)
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


PANEL_TAGS = {
    "section", "header", "h2", "h3", "button", "blockquote", "div", "p", "q", "ul", "li",
    "span", "kbd", "form", "label", "textarea", "input", "br",
}  # fmt: skip


READER = Access(study=Study(slug="s"), role=Role.REVIEWER, user=None)
WRITER = Access(study=Study(slug="s"), role=Role.CODER, user=None)


def hostile_excerpt(status="changed"):
    row = ExcerptRow(3, 10, 20, HOSTILE, HOSTILE + "\nsecond line", 4, status, [])
    row.codes = [CodeRow(7, HOSTILE, "teal", None)]
    excerpt = Excerpt(pk=3, status=status, previous_text=HOSTILE)
    excerpt.created_at = timezone.now()
    return row, excerpt


def test_the_excerpt_panel_for_a_writer():
    row, excerpt = hostile_excerpt()
    parsed = parse(detail_html(WRITER, row, excerpt, oob=True, memo_draft=HOSTILE))
    assert_inert(parsed, PANEL_TAGS)
    # The words, the code, the previous words, the memo saved meanwhile and the draft.
    assert sum(text.count(HOSTILE) for text in parsed.text) == 5
    section = parsed.tags[0][1]
    assert (section["id"], section["data-x"], section["hx-swap-oob"]) == (
        "excerpt-detail",
        "3",
        "true",
    )
    posts = [attrs["hx-post"] for _, attrs in parsed.tags if "hx-post" in attrs]
    assert posts == [
        "/studies/s/excerpts/3/review/",
        "/studies/s/excerpts/3/codes/7/remove/",
        "/studies/s/excerpts/3/memo/",
        "/studies/s/excerpts/3/delete/",
    ]
    assert ("input", {"type": "hidden", "name": "revision", "value": "4"}) in parsed.tags


def test_the_excerpt_panel_for_a_reviewer_has_no_controls_that_write():
    row, excerpt = hostile_excerpt(status="orphaned")
    parsed = parse(detail_html(READER, row, excerpt))
    assert_inert(parsed, PANEL_TAGS)
    assert not any(tag in {"form", "textarea", "input"} for tag, _ in parsed.tags)
    buttons = [attrs for tag, attrs in parsed.tags if tag == "button"]
    assert buttons == [
        {
            "type": "button",
            "class": "icon",
            "data-action": "close-detail",
            "aria-label": "Close the excerpt",
        }
    ]
    assert any(HOSTILE in text for text in parsed.text), "the memo, read only"
    assert ("br", {}) in parsed.tags, "its lines kept"


def test_the_empty_excerpt_panel():
    parsed = parse(detail_html(WRITER, None, None))
    assert parsed.tags[0] == (
        "section",
        {"id": "excerpt-detail", "class": "detail", "aria-label": "Selected excerpt"},
    )
    assert "Click a highlight" in "".join(parsed.text)
