"""Coding from a search (autocoding): the hits of a query widened to the passages around
them, previewed, then coded in one action that is undone as one.

The researcher decides: the preview codes nothing; she unticks what does not fit and
applies a code to the rest (excerpts_autocode). A passage that is exactly an existing
excerpt gets the code added to that excerpt instead of a second excerpt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import TextChoices
from django.utils.safestring import SafeString

from core.errors import Conflict
from interviews.models import Interview, Study, interviews_named
from interviews.search import hits_in, interviews_matching, marked_html
from interviews.searchquery import Query
from interviews.turns import Turn, turns_from_json

from .models import Code, Excerpt
from .selectors import CodeRow
from .services import _trimmed, code_get_or_create, excerpt_code_selection

# The sentences of the passages-like-these page, so that both cut text alike.
from .similar import sentences
from .undo import Journal, note

# More passages than anyone can read through in one preview: narrow the search instead.
MAX_PASSAGES = 500


# Sentences are cut as the passages-like-these page cuts them (similar.sentences).


class Unit(TextChoices):
    HIT = "hit", "the words found"
    SENTENCE = "sentence", "their sentence"
    PARAGRAPH = "paragraph", "their line"
    TURN = "turn", "the speaker's turn"


@dataclass(frozen=True)
class Passage:
    """A passage to code: [start, end) in code points of one interview at `version`;
    `hits` the query's hits inside it; `excerpt_id` the live excerpt with exactly this
    span, if there is one (the code is added to it)."""

    interview: Interview
    version: int
    start: int
    end: int
    hits: tuple[tuple[int, int], ...]
    excerpt_id: int | None = None

    @property
    def key(self) -> str:
        """How the preview's checkbox names it: "interview:start:end:version"."""
        return f"{self.interview.pk}:{self.start}:{self.end}:{self.version}"

    @property
    def text(self) -> str:
        return self.interview.text[self.start : self.end]

    @property
    def html(self) -> SafeString:
        """The passage as safe HTML, its hits marked."""
        return marked_html(self.interview.text, self.start, self.end, self.hits)


class TooMany(Conflict):
    """The search finds more passages than one preview should hold."""


def widen(text: str, turns: Sequence[Turn], hit: tuple[int, int], unit: str) -> tuple[int, int]:
    """The span (code points) `unit` makes of `hit`: the hit itself, its sentence, its line
    or its speaker turn, never with a speaker label nor spaces at its ends. A hit across a
    boundary gets both sides (two sentences, say). Text before the first label is a turn."""
    start, end = hit
    if unit == Unit.HIT:
        return hit
    turn_start, turn_end = _turn_around(text, turns, start)
    if unit == Unit.TURN:
        return _trimmed(text, turn_start, turn_end)
    if unit == Unit.PARAGRAPH:
        line_start = text.rfind("\n", turn_start, start) + 1 or turn_start
        line_end = text.find("\n", end, turn_end)
        return _trimmed(text, max(line_start, turn_start), turn_end if line_end < 0 else line_end)
    pieces = [span for span in sentences(text, turn_start, turn_end) if span[1] > start]
    first = next((span for span in pieces if span[0] <= start), (start, end))
    last = next((span for span in pieces if span[1] >= end), (start, end))
    return min(first[0], start), max(last[1], end)


def _turn_around(text: str, turns: Sequence[Turn], position: int) -> tuple[int, int]:
    """[after the label, end) of the turn holding `position`; before the first turn, the
    text up to it."""
    for turn in turns:
        if turn.start <= position < turn.end:
            return turn.label_end, turn.end
    following = [turn.start for turn in turns if turn.start > position]
    return 0, min(following, default=len(text))


def autocode_preview(*, study: Study, query: Query, unit: str) -> list[Passage]:
    """Every passage `unit` makes of the hits of `query` in the study's searchable
    interviews, in reading order, hits in one passage sharing it (two queries: the
    interviews with their text, the live excerpts on those spans; a third for the names of
    untitled, undated interviews, interviews_named). Raises TooMany beyond MAX_PASSAGES."""
    rows = interviews_matching(study=study, query=query).select_related("respondent")
    interviews = interviews_named(rows)
    found: list[Passage] = []
    for interview in interviews:
        turns = turns_from_json(interview.turns)
        for hit in hits_in(interview.text, query):
            start, end = widen(interview.text, turns, hit, unit)
            if found and found[-1].interview is interview and start < found[-1].end:
                last = found[-1]
                found[-1] = Passage(
                    interview,
                    interview.version,
                    last.start,
                    max(end, last.end),
                    (*last.hits, hit),
                )
            else:
                found.append(Passage(interview, interview.version, start, end, (hit,)))
        if len(found) > MAX_PASSAGES:
            raise TooMany(
                f"This search gives over {MAX_PASSAGES} passages, too many to look through: "
                "make it narrower (a phrase, or more words)."
            )
    return _with_excerpts(found)


def _with_excerpts(found: list[Passage]) -> list[Passage]:
    """The passages, each with the live excerpt of exactly its span (one query)."""
    if not found:
        return found
    spans = {
        (interview_id, start, end): pk
        for pk, interview_id, start, end in Excerpt.objects.filter(
            interview_id__in={passage.interview.pk for passage in found}
        ).values_list("pk", "interview_id", "start", "end")
    }
    return [
        Passage(
            p.interview,
            p.version,
            p.start,
            p.end,
            p.hits,
            spans.get((p.interview.pk, p.start, p.end)),
        )
        for p in found
    ]


def parse_picks(values: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """The ticked passages of a preview: (interview id, start, end, version) from each
    Passage.key. Raises ValueError for anything else."""
    picks = []
    for value in values:
        interview_id, start, end, version = (int(part) for part in value.split(":"))
        picks.append((interview_id, start, end, version))
    return picks


def excerpts_autocode(
    *,
    study: Study,
    picks: Sequence[tuple[int, int, int, int]],
    code: Code | CodeRow | None,
    new_code: str = "",
    coder,
    journal: Journal | None = None,
) -> tuple[Code | CodeRow, int, int]:
    """Code the ticked passages (interview id, start, end, version) with `code`, or with
    the code named `new_code` (made if new), all or none: returns the code, the excerpts
    made and the existing excerpts the code was added to.

    Raises Conflict, changing nothing, when a transcript was edited after the preview (its
    version differs: the message names it as the preview did) or a passage is not in a
    searchable interview of the study;
    ValidationError for a passage outside its transcript or a bad new name. With a
    `journal`, the batch is noted as one step ("autocode"), undone as one together with the
    new code.
    """
    interviews = Interview.objects.filter(
        study=study, respondent__withdrawn_at__isnull=True, pk__in={p[0] for p in picks}
    ).select_related("study")
    by_id = {interview.pk: interview for interview in interviews}
    batch = Journal()
    made = added = 0
    with transaction.atomic():
        if code is None:
            code = code_get_or_create(study=study, name=new_code, journal=journal)
        for interview_id, start, end, version in picks:
            interview = by_id.get(interview_id)
            if interview is None:
                raise Conflict("One of those transcripts is no longer in the study. Search again.")
            if version != interview.version:
                # Named as the preview listed it ("R1 · Interview imported 30 Nov 2026 (2)"):
                # the bare name may be that of the respondent's first interview of the day,
                # or of another respondent's.
                (named,) = interviews_named([interview])
                raise Conflict(
                    f"“{interview.respondent.pseudonym} · {named.display_name}” was edited "
                    "after this preview: nothing was coded. Preview the search again."
                )
            noted = len(batch.steps)
            _, new = excerpt_code_selection(
                interview=interview,
                coder=coder,
                start=start,
                end=end,
                seen_text=interview.text[start:end],
                version=version,
                codes=[code],
                journal=batch,
            )
            made += new
            # An existing excerpt that had the code already notes nothing.
            added += not new and len(batch.steps) > noted
        if batch.steps:
            note(journal, "autocode", steps=batch.steps)
    return code, made, added
