"""One study, one size for each group of respondents by an attribute: "county", "County" and
" County " are one group, labelled one way, in the matrices (page and .xlsx), the excerpt
filter, the charts' captions and the findings' method text (themes.grouping)."""

from __future__ import annotations

import io
import re

import docx
import openpyxl
import pytest
from django.urls import reverse

from coding import services as coding
from core.bidi import plain
from interviews import services as interviews
from interviews.models import Respondent
from tests.conftest import client_for, import_text
from themes import charts, grouping
from themes import services as themes
from themes.exports import findings_docx
from themes.rollup import study_rollup

from .retrieval_corpus import coded

AGENCY = "Agency type"


@pytest.fixture
def counties(study, owner):
    """R1 'county', R2 'County', R3 'County' (stored with spaces around it, as a value typed
    before values were tidied), R4 'nonprofit', R5 none; each coded Support, which the
    theme Training gathers."""
    interviews.attribute_add(study=study, name=AGENCY)
    values = {"R1": "county", "R2": "County", "R3": "County", "R4": "nonprofit", "R5": ""}
    support = coding.code_create(study=study, name="Support")
    training = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=training, code=support)
    for pseudonym, value in values.items():
        interviews.respondent_create(
            study=study, pseudonym=pseudonym, attributes={AGENCY: value} if value else {}
        )
        interview = import_text(study, name=f"{pseudonym}.txt")
        coded(interview, "About six years", [support], owner)
    # The services tidy what is typed; a value kept from before still has its spaces.
    Respondent.objects.filter(study=study, pseudonym="R3").update(attributes={AGENCY: " County "})
    return study


def test_the_one_rule_groups_case_and_spaces_together_labelled_by_the_most_frequent():
    groups = grouping.group_respondents(
        [(1, "county"), (2, "County"), (3, " County "), (4, "nonprofit"), (5, None), (6, 9.0)]
    )
    assert [(g.label, g.members) for g in groups] == [
        ("9", [6]),
        ("County", [1, 2, 3]),
        ("nonprofit", [4]),
        ("not recorded", [5]),
    ]
    # A tie: the first respondent's spelling.
    assert grouping.group_respondents([(1, "county"), (2, "County")])[0].label == "county"
    assert grouping.group_key("9.0") == grouping.group_key(9) == "9"
    assert grouping.group_key("02139") == "02139"


def test_matrix_page_and_xlsx_give_the_one_group(counties, owner):
    client = client_for(owner)
    query = {"rows": "themes", "by": "attribute", "attribute": AGENCY, "count": "respondents"}
    html = client.get(reverse("matrix", args=[counties.slug]), query).content.decode()
    assert "County (n = 3)" in html
    assert "county (n" not in html
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("matrix_download", args=[counties.slug]), query).getvalue())
    )
    headings = [cell.value for cell in next(book.active.iter_rows())]
    assert [h for h in headings if h and "(n = " in h] == [
        "County (n = 3)",
        "nonprofit (n = 1)",
        "not recorded (n = 1)",
    ]


@pytest.mark.parametrize("value", ["County", "county", " COUNTY "])
def test_the_excerpt_filter_opens_the_whole_group(counties, owner, value):
    url = reverse("retrieve", args=[counties.slug])
    html = client_for(owner).get(url, {"attribute": AGENCY, "value": value}).content.decode()
    assert re.search(r'data-count="respondents">3</span> respondents', html), value


def test_the_chart_caption_gives_the_one_group(counties):
    caption = plain(charts.prevalence_by_attribute(study_rollup(counties), AGENCY).caption)
    assert "(County: 3 respondents; nonprofit: 1 respondent; not recorded: 1 respondent)" in (
        caption
    )


def test_the_findings_method_gives_the_one_group(counties):
    document = docx.Document(io.BytesIO(findings_docx(study=counties)))
    method = next(p.text for p in document.paragraphs if p.text.startswith("The findings draw"))
    assert f"{AGENCY}: County (3), nonprofit (1), not recorded (1)." in method
    tables = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "county (" not in tables
