"""The retrieval page's result rows, built in Python (themes.result_rows): the markup the
template's loop wrote, every piece of user text escaped, the date in the current zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from themes.result_rows import rows_html

# The loop the retrieval template ran before the rows were built in Python, with the coders
# who applied the codes and who made the excerpt since "Coded by" means the first, named
# once when the maker alone applied its codes, and the mark of the interviewer's words.
TEMPLATE_LOOP = Template(
    """{% for row in rows %}
<li id="result-{{ row.id }}" data-x="{{ row.id }}">
  <p class="in-context"><span class="muted">{{ row.before }}</span><mark class="context-mark">{{ row.text }}</mark><span class="muted">{{ row.after }}</span></p>
  <p class="attribution">
    {{ row.attribution }}
    {% if row.interviewer_only %}<span class="badge interviewer">Interviewer’s words</span>{% endif %}
    {% for code in row.codes %}<span class="chip c-{{ code.colour }}">{{ code.name }}</span>{% endfor %}
    {% if row.coder_name and row.coders|length == 1 and row.coders.0 == row.coder_name %}<span>coded by {{ row.coder_name }}</span> <span>excerpt made {{ row.created_at|date:"j M Y" }}</span>{% else %}
    {% if row.coders %}<span>codes applied by {{ row.coders|join:", " }}</span>{% endif %}
    {% if row.coder_name %}<span>excerpt made by {{ row.coder_name }}, {{ row.created_at|date:"j M Y" }}</span>{% else %}<span>excerpt made {{ row.created_at|date:"j M Y" }}</span>{% endif %}
    {% endif %}
  </p>
  {% if row.memo %}<p class="memo"><strong>Memo:</strong> {{ row.memo }}</p>{% endif %}
  <a class="open-transcript" href="{% url 'interview_code' slug row.interview_id %}#x{{ row.id }}">Open in the transcript<span class="visually-hidden">: {{ row.attribution }} “{{ row.text|truncatewords:6 }}”</span></a>
</li>
{% endfor %}"""  # noqa: E501
)

HOSTILE = "<script>alert('x')</script> & \"quoted\""


def _row(n: int, **fields) -> dict:
    row = {
        "id": n,
        "interview_id": 40 + n,
        "before": f"… before {n} ",
        "text": f"the excerpt {n}",
        "after": f" after {n} …",
        "attribution": f"(R{n}, Q2)",
        "codes": [
            {"colour": "#0d9488", "name": "Support"},
            {"colour": "#dc2626", "name": "Stress"},
        ],
        "coders": ["cody", "owner"],
        "coder_name": "owner",
        "created_at": datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
        "memo": "",
        "interviewer_only": False,
    }
    return row | fields


def _tight(html: str) -> str:
    # The template put line breaks and indentation between tags; browsers collapse them.
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).strip()


ROWS = [
    _row(1),
    _row(2, memo=HOSTILE, coder_name=None),
    _row(
        3,
        before=HOSTILE,
        text=HOSTILE,
        after=HOSTILE,
        attribution=f"({HOSTILE}, Q1)",
        codes=[{"colour": '"><b>', "name": HOSTILE}],
        coders=[HOSTILE, "owner"],
        coder_name=HOSTILE,
    ),
    _row(4, codes=[], coders=[]),
    _row(6, coders=["owner"]),  # its maker alone applied its codes
    _row(7, coders=["owner"], coder_name=None),
    _row(8, coders=[HOSTILE], coder_name=HOSTILE),
    # The interviewer's words alone: marked, as on a theme's page.
    _row(9, attribution="(Interviewer to R9, Q2)", interviewer_only=True),
]


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Auckland"])
def test_rows_are_the_templates_markup(settings, zone):
    settings.TIME_ZONE = zone
    # 00:30 on 2 March in UTC is still 1 March in New York.
    rows = [*ROWS, _row(5, created_at=datetime(2026, 3, 2, 0, 30, tzinfo=UTC))]
    ours = rows_html(rows, slug="a-study")
    theirs = TEMPLATE_LOOP.render(Context({"rows": rows, "slug": "a-study"}))
    assert _tight(ours) == _tight(theirs)
    if zone == "America/New_York":
        assert "excerpt made by owner, 1 Mar 2026" in ours
        assert "<span>codes applied by cody, owner</span>" in ours
        made = "<span>coded by owner</span><span>excerpt made 2 Mar 2026</span></p>"
        assert made in _tight(ours)


def test_a_maker_who_alone_applied_the_codes_is_named_once():
    """olive made it and applied its codes: "coded by olive" then "excerpt made 2 Mar 2026"
    (the day is the excerpt's, not its codes'), not "codes applied by olive" then "excerpt
    made by olive, 2 Mar 2026"."""
    html = rows_html([_row(1, coders=["olive"], coder_name="olive")], slug="a-study")
    assert "<span>coded by olive</span> <span>excerpt made 2 Mar 2026</span>" in html
    assert html.count("olive") == 1
    # Someone else's codes too, or a maker whose account is gone: both said.
    two = rows_html([_row(1, coders=["cody", "olive"], coder_name="olive")], slug="a-study")
    assert "<span>codes applied by cody, olive</span> " in two
    assert "<span>excerpt made by olive, 2 Mar 2026</span>" in two
    gone = rows_html([_row(1, coders=["olive"], coder_name=None)], slug="a-study")
    assert "<span>codes applied by olive</span> <span>excerpt made 2 Mar 2026</span>" in gone


def test_user_text_is_escaped_everywhere():
    html = rows_html(ROWS, slug="a-study")
    assert "<script>" not in html
    assert "<b>" not in html
    # Before, in, after, attribution, code, the coders who applied it, who made it, memo;
    # the link's hidden name: attribution and words.
    # Row 8, made by the one who alone applied its codes, names her once.
    assert html.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 10 + 1
    assert 'href="/studies/a-study/interviews/43/#x3"' in html


def test_no_rows_no_markup():
    assert rows_html([], slug="a-study") == ""
