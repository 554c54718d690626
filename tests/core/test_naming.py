"""Names a study keeps unique are compared after NFC and case folding, in the services and
in the database, and stored in NFC."""

from __future__ import annotations

import io
import unicodedata
from contextlib import redirect_stdout

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from coding import services as coding
from coding.models import Code
from core import naming
from core.naming import name_key, tidy, tree_order
from interviews import services as interviews
from interviews.models import Respondent
from themes import services as themes
from themes.models import Theme

COMPOSED = "\u00c9motion"  # É as one code point
DECOMPOSED = "E\u0301motion"  # E + combining acute accent


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (DECOMPOSED, COMPOSED),
        (DECOMPOSED, "émotion"),
        ("STRASSE", "straße"),
        ("ΟΔΟΣ", "οδος"),  # final sigma
        ("ﬁnance", "Finance"),  # a ligature folds to its letters
        (" Peer   support ", "peer support"),
        ("R\uff11", "R1"),  # a full-width digit one, as an East Asian keyboard types it
        ("\uff32\uff11", "r1"),  # full-width letter and digit
        ("Stress\u00b2", "stress2"),  # a superscript two
    ],
)
def test_look_alike_names_share_a_key(one, other):
    assert name_key(one) == name_key(other)


def test_different_names_keep_different_keys():
    assert name_key("Emotion") != name_key(COMPOSED)
    assert name_key("Peer support") != name_key("Peer suport")


def test_names_are_stored_in_nfc_with_their_spaces_tidied():
    assert tidy(f"  {DECOMPOSED}\u00a0 at work ") == f"{COMPOSED} at work"
    assert unicodedata.is_normalized("NFC", tidy(DECOMPOSED))


def make_code(study, name):
    return coding.code_create(study=study, name=name)


def make_theme(study, name):
    return themes.theme_create(study=study, name=name)


def make_respondent(study, name):
    return interviews.respondent_create(study=study, pseudonym=name)


MAKERS = [
    (make_code, "name", "There is already a code called “Émotion”"),
    (make_theme, "name", "There is already a theme called “Émotion”"),
    (make_respondent, "pseudonym", "already has a respondent called"),
]


@pytest.mark.parametrize(("make", "field", "refusal"), MAKERS)
def test_each_unique_name_is_compared_after_nfc_and_case_folding(study, make, field, refusal):
    made = make(study, DECOMPOSED)
    assert getattr(made, field) == COMPOSED, "stored in NFC"
    for look_alike in (COMPOSED, "ÉMOTION", "e\u0301motion"):
        with pytest.raises(ValidationError, match=refusal):
            make(study, look_alike)
    make(study, "Emotion")  # without the accent: another name


@pytest.mark.parametrize(("make", "field", "refusal"), MAKERS)
def test_the_database_refuses_a_look_alike_that_skipped_the_check(
    study, make, field, refusal, monkeypatch
):
    """Two requests that both checked before either saved: the unique key decides, and
    the loser gets the same message, never a 500."""
    make(study, COMPOSED)
    monkeypatch.setattr(naming, "find_by_name", lambda *args, **kwargs: None)
    monkeypatch.setattr(interviews, "find_by_name", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError, match=refusal):
        make(study, "e\u0301MOTION")


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Code, {"name": DECOMPOSED}),
        (Theme, {"name": "ÉMOTION"}),
        (Respondent, {"pseudonym": "émotion"}),
    ],
)
def test_the_unique_key_holds_for_rows_made_without_a_service(study, model, values):
    first = {key: COMPOSED for key in values}
    model.objects.create(study=study, **first)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(study=study, **values)


def test_renaming_to_a_look_alike_is_refused_even_past_the_check(study, monkeypatch):
    make_code(study, "Straße")
    theme_a, theme_b = make_theme(study, "Straße"), make_theme(study, "Weg")
    code = make_code(study, "Weg")
    monkeypatch.setattr(naming, "find_by_name", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError, match="already a code called “Straße”"):
        coding.code_update(
            code=code, revision=code.revision, name="STRASSE", colour="teal", parent=None
        )
    with pytest.raises(ValidationError, match="already a theme called"):
        themes.theme_update(
            theme=theme_b, revision=theme_b.revision, name="strasse", description="", parent=None
        )
    assert Code.objects.get(pk=code.pk).name == "Weg"
    assert Theme.objects.get(pk=theme_b.pk).name == "Weg"
    assert theme_a.name == "Straße"


def test_a_pseudonym_edited_into_a_look_alike_is_refused(study, monkeypatch):
    make_respondent(study, COMPOSED)
    other = make_respondent(study, "R2")
    with pytest.raises(ValidationError, match="already has a respondent called “ÉMOTION”"):
        interviews.respondent_update(respondent=other, pseudonym="ÉMOTION", attributes={})
    monkeypatch.setattr(interviews, "find_by_name", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError, match="already has a respondent called"):
        interviews.respondent_update(respondent=other, pseudonym=DECOMPOSED, attributes={})
    assert Respondent.objects.get(pk=other.pk).pseudonym == "R2"


def test_attribute_names_are_compared_after_nfc_and_case_folding(study):
    interviews.attribute_add(study=study, name=f"Ag{DECOMPOSED[1]}ncy{DECOMPOSED[:0]}")
    study.refresh_from_db()
    assert "Agency" not in study.attribute_names
    interviews.attribute_add(study=study, name="Straße")
    with pytest.raises(ValidationError, match="already records “Straße”"):
        interviews.attribute_add(study=study, name="STRASSE")
    with pytest.raises(ValidationError, match="already records “Years of experience”"):
        interviews.attribute_add(study=study, name="YEARS  OF EXPERIENCE")


def test_an_attribute_added_from_a_stale_copy_of_the_study_keeps_the_others(study):
    """The check reads the list under a lock, not the caller's copy: a second request
    holding an old copy neither adds a look-alike nor drops the first one's attribute."""
    stale = type(study).objects.get(pk=study.pk)
    interviews.attribute_add(study=study, name="Agency")
    with pytest.raises(ValidationError, match="already records “Agency”"):
        interviews.attribute_add(study=stale, name="AGENCY")
    interviews.attribute_add(study=stale, name="Role")
    study.refresh_from_db()
    assert study.attribute_names == ["Years of experience", "Agency", "Role"]


def test_the_import_finds_a_respondent_by_a_look_alike_name(study):
    existing = make_respondent(study, COMPOSED)
    outcome = interviews.interview_import(
        study=study, name=f"{DECOMPOSED}-interview.txt", raw=b"Interviewer: Hello?\n\nHi."
    )
    assert outcome.ok, outcome.error
    assert outcome.interview.respondent == existing
    assert not outcome.created_respondent


# The migrations that add the keys: existing look-alikes are reported, never fatal.
BEFORE = [
    ("interviews", "0002_interview_study_respondent_index"),
    ("coding", "0004_excerpt_orphaned_index"),
    ("themes", "0002_review_quotes_comments"),
]


@pytest.mark.django_db(transaction=True)
def test_the_backfill_keeps_look_alikes_apart_and_reports_them(owner):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    study = old.get_model("interviews", "Study").objects.create(title="Old", slug="old")
    old_code = old.get_model("coding", "Code")
    first = old_code.objects.create(study=study, name=COMPOSED)
    second = old_code.objects.create(study=study, name=DECOMPOSED)
    other = old_code.objects.create(study=study, name="Training")
    old_respondent = old.get_model("interviews", "Respondent")
    old_respondent.objects.create(study=study, pseudonym="STRASSE")
    old_respondent.objects.create(study=study, pseudonym="straße")
    old.get_model("themes", "Theme").objects.create(study=study, name=DECOMPOSED)

    report = io.StringIO()
    with redirect_stdout(report):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Code.objects.get(pk=second.pk).name == COMPOSED, "stored in NFC"
    assert Code.objects.get(pk=first.pk).name_key == name_key(COMPOSED)
    assert Code.objects.get(pk=other.pk).name_key == "training"
    assert Code.objects.get(pk=second.pk).name_key != name_key(COMPOSED)
    assert Theme.objects.get().name == COMPOSED
    text = report.getvalue()
    assert f"Code {second.pk} “{COMPOSED}” in study {study.pk} has the same code name as" in text
    assert "“straße” in study" in text
    assert "has the same pseudonym as" in text
    # Saving the look-alike under its old name is refused; renaming it works.
    code = Code.objects.get(pk=second.pk)
    with pytest.raises(ValidationError, match="already a code called"):
        coding.code_update(
            code=code, revision=code.revision, name=COMPOSED, colour="teal", parent=None
        )
    coding.code_update(
        code=code, revision=code.revision, name="Émotion (2)", colour="teal", parent=None
    )
    assert Code.objects.get(pk=second.pk).name_key == "émotion (2)"


def test_coding_on_the_spot_uses_a_look_alike_created_meanwhile(study, monkeypatch):
    """Two coders typing the same new name at once: the second codes with the first's."""
    theirs = make_code(study, COMPOSED)
    monkeypatch.setattr(coding, "find_by_name", _found_only_on_second_look())
    assert coding.code_get_or_create(study=study, name="e\u0301MOTION") == theirs
    assert Code.objects.filter(study=study).count() == 1


def _found_only_on_second_look():
    """find_by_name as a request sees it when another request saves between its look and
    its insert: nothing the first time, the row afterwards."""
    looks = []

    def find(rows, name, **kwargs):
        looks.append(name)
        return naming.find_by_name(rows, name, **kwargs) if len(looks) > 1 else None

    return find


def test_names_are_unique_whatever_the_case_beyond_ascii(study):
    coding.code_create(study=study, name="Émotion")
    with pytest.raises(ValidationError, match="already a code called “Émotion”"):
        coding.code_create(study=study, name="émotion")
    interviews.respondent_create(study=study, pseudonym="Ána")
    with pytest.raises(ValidationError, match="already has a respondent"):
        interviews.respondent_create(study=study, pseudonym="ána")
    assert coding.code_get_or_create(study=study, name="ÉMOTION").name == "Émotion"


def test_trees_with_a_cycle_lose_no_node():
    items = [(1, 2), (2, 1), (3, None)]
    ordered = tree_order(items, id_of=lambda i: i[0], parent_of=lambda i: i[1])
    assert sorted(item[0] for item, _ in ordered) == [1, 2, 3]


@pytest.mark.parametrize(("make", "field", "refusal"), MAKERS)
def test_a_compatibility_form_is_the_same_name(study, make, field, refusal):
    """A full-width letter reads as the letter: NFKC makes it one name with it."""
    make(study, COMPOSED)
    with pytest.raises(ValidationError, match=refusal):
        make(study, "\uff25\u0301motion")  # a full-width E with a combining accent


def test_a_name_whose_nfkc_form_outgrows_its_key_column_is_keyed_by_nfc():
    """NFKC can make one code point eighteen; the key stays within three per code point."""
    ligature = "\ufdfa"  # one Arabic ligature, eighteen letters in NFKC
    assert len(unicodedata.normalize("NFKC", ligature)) > 3
    assert len(name_key(ligature)) <= 3
    assert name_key("R\uff11") == "r1"


# "Émotion" as each invisible character can hide in it: a zero-width space, a word joiner,
# a byte order mark, a soft hyphen, a right-to-left override with its terminator, an isolate
# with its terminator, a zero-width joiner at the end and a zero-width non-joiner inside.
HIDDEN_IN_EMOTION = [
    "\u00c9\u200bmotion",
    "\u00c9motion\u2060",
    "\ufeff\u00c9motion",
    "\u00c9mo\u00adtion",
    "\u202e\u00c9motion\u202c",
    "\u2067\u00c9motion\u2069",
    "\u00c9motion\u200d",
    "\u00c9\u200cmotion",
]


@pytest.mark.parametrize("hidden", HIDDEN_IN_EMOTION)
@pytest.mark.parametrize(("make", "field", "refusal"), MAKERS)
def test_a_name_with_invisible_characters_is_the_same_name(study, make, field, refusal, hidden):
    """It reads exactly as the name without them, so it is refused as a duplicate."""
    make(study, COMPOSED)
    with pytest.raises(ValidationError, match=refusal):
        make(study, hidden)


@pytest.mark.parametrize(("make", "field", "refusal"), MAKERS)
def test_a_name_is_stored_without_invisible_characters(study, make, field, refusal):
    typed = {
        "\u202eR4\u202c": "R4",
        "R\u200b5": "R5",
        "\ufeffR6\u2060": "R6",
        "R\u00ad7": "R7",
        "\u2066R8\u2069": "R8",
        "R9\u200d": "R9",
        " \u200eR10\u200f ": "R10",
    }
    for name, stored in typed.items():
        assert getattr(make(study, name), field) == stored
    # Plain names typed after them are the same names.
    for stored in typed.values():
        with pytest.raises(ValidationError):
            make(study, stored)


def test_a_joiner_inside_a_name_is_kept_but_never_tells_two_names_apart():
    """Some scripts need ZWJ or ZWNJ inside a word (Persian does): the name keeps it,
    its key does not."""
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert tidy(persian) == persian
    assert name_key(persian) == name_key(persian.replace("\u200c", ""))
    assert all(unicodedata.category(c) != "Cf" for c in name_key("\u200eR\u200d1\u2069"))


def test_attribute_names_with_invisible_characters_are_the_same_name(study):
    interviews.attribute_add(study=study, name="\u202eAgency\u202c")
    study.refresh_from_db()
    assert "Agency" in study.attribute_names
    for hidden in ("Age\u200bncy", "Agency\u2060", "\ufeffagency", "Agency\u200d"):
        with pytest.raises(ValidationError, match="already records “Agency”"):
            interviews.attribute_add(study=study, name=hidden)


BEFORE_INVISIBLE = [
    ("interviews", "0021_covered_fk_indexes_dropped"),
    ("coding", "0015_covered_fk_indexes_dropped"),
    ("themes", "0012_covered_fk_indexes_dropped"),
]


@pytest.mark.django_db(transaction=True)
def test_the_migration_stores_names_without_invisible_characters_and_keeps_clashes(owner):
    """Rows saved before: their names lose the invisible characters and their keys ignore
    format characters; two that are now the same name are both kept, the second's key
    marked apart, and reported."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_INVISIBLE)
    old = executor.loader.project_state(BEFORE_INVISIBLE).apps
    study = old.get_model("interviews", "Study").objects.create(title="Old", slug="old")
    # The names and keys as they were saved then: written with update(), since saving
    # would key them with today's name_key.
    old_theme = old.get_model("themes", "Theme")
    training = old_theme.objects.create(study=study, name="Training")
    hidden = old_theme.objects.create(study=study, name="Other")
    old_theme.objects.filter(pk=hidden.pk).update(name="Training\u200b", name_key="training\u200b")
    code = old.get_model("coding", "Code").objects.create(study=study, name="Other")
    type(code).objects.filter(pk=code.pk).update(name="\u202eR4\u202c", name_key="r4\u202c")
    respondent = old.get_model("interviews", "Respondent").objects.create(
        study=study, pseudonym="Other"
    )
    type(respondent).objects.filter(pk=respondent.pk).update(
        pseudonym="R\u20601", pseudonym_key="r\u20601", pseudonym_order="r\u2060011"
    )

    report = io.StringIO()
    with redirect_stdout(report):
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert Theme.objects.get(pk=training.pk).name_key == "training"
    assert Theme.objects.get(pk=hidden.pk).name == "Training", "both kept, stored tidied"
    assert Theme.objects.get(pk=hidden.pk).name_key != "training"
    assert f"Theme {hidden.pk} “Training” in study {study.pk} has the same" in report.getvalue()
    assert (Code.objects.get(pk=code.pk).name, Code.objects.get(pk=code.pk).name_key) == (
        "R4",
        "r4",
    )
    moved = Respondent.objects.get(pk=respondent.pk)
    assert (moved.pseudonym, moved.pseudonym_key, moved.pseudonym_order) == ("R1", "r1", "r011")
    with pytest.raises(ValidationError, match="already has a respondent called"):
        interviews.respondent_create(study=moved.study, pseudonym="R1")
