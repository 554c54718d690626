"""One order of respondents everywhere (core.naming.order_key, Respondent's default ordering):
"R2" before "R10", case and accents aside, on every page, export and list that shows them."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from coding import services as coding
from coding.selectors import sibling_interviews
from core.naming import order_key
from interviews import services as interviews
from interviews.forms import StagedFileForm
from interviews.models import Respondent
from tests.conftest import client_for, code_span, import_text
from themes import services as themes
from themes.retrieval import study_index

# Created in this order; read as people read them, they go R1, r2, Ř3, R10. A sort as text
# gives R1, R10, r2, Ř3 (or R1, R10, Ř3, r2 case-blind with accents first), creation order
# R10, r2, R1, Ř3.
CREATED = ["R10", "r2", "R1", "Ř3"]
READ = ["R1", "r2", "Ř3", "R10"]


def test_the_order_key_reads_numbers_as_numbers_and_sets_case_and_accents_aside():
    assert sorted(CREATED, key=order_key) == READ
    assert sorted(["R02", "R1", "R003b", "R3a"], key=order_key) == ["R1", "R02", "R3a", "R003b"]
    assert order_key("É3") == order_key("e3") == order_key("E\u03013")
    assert sorted(["Resp 9", "resp 10", "Résp 11", "Resp"], key=order_key) == [
        "Resp",
        "Resp 9",
        "resp 10",
        "Résp 11",
    ]


def _order(html: str, names=READ) -> list[str]:
    """`names` in the order they first appear in `html` (whole names: "R1" is not "R10")."""
    found = {}
    for name in names:
        match = re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", html)
        assert match, f"{name} is not on the page"
        found[name] = match.start()
    return sorted(names, key=found.get)


@pytest.fixture
def four(study, owner):
    """Four respondents created out of order, each with a transcript coded under a theme."""
    learning = coding.code_create(study=study, name="Learning")
    training = themes.theme_create(study=study, name="Training")
    themes.theme_code_attach(theme=training, code=learning)
    made = {}
    for pseudonym in CREATED:
        interviews.respondent_create(study=study, pseudonym=pseudonym)
        made[pseudonym] = import_text(study, name=f"{pseudonym}.txt")
        code_span(made[pseudonym], "About six years", [learning], owner)
    return made


def test_every_list_of_respondents_is_in_the_one_order(study, four, owner):
    client = client_for(owner)
    slug = study.slug

    def page(name, query=""):
        response = client.get(reverse(name, args=[slug]) + query)
        assert response.status_code == 200, name
        return response.content.decode()

    orders = {
        "model": [r.pseudonym for r in Respondent.objects.filter(study=study)],
        "respondents page": _order(page("respondents").split('class="grid respondents"', 1)[-1]),
        "transcripts (study page)": _order(page("study_detail")),
        "coding page's previous and next": [name for _, name in sibling_interviews(study)],
        "import dropdown": [
            label
            for _, label in dict(
                StagedFileForm(
                    staged=type("Staged", (), {"position": 0, "encoding_sure": True})(),
                    respondents=study.respondents.all(),
                )
                .fields["respondent"]
                .choices
            )["Respondents"]
        ],
        "themes page's table": _order(page("themes").split("Training", 1)[-1]),
        "matrix by respondent": _order(page("matrix", "?rows=themes&by=respondent")),
        "excerpts filter and results": [r["pseudonym"] for r in study_index(study).respondents],
        "excerpts page": _order(page("retrieve")),
    }
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("export_matrix_xlsx", args=[slug])).content)
    ).active
    orders["theme-by-respondent .xlsx"] = [
        cell for cell in next(sheet.iter_rows(values_only=True)) if cell in READ
    ]
    excerpts = client.get(reverse("export_excerpts_csv", args=[slug])).content.decode("utf-8-sig")
    orders["excerpts .csv"] = _order(excerpts)
    assert {where: order for where, order in orders.items() if order != READ} == {}
