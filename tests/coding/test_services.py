from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from coding import services
from coding import services as coding
from coding.models import Code, Coding, Excerpt, UndoEntry
from coding.palette import PALETTE
from coding.selectors import code_rows
from coding.services import Conflict
from coding.undo import Journal, Owner, undo
from core.bidi import isolated
from interviews.models import Interview, Study
from tests.conftest import code_span, import_text, selection
from themes import services as themes


def test_it_codes_a_selection_with_a_snapshot_of_its_text(interview, code, owner):
    excerpt = code_span(interview, "the ones nobody else will see", [code], owner)
    assert interview.text[excerpt.start : excerpt.end] == excerpt.text
    assert excerpt.text == "the ones nobody else will see"
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]


def test_a_coded_selection_is_stored_whole(interview, code, study, owner):
    """The excerpt and its codings are written in SQL: read back through the ORM, they hold
    what the models' defaults and Coding.of would have given them."""
    other = services.code_create(study=study, name="Stress")
    made = code_span(interview, "the ones nobody else will see", [code, other, code], owner)

    stored = Excerpt.objects.get(pk=made.pk)

    assert (stored.interview, stored.coder, stored.start, stored.end) == (
        interview,
        owner,
        made.start,
        made.end,
    )
    assert (stored.text, stored.memo, stored.status, stored.previous_text) == (
        "the ones nobody else will see",
        "",
        "ok",
        "",
    )
    assert (stored.revision, stored.deleted_at) == (1, None)
    assert stored.created_at == stored.updated_at == made.created_at
    assert stored.created_at.tzinfo is not None
    codings = list(stored.codings.order_by("code__name"))
    assert [c.code for c in codings] == [other, code], "each code once"
    assert {(c.interview_id, c.coder_id, c.created_at) for c in codings} == {
        (interview.pk, owner.pk, stored.created_at)
    }
    # The returned excerpt is a saved model, ready for the next edit.
    services.excerpt_memo_set(excerpt=made, memo="Why it matters", revision=1)
    assert Excerpt.objects.get(pk=made.pk).memo == "Why it matters"


@pytest.mark.parametrize(
    "phrase",
    [
        "and never looked back",  # after an emoji: offsets are code points, not UTF-16 units
        "Café regulars",  # a composed accent
    ],
)
def test_offsets_count_code_points(interview, code, phrase):
    excerpt = code_span(interview, phrase, [code])
    assert excerpt.start == interview.text.index(phrase)
    assert excerpt.text == phrase


def test_it_handles_cjk_and_right_to_left_text(study, code):
    text = "Interviewer: 你好吗？\nR1: שלום, مرحبا — 我很好 🙂 thanks."
    interview = import_text(study, text=text, name="R5.txt")
    for phrase in ["שלום, مرحبا", "我很好 🙂 thanks"]:
        assert code_span(interview, phrase, [code]).text == phrase


def test_it_trims_spaces_around_a_selection(interview, code):
    start = interview.text.index(" the ones")
    excerpt = code_span(interview, (start, start + 10), [code])
    assert excerpt.text == "the ones "[:-1]


def test_it_refuses_a_selection_from_an_older_version(interview, code):
    with pytest.raises(Conflict, match="edited after you opened it"):
        code_span(interview, (0, 10), [code], version=interview.version - 1)
    assert not Excerpt.objects.exists()


def test_it_refuses_text_that_does_not_match_the_offsets(interview, code):
    with pytest.raises(Conflict, match="does not match the transcript"):
        code_span(interview, (0, 12), [code], seen_text="Interviewer")
    assert not Excerpt.objects.exists()


@pytest.mark.parametrize(("start", "end"), [(-1, 4), (5, 5), (9, 3), (0, 10_000)])
def test_it_refuses_ranges_outside_the_transcript(interview, code, start, end):
    with pytest.raises(ValidationError, match="outside the transcript"):
        code_span(interview, (start, end), [code], seen_text="")


def test_it_refuses_a_selection_of_spaces_only(interview, code):
    start = interview.text.index("\n\n")
    with pytest.raises(ValidationError, match="only spaces"):
        code_span(interview, (start, start + 2), [code])


LABELLED = """\
Interviewer: What helped most?

P1: From colleagues, mostly.
They showed me the ropes.

R: Not much, honestly.
[00:12:31] Interviewer: Why not?"""


@pytest.mark.parametrize(
    ("selected", "stored"),
    [
        # A triple-click: the whole line, from the label to the next line's start.
        ("P1: From colleagues, mostly.\n", "From colleagues, mostly."),
        ("1: From colleagues", "From colleagues"),  # from inside the label
        (": From colleagues", "From colleagues"),  # from its colon
        ("Interviewer: What helped most?", "What helped most?"),
        ("R: Not much", "Not much"),
        ("[00:12:31] Interviewer: Why not?", "Why not?"),  # a timestamped label
        ("31] Interviewer: Why", "Why"),
        # An end inside the next turn's label goes back before it; labels inside stay.
        ("the ropes.\n\nR:", "the ropes."),
        ("honestly.\n[00:12:31] Inter", "honestly."),
        ("mostly.\nThey showed me the ropes.\n\nR: Not much", None),
        ("colleagues, mostly", None),  # no label: unchanged
    ],
)
def test_a_selection_never_starts_or_ends_in_a_speaker_label(study, code, selected, stored):
    interview = import_text(study, text=LABELLED, name="P1.txt")
    start = interview.text.index(selected)
    excerpt = code_span(interview, (start, start + len(selected)), [code])
    assert excerpt.text == (selected if stored is None else stored)
    assert interview.text[excerpt.start : excerpt.end] == excerpt.text


@pytest.mark.parametrize("selected", ["P1: ", "Interviewer:", "[00:12:31] Interviewer: "])
def test_a_selection_of_a_speaker_label_only_is_refused(study, code, selected):
    interview = import_text(study, text=LABELLED, name="P1.txt")
    start = interview.text.index(selected)
    with pytest.raises(ValidationError, match="only a speaker label"):
        code_span(interview, (start, start + len(selected)), [code])
    assert not Excerpt.objects.exists()


def test_widening_to_a_line_with_its_label_leaves_the_label_out(study, code):
    interview = import_text(study, text=LABELLED, name="P1.txt")
    excerpt = code_span(interview, "colleagues", [code])
    resize_to(excerpt, interview, "P1: From colleagues, mostly.")
    assert excerpt.text == "From colleagues, mostly."


def resize_to(excerpt, interview, phrase: str) -> tuple[int, int]:
    """Resize `excerpt` to the first occurrence of `phrase`, as the browser would; returns
    the old range and leaves `excerpt` refreshed."""
    start = interview.text.index(phrase)
    old = services.excerpt_resize(
        excerpt=excerpt,
        start=start,
        end=start + len(phrase),
        seen_text=phrase,
        version=interview.version,
        revision=excerpt.revision,
    )
    excerpt.refresh_from_db()
    return old


def test_it_refuses_a_selection_without_codes(interview):
    with pytest.raises(ValidationError, match="at least one code"):
        code_span(interview, (0, 5), [])


def test_coding_the_same_span_again_adds_to_the_existing_excerpt(interview, code, study):
    other = services.code_create(study=study, name="Stress")
    first = code_span(interview, "six years", [code])
    second = code_span(interview, "six years", [other, code])
    assert first.pk == second.pk
    assert set(first.codings.values_list("code__name", flat=True)) == {"Training", "Stress"}


def test_overlapping_excerpts_are_kept_apart(interview, code):
    outer = code_span(interview, "the ones nobody else will see", [code])
    inner = code_span(interview, "nobody else", [code])
    assert outer.pk != inner.pk
    assert Excerpt.objects.count() == 2


def test_codes_can_be_added_and_removed(excerpt, study, owner):
    stress = services.code_create(study=study, name="Stress")
    revision = excerpt.revision
    assert services.excerpt_codes_add(excerpt=excerpt, codes=[stress], coder=owner) == 1
    assert services.excerpt_codes_add(excerpt=excerpt, codes=[stress], coder=owner) == 0
    services.excerpt_code_remove(excerpt=excerpt, code=stress)
    assert list(excerpt.codings.values_list("code__name", flat=True)) == ["Training"]
    # The second add changed nothing: an editor open on the excerpt elsewhere stays valid.
    assert Excerpt.objects.get(pk=excerpt.pk).revision == revision + 2


def test_a_memo_written_against_an_old_revision_is_refused(excerpt):
    services.excerpt_memo_set(excerpt=excerpt, memo="First thought", revision=excerpt.revision)
    stale = Excerpt.objects.get(pk=excerpt.pk)
    services.excerpt_memo_set(excerpt=stale, memo="Second tab", revision=stale.revision)
    with pytest.raises(Conflict, match="changed elsewhere"):
        services.excerpt_memo_set(excerpt=excerpt, memo="Lost?", revision=excerpt.revision - 1)
    assert Excerpt.objects.get(pk=excerpt.pk).memo == "Second tab"


def test_an_excerpt_can_be_widened_and_narrowed(excerpt, interview):
    phrase = "Honestly, the ones nobody else will see"
    old = resize_to(excerpt, interview, phrase)
    assert excerpt.text == phrase
    assert old == (interview.text.index("the ones"), interview.text.index(" will see") + 9)


def test_deleting_keeps_the_excerpt_for_undo(excerpt):
    services.excerpt_delete(excerpt=excerpt)
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()
    assert Coding.objects.filter(excerpt=excerpt).exists()
    services.excerpt_restore(excerpt=Excerpt.all_objects.get(pk=excerpt.pk))
    assert Excerpt.objects.get(pk=excerpt.pk).codings.count() == 1


def test_code_names_are_unique_whatever_their_case(study, code):
    with pytest.raises(ValidationError, match="already a code called “Training”"):
        services.code_create(study=study, name="  training ")


def test_a_code_cannot_move_under_its_own_descendant(study, code):
    child = services.code_create(study=study, name="Child", parent=code)
    with pytest.raises(ValidationError, match="inside it"):
        services.code_move(code=code, parent=child)


def test_an_edit_made_against_an_old_revision_is_refused(code):
    services.code_update(
        code=code, revision=code.revision, name="Training", colour="red", parent=None
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        services.code_update(code=code, revision=1, name="Mine", colour="red", parent=None)


def test_merging_moves_excerpts_children_and_themes_and_collapses_duplicates(
    study, interview, code
):
    source = services.code_create(study=study, name="Learning")
    child = services.code_create(study=study, name="At school", parent=source)
    theme = themes.theme_create(study=study, name="Training theme")
    themes.theme_code_attach(theme=theme, code=source)
    both = code_span(interview, "six years", [code, source])
    only_source = code_span(interview, "never looked back", [source])
    moved = services.code_merge(source=source, target=code)
    assert moved == services.CodeMerged(codings=1, excerpts=1)
    assert not Code.objects.filter(pk=source.pk).exists()
    assert list(both.codings.values_list("code", flat=True)) == [code.pk]
    assert list(only_source.codings.values_list("code", flat=True)) == [code.pk]
    child.refresh_from_db()
    assert child.parent == code
    assert list(theme.codes.all()) == [code]


def test_merging_into_a_descendant_lifts_it_first(study):
    parent = services.code_create(study=study, name="Parent")
    middle = services.code_create(study=study, name="Middle", parent=parent)
    deep = services.code_create(study=study, name="Deep", parent=middle)
    services.code_merge(source=parent, target=deep)
    deep.refresh_from_db()
    middle.refresh_from_db()
    assert deep.parent is None
    assert middle.parent == deep


def test_a_code_in_use_is_deleted_only_when_confirmed(excerpt, code, study):
    child = services.code_create(study=study, name="Child", parent=code)
    with pytest.raises(ValidationError, match="applied to 1 excerpt"):
        services.code_delete(code=code)
    services.code_delete(code=code, force=True)
    assert not Code.objects.filter(pk=code.pk).exists()
    assert Excerpt.objects.filter(pk=excerpt.pk).exists()
    child.refresh_from_db()
    assert child.parent is None


def test_an_edit_of_the_text_between_check_and_write_is_caught(interview, code):
    """The version is checked again inside the transaction that writes the excerpt."""
    stale = Interview.objects.get(pk=interview.pk)
    coding.transcript_edit(interview=interview, text="Intro.\n" + interview.text, version=1)
    start = stale.text.index("Café")
    with pytest.raises(Conflict):
        code_span(stale, (start, start + 4), [code])
    assert not Excerpt.objects.exists()


def test_new_codes_take_distinct_colours_while_the_palette_lasts(study):
    colours = [
        services.code_create(study=study, name=f"Code {n}").colour for n in range(len(PALETTE) + 1)
    ]
    assert colours[: len(PALETTE)] == list(PALETTE.values())
    # Past the palette, the least used again, from the first.
    assert colours[-1] == colours[0]


def test_a_deleted_codes_colour_is_free_again_and_a_picked_one_takes_no_turn(study):
    first = services.code_create(study=study, name="First")
    services.code_create(study=study, name="Picked", colour="#123456")
    second = services.code_create(study=study, name="Second")
    assert (first.colour, second.colour) == tuple(list(PALETTE.values())[:2])
    services.code_delete(code=first, force=True)
    assert services.code_create(study=study, name="Third").colour == first.colour


def test_a_colour_is_kept_as_lower_case_hex_and_anything_else_refused(study, code):
    assert services.code_create(study=study, name="A", colour="#ABCDEF").colour == "#abcdef"
    assert services.code_create(study=study, name="B", colour="Orange").colour == PALETTE["orange"]
    with pytest.raises(ValidationError, match="#rrggbb"):
        services.code_create(study=study, name="C", colour="#abc")
    with pytest.raises(ValidationError, match="#rrggbb"):
        services.code_update(
            code=code, revision=code.revision, name="Training", colour="url(x)", parent=None
        )
    code.refresh_from_db()
    assert code.colour == PALETTE["teal"]


def span_fields(interview, phrase) -> dict:
    """A selection as the services take it (seen_text, not the form's text)."""
    fields = selection(interview, phrase)
    fields["seen_text"] = fields.pop("text")
    return fields


def test_a_code_typed_in_the_picker_is_made_by_the_service_with_the_coding(interview, code):
    codes = code_rows(interview.study)
    excerpt, created, chosen = services.excerpt_code_picked(
        interview=interview,
        coder=None,
        **span_fields(interview, "Café regulars"),
        choice=services.CodeChoice(ids=[code.pk], new_name="  Regulars "),
        codes=codes,
    )
    made = Code.objects.get(name="Regulars")
    assert created
    assert [row.id for row in chosen] == [code.pk, made.pk]
    assert made.pk in codes, "the new code is there to draw"
    assert set(excerpt.codings.values_list("code_id", flat=True)) == {code.pk, made.pk}


def test_a_coded_selection_keeps_its_undo_entry_in_its_own_transaction(interview, code, owner):
    # The picker's journal, with an owner, is kept by the service before it commits: the
    # entry is there, labelled as the flash says, and undoing it takes the excerpt away.
    journal = Journal(owner=Owner(interview.study, owner, "session-1"))
    excerpt, _, chosen = services.excerpt_code_picked(
        interview=interview,
        coder=owner,
        **span_fields(interview, "Café regulars"),
        choice=services.CodeChoice(ids=[code.pk]),
        codes=code_rows(interview.study),
        journal=journal,
    )
    entry = UndoEntry.objects.get()
    assert journal.entry == entry
    assert entry.label == services.coded_message(chosen) == f"Coded as “{isolated(code.name)}”."
    assert (entry.study_id, entry.user_id) == (interview.study_id, owner.pk)
    assert entry.session_key == "session-1"
    undo(study=interview.study, user=owner, session_key="session-1")
    assert not Excerpt.objects.filter(pk=excerpt.pk).exists()


def test_a_coding_whose_undo_entry_cannot_be_written_is_not_saved(
    interview, code, owner, monkeypatch
):
    # One unit of work: the coding, its history records and its undo entry commit together.
    def refuse(**kwargs):
        raise IntegrityError("no room for the undo entry")

    monkeypatch.setattr("coding.undo.keep", refuse)
    revision_before = Study.objects.get(pk=interview.study_id).revision
    journal = Journal(owner=Owner(interview.study, owner, "session-1"))
    with pytest.raises(IntegrityError):
        services.excerpt_code_picked(
            interview=interview,
            coder=owner,
            **span_fields(interview, "Café regulars"),
            choice=services.CodeChoice(ids=[code.pk]),
            codes=code_rows(interview.study),
            journal=journal,
        )
    assert not Excerpt.all_objects.exists()
    assert not Coding.objects.exists()
    assert not Excerpt.history.exists()
    assert Study.objects.get(pk=interview.study_id).revision == revision_before


def test_a_refused_selection_makes_no_code_of_the_name_typed(interview, code):
    stale = {**span_fields(interview, "Café regulars"), "version": interview.version + 1}
    with pytest.raises(Conflict, match="edited after you opened it"):
        services.excerpt_code_picked(
            interview=interview,
            coder=None,
            **stale,
            choice=services.CodeChoice(new_name="Regulars"),
            codes=code_rows(interview.study),
        )
    assert not Code.objects.filter(name="Regulars").exists()


def test_a_name_close_to_a_codes_is_asked_about_until_confirmed(excerpt, code):
    choice = services.CodeChoice(new_name="Trainig")
    with pytest.raises(services.NearDuplicate) as asked:
        services.excerpt_codes_add_picked(
            excerpt=excerpt, coder=None, choice=choice, codes=code_rows(excerpt.interview.study)
        )
    assert [row.id for row in asked.value.similar] == [code.pk]
    assert not Code.objects.filter(name="Trainig").exists()
    confirmed = services.CodeChoice(new_name="Trainig", confirm_new=True)
    services.excerpt_codes_add_picked(
        excerpt=excerpt, coder=None, choice=confirmed, codes=code_rows(excerpt.interview.study)
    )
    assert set(excerpt.codings.values_list("code__name", flat=True)) == {"Training", "Trainig"}


def test_a_code_deleted_since_the_page_was_drawn_is_a_conflict(excerpt, code, study):
    codes = code_rows(study)
    gone = services.code_create(study=study, name="Gone")
    with pytest.raises(Conflict, match="deleted or merged"):
        services.excerpt_codes_add_picked(
            excerpt=excerpt, coder=None, choice=services.CodeChoice(ids=[gone.pk]), codes=codes
        )
