"""Coding from a search: widening hits, the preview, coding the ticked passages as one
action, undoing it as one, and refusing a stale preview."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from coding import autocode, undo
from coding import services as coding
from coding.models import Code, Coding, Excerpt
from core.errors import Conflict
from interviews import searchquery
from interviews import services as interviews
from interviews.models import Interview
from interviews.turns import find_turns
from tests.conftest import HTMX, client_for, code_span, import_text

TEXT = """Interviewer: Tell me about support.

R1: Support came late. My colleagues gave support, mostly.
Then a supervisor helped. Nobody else did!

Interviewer: And at home?

R1: At home there was support too."""


def widened(unit: str, phrase: str, occurrence: int = 0) -> str:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(phrase, start + 1)
    turns = find_turns(TEXT, ["R1"])
    span = autocode.widen(TEXT, turns, (start, start + len(phrase)), unit)
    return TEXT[span[0] : span[1]]


@pytest.mark.parametrize(
    ("unit", "phrase", "occurrence", "expected"),
    [
        ("hit", "support", 1, "support"),
        ("sentence", "support", 1, "My colleagues gave support, mostly."),
        ("sentence", "Support", 0, "Support came late."),
        ("sentence", "Nobody", 0, "Nobody else did!"),
        ("paragraph", "supervisor", 0, "Then a supervisor helped. Nobody else did!"),
        (
            "turn",
            "supervisor",
            0,
            "Support came late. My colleagues gave support, mostly.\n"
            "Then a supervisor helped. Nobody else did!",
        ),
        ("turn", "home", 1, "At home there was support too."),
        ("sentence", "late. My", 0, "Support came late. My colleagues gave support, mostly."),
    ],
)
def test_it_widens_a_hit(unit, phrase, occurrence, expected):
    assert widened(unit, phrase, occurrence) == expected


@pytest.fixture
def two(study):
    r1 = import_text(study, TEXT, name="R1.txt")
    r2 = import_text(study, TEXT.replace("R1:", "R2:"), name="R2.txt")
    return r1, r2


def preview(study, q: str, unit: str = "sentence"):
    return autocode.autocode_preview(study=study, query=searchquery.parse(q), unit=unit)


def test_the_preview_lists_passages_with_their_hits_once(study, two):
    passages = preview(study, "support")
    texts = [(p.interview.respondent.pseudonym, p.text) for p in passages]
    assert texts == [
        ("R1", "Tell me about support."),
        ("R1", "Support came late."),
        ("R1", "My colleagues gave support, mostly."),
        ("R1", "At home there was support too."),
        ("R2", "Tell me about support."),
        ("R2", "Support came late."),
        ("R2", "My colleagues gave support, mostly."),
        ("R2", "At home there was support too."),
    ]
    # Two hits in one turn make one passage with both.
    turns = preview(study, "support", "turn")
    assert [len(p.hits) for p in turns][:3] == [1, 2, 1]


def test_it_leaves_out_withdrawn_respondents(study, two):
    interviews.respondent_withdraw(respondent=two[1].respondent)
    assert {p.interview.respondent.pseudonym for p in preview(study, "support")} == {"R1"}


def test_it_refuses_too_many_passages(study, two, monkeypatch):
    monkeypatch.setattr(autocode, "MAX_PASSAGES", 3)
    with pytest.raises(autocode.TooMany, match="make it narrower"):
        preview(study, "support")


def picks(passages):
    return autocode.parse_picks([p.key for p in passages])


def test_it_codes_the_ticked_passages_and_undoes_them_as_one(study, two, owner, code):
    passages = preview(study, '"gave support" OR supervisor')
    assert len(passages) == 4
    ticked = passages[:3]
    stress = coding.code_create(study=study, name="Stress")
    existing = code_span(two[0], "My colleagues gave support, mostly.", [stress], owner)
    journal = undo.Journal()
    _, made, added = autocode.excerpts_autocode(
        study=study, picks=picks(ticked), code=code, coder=owner, journal=journal
    )
    assert (made, added) == (2, 1)
    coded = Excerpt.objects.filter(codings__code=code).order_by("interview", "start")
    assert [(e.interview_id, e.text) for e in coded] == [(p.interview.pk, p.text) for p in ticked]
    assert existing.pk in {e.pk for e in coded}, "the code went onto the existing excerpt"
    assert Excerpt.objects.count() == 3, "no excerpt was duplicated"
    entry = undo.keep(journal=journal, study=study, user=owner, session_key="s", label="Batch")
    assert [step["kind"] for step in entry.steps] == ["autocode"]
    undo.undo(study=study, user=owner, session_key="s")
    assert not Coding.objects.filter(code=code).exists()
    assert list(Excerpt.objects.values_list("pk", flat=True)) == [existing.pk]
    assert list(existing.codings.values_list("code", flat=True)) == [stress.pk]


def test_a_new_code_is_made_and_undone_with_the_batch(study, two, owner):
    passages = preview(study, "supervisor")
    journal = undo.Journal()
    code, made, _ = autocode.excerpts_autocode(
        study=study,
        picks=picks(passages),
        code=None,
        new_code="Supervision",
        coder=owner,
        journal=journal,
    )
    assert (code.name, made) == ("Supervision", 2)
    undo.keep(journal=journal, study=study, user=owner, session_key="s", label="Batch")
    undo.undo(study=study, user=owner, session_key="s")
    assert not Code.objects.filter(name="Supervision").exists()
    assert not Excerpt.objects.exists()


def test_a_stale_preview_is_refused_and_nothing_is_coded(study, two, owner, code):
    passages = preview(study, "supervisor")
    r2 = two[1]
    coding.transcript_edit(interview=r2, text=r2.text + "\nR2: More.", version=r2.version)
    with pytest.raises(Conflict, match="was edited after this preview"):
        autocode.excerpts_autocode(study=study, picks=picks(passages), code=code, coder=owner)
    assert not Excerpt.objects.exists(), "never half a batch"


def test_a_stale_preview_names_the_edited_interview_as_the_preview_did(study, owner, code):
    """R1's second untitled, undated interview of a day is "(2)" in the preview; the refusal
    named it as the first ("Interview imported 30 Nov 2026", no respondent), so the user
    could not tell which of the two had changed."""
    first = import_text(study, TEXT, name="R1-a.txt")
    second = import_text(study, TEXT + "\n\nR1: Again.", name="R1-b.txt")
    for interview, minute in ((first, 0), (second, 1)):
        moment = datetime.datetime(2026, 11, 30, 12, minute, tzinfo=datetime.UTC)
        Interview.objects.filter(pk=interview.pk).update(imported_at=moment)
    passages = preview(study, "supervisor")
    named = [f"{p.interview.respondent.pseudonym} · {p.interview.display_name}" for p in passages]
    assert named[1] == "R1 · Interview imported 30 Nov 2026 (2)"
    second.refresh_from_db()
    coding.transcript_edit(
        interview=second, text=second.text + "\nR1: More.", version=second.version
    )
    with pytest.raises(Conflict) as refused:
        autocode.excerpts_autocode(study=study, picks=picks(passages), code=code, coder=owner)
    assert str(refused.value).startswith(
        "“R1 · Interview imported 30 Nov 2026 (2)” was edited after this preview"
    )
    assert not Excerpt.objects.exists()


def test_undo_is_refused_whole_when_one_passage_changed_since(study, two, owner, code):
    passages = preview(study, "supervisor")
    journal = undo.Journal()
    autocode.excerpts_autocode(
        study=study, picks=picks(passages), code=code, coder=owner, journal=journal
    )
    undo.keep(journal=journal, study=study, user=owner, session_key="s", label="Batch")
    stress = coding.code_create(study=study, name="Stress")
    first = Excerpt.objects.order_by("pk").first()
    coding.excerpt_codes_add(excerpt=first, codes=[stress], coder=owner)
    with pytest.raises(undo.Stale):
        undo.undo(study=study, user=owner, session_key="s")
    assert Excerpt.objects.count() == 2, "nothing was undone"


# Views -------------------------------------------------------------------------------------


def test_the_preview_page_shows_passages_with_hits_marked(study, two, owner):
    url = reverse("autocode", args=[study.slug]) + "?q=supervisor&unit=sentence"
    html = client_for(owner).get(url).content.decode()
    assert "2 passages to code." in html
    assert "Then a <mark>supervisor</mark> helped." in html


def test_a_reviewer_cannot_autocode(study, two, reviewer):
    client = client_for(reviewer)
    assert client.get(reverse("autocode", args=[study.slug]) + "?q=x").status_code == 403
    response = client.post(reverse("autocode_apply", args=[study.slug]), {"pick": ["1:0:1:1"]})
    assert response.status_code == 403


def test_applying_through_htmx_answers_the_preview_with_an_undo(study, two, owner, code):
    passages = preview(study, "supervisor")
    query = "?q=supervisor&unit=sentence"
    response = client_for(owner).post(
        reverse("autocode_apply", args=[study.slug]) + query,
        {"pick": [p.key for p in passages], "code": code.pk},
        headers=HTMX,
    )
    html = response.content.decode()
    assert "Coded “<bdi>Training</bdi>”: 2 new excerpts." in html
    assert 'id="autocode-preview"' in html
    assert "<html" not in html
    assert "data-undo" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "CODE"}, "Tick at least one passage"),
        ({"pick": ["PICK"]}, "Choose a code, or type the name of a new one"),
        ({"pick": ["1:2:x:4"], "code": "CODE"}, "Select a valid choice"),
    ],
)
def test_it_refuses_a_form_without_what_it_needs(study, two, owner, code, data, message):
    passages = preview(study, "supervisor")
    data = {
        key: [passages[0].key] if value == ["PICK"] else code.pk if value == "CODE" else value
        for key, value in data.items()
    }
    client = client_for(owner)
    response = client.post(reverse("autocode_apply", args=[study.slug]), data)
    assert response.status_code == 302
    assert not Excerpt.objects.exists()
    assert message in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("n", [2, 6])
def test_the_preview_queries_do_not_grow(study, owner, n, django_assert_num_queries):
    for index in range(n):
        import_text(study, TEXT.replace("R1:", f"R{index}:"), name=f"R{index}.txt")
    client = client_for(owner)
    # session, user, study+role, the matching interviews with their respondents, the import
    # times of their respondents' untitled, undated interviews (interviews_named: imported
    # ones are), the live excerpts of those interviews, the study's codes for the code menu
    with django_assert_num_queries(7):
        html = client.get(reverse("autocode", args=[study.slug]) + "?q=supervisor").content
    assert f"{n} passages to code." in html.decode()
