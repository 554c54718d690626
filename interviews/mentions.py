"""Where the researcher's own text names a withdrawn respondent or quotes their words.

README, confidentiality: a withdrawn respondent appears nowhere. Their transcripts, excerpts
and quotes leave every file with them; what the researcher typed about them elsewhere (a
memo on another respondent's excerpt: "compare R4's 'the baker'") does not, and is found
here, so that the downloads writing it can refuse it (themes.identifying) and the
withdrawal can say where it is (interviews.views.respondents).

The rule: a text names a withdrawn respondent where it holds their pseudonym as a whole
word, case-sensitive ("R4", "R4's"; not "r4" or "R40"); it quotes them where a phrase of
at least two words between quotation marks (' " ‘ ’ “ ” « » ‹ ›) is their words: it
occurs in one of their transcripts outside the interviewer's lines (turns.respondent_runs:
a line that opens with an interviewer label is the interviewer's), and nowhere in what
is not theirs: the transcripts of the respondents still in the study and the protocol's
questions. So a memo quoting the protocol ('How long have you been', asked in every
interview), or a phrase everyone says ('you know'), quotes nobody. Phrases are compared
case-folded with any run of white space as one space, as whole words, and never across
an interviewer's line. An apostrophe within a word ("R4's", "don’t") opens or closes no
quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise

from django.urls import reverse
from django.utils.translation import ngettext

from core.bidi import isolated

from . import deidentify
from .deidentify import fold
from .turns import respondent_runs

# A quotation mark: any of these, unless it stands between two letters or digits (an
# apostrophe: "R4's", "don’t").
_MARK = re.compile(r"(?<!\w)[\"'‘’“”«»‹›]|[\"'‘’“”«»‹›](?!\w)")
# Trailing punctuation inside the marks ("‘the baker,’") is not the respondent's words.
_EDGE = ".,;:!?…"


def _words(text: str) -> str:
    """`text`'s words, case-folded, each between single spaces (" the baker "): a phrase
    is in a text, as whole words, when its _words are in the text's."""
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


# How a Keep records a withdrawn respondent's pseudonym or words (TypedKeep.words): apart
# from the listed strings, which an edit of the list prunes (services._typed_keeps_prune).
KEPT = "withdrawn: "


def kept_word(words: str, withdrawn: str) -> str:
    """What a Keep records for `words` found in a typed field: case-folded
    (deidentify.fold), marked KEPT when they are a withdrawn respondent's (`withdrawn`,
    their pseudonym; "" for a listed string)."""
    return (KEPT if withdrawn else "") + fold(words)


@dataclass(frozen=True)
class Mention:
    """`[start, end)` (code points) of the text that names or quotes `pseudonym`'s words."""

    start: int
    end: int
    pseudonym: str


class WithdrawnMatcher:
    """Finds the mentions of withdrawn respondents in a text (find).

    `withdrawn` maps each withdrawn respondent's pseudonym to their transcripts' texts
    (none for one without a transcript: only the pseudonym is then looked for); `others`
    are the texts whose words are no withdrawn respondent's own (the counted respondents'
    transcripts, the protocol's questions), read only when a quoted phrase is found in a
    withdrawn respondent's lines."""

    def __init__(self, withdrawn: Mapping[str, Iterable[str]], others: Iterable[str] = ()):
        self.pseudonyms = [
            (re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)"), name)
            for name in withdrawn
            if name.strip()
        ]
        # Each transcript's respondent lines folded, each run padded so that a phrase is
        # found as whole words and never across the interviewer's line between two runs
        # (" a b  c d ": " b c " is not in it).
        self.texts = [
            ("".join(_words(run) for run in respondent_runs(text)), name)
            for name, texts in withdrawn.items()
            for text in texts
            if text
        ]
        self._others = [text for text in others if text]
        self._elsewhere: str | None = None

    def _held_elsewhere(self, phrase: str) -> bool:
        """Whether `phrase` (_words) is in `others`; they are folded once, when first
        asked (most texts quote no withdrawn respondent's lines at all)."""
        if self._elsewhere is None:
            self._elsewhere = "".join(_words(text) for text in self._others)
        return phrase in self._elsewhere

    def find(self, text: str) -> list[Mention]:
        """The mentions in `text`, in text order: each pseudonym as a whole word, and
        each quoted phrase of two words or more that is a withdrawn respondent's words (the
        module's rule; the span is the phrase, marks left out; the first transcript
        holding it in its respondent's lines names whose words they are). No query."""
        found = [
            Mention(match.start(), match.end(), name)
            for pattern, name in self.pseudonyms
            for match in pattern.finditer(text)
        ]
        if self.texts:
            found += self._quotes(text)
        return sorted(found, key=lambda mention: (mention.start, mention.end))

    def _quotes(self, text: str) -> list[Mention]:
        marks = [match.start() for match in _MARK.finditer(text)]
        found = []
        # Between each mark and the next: a quote when the words touch both marks
        # (“ and then ” between two quotes does not).
        for opening, closing in pairwise(marks):
            start, end = opening + 1, closing
            while end > start and text[end - 1] in _EDGE:
                end -= 1
            inside = text[start:end]
            if not inside or inside != inside.strip():
                continue
            phrase = _words(inside)
            if phrase.count(" ") < 3:  # one word: " word "
                continue
            owner = next((name for folded, name in self.texts if phrase in folded), None)
            if owner is not None and not self._held_elsewhere(phrase):
                found.append(Mention(start, end, owner))
        return found


# How many places the message after a withdrawal names: more would be a wall of text (40
# memos naming them); the de-identification page lists them all.
SHOWN = 5


def withdrawal_warning(study, pseudonym: str) -> tuple[str, str]:
    """What the researcher reads on withdrawing `pseudonym` (just withdrawn) from `study`:
    where the text she typed still names them or quotes their words and is not kept (the
    fields deidentify.TYPED_PLACES lists, from themes), the first SHOWN of those places
    and how many more, and that the downloads writing it are refused until it is edited
    or kept; with the URL of the de-identification page's list of them when it names only
    some ("" when all). ("", "") when nowhere. Queries: the list's (with whether someone
    withdrew), then the typed fields' and the keeps' of each source."""
    listed = deidentify.study_listed(study)
    fields = [
        field
        for source in deidentify.TYPED_PLACES
        for field in source(study, listed, can_write=True)
        if pseudonym in field.withdrawn and not field.kept
    ]
    if not fields:
        return "", ""
    name = isolated(pseudonym)
    shown = "; ".join(
        f"{field.where} (" + ", ".join(f"“{isolated(words)}”" for words in field.words) + ")"
        for field in fields[:SHOWN]
    )
    more = len(fields) - SHOWN
    if more > 0:
        shown += f"; and {more:,} more, listed on the de-identification page"
    said = ngettext(
        "%(n)d place in what was typed names %(name)s or quotes %(name)s’s words: %(shown)s. "
        "Edit it before sharing anything, or keep it on the de-identification page if it "
        "tells nothing of them: until then the downloads that write it are refused.",
        "%(n)d places in what was typed name %(name)s or quote %(name)s’s words: %(shown)s. "
        "Edit them before sharing anything, or keep those that tell nothing of them on the "
        "de-identification page: until then the downloads that write them are refused.",
        len(fields),
    ) % {"n": len(fields), "name": name, "shown": shown}
    listing = reverse("deidentify_preview", args=[study.slug]) + "#typed"
    return said, listing if more > 0 else ""
