"""Finding a study's identifying strings in its transcripts and file names, and suggesting
more: the text logic of de-identification (the writes are in services.py).

A study keeps a list of identifying strings (models.Identifier: "Maria Lopez", with variants
"Maria" and "Ms Lopez", replaced by "[co-worker]"). They are found as whole words, whatever
the case (Unicode case folding: "STRASSE" finds "Straße"), a space inside a name matching
any run of white space (a name broken over two lines is still found). Where two forms
overlap, the longest wins: "Maria Lopez" is one occurrence, not "Maria" and then "Lopez".

Offsets are code points over `Interview.text` (or `Interview.source_name`), end exclusive.
"""

from __future__ import annotations

import array
import calendar
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import ngettext

from .models import Identifier, IdentifierSkip, Interview, Respondent, Study

# How much of the text around an occurrence the preview shows, in code points each side.
CONTEXT = 60
# Where a match may start and end: not inside a word. \b would need the form to start and
# end with a word character ("[Agency]" does not).
_OPEN, _CLOSE = r"(?<!\w)", r"(?!\w)"


def _form_pattern(form: str) -> str:
    return r"\s+".join(re.escape(word) for word in form.split())


def _first_letters(forms: Sequence[str]) -> str:
    """A lookahead that a match can only start at the first letter of one of `forms`
    (whatever the case, as IGNORECASE compares them): the regular expression engine tests it
    before the lookbehind and the alternation at each position, which made finding five
    names in transcripts 1.5 times as fast (26 million code points, 1.54 to 1.01 s)."""
    letters = sorted({form.split()[0][0] for form in forms})
    return "(?=[" + "".join(map(re.escape, letters)) + "])"


def fold(words: str) -> str:
    return " ".join(words.casefold().split())


class Matcher:
    """Finds the forms of several identifiers in a text (one regular expression).

    `forms` is [(identifier id, [form, ...]), ...]; an empty form is ignored. When two
    identifiers share a form, the first one given owns it.
    """

    def __init__(self, forms: Iterable[tuple[int, Sequence[str]]]):
        self.owner: dict[str, int] = {}
        # Each form as typed and case-folded: IGNORECASE alone does not take "ß" for "ss".
        # Each spelling the pattern looks for, with its owner (for _owner_of).
        self.spelt: dict[str, int] = {}
        for identifier_id, names in forms:
            for form in names:
                if form.strip():
                    self.owner.setdefault(fold(form), identifier_id)
                    owner = self.owner[fold(form)]
                    self.spelt.setdefault(form, owner)
                    self.spelt.setdefault(fold(form), owner)
        spellings = set(self.spelt)
        # Longest first: the alternation takes the first form that matches at a position.
        ordered = sorted(spellings, key=lambda form: (-len(form), form))
        self.pattern = (
            re.compile(_first_letters(ordered) + self.alternatives(ordered), re.IGNORECASE)
            if ordered
            else None
        )
        self._ordered = ordered
        self._owners: dict[str, int] = {}

    @cached_property
    def keys(self) -> list[str] | None:
        """What a long text's lowering is searched for (see _keys); worked out when first
        needed, as only texts of SCAN_FROM code points or more use them."""
        return _keys(self._ordered) if self._ordered else None

    @staticmethod
    def alternatives(ordered: Sequence[str]) -> str:
        """The pattern of whole-word `ordered` forms, as a regular expression's text."""
        return _OPEN + "(?:" + "|".join(map(_form_pattern, ordered)) + ")" + _CLOSE

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """[(start, end, identifier id), ...] in text order, not overlapping."""
        if self.pattern is None:
            return []
        found = []
        # The words matched repeat (the same name, as written, many times a transcript):
        # each is looked up once.
        owners = self._owners
        for match in self._matches(text):
            words = match.group()
            identifier_id = owners.get(words)
            if identifier_id is None:
                identifier_id = owners[words] = self._owner_of(words)
            found.append((match.start(), match.end(), identifier_id))
        return found

    def _owner_of(self, words: str) -> int:
        identifier_id = self.owner.get(fold(words))
        if identifier_id is None:
            # IGNORECASE and casefold() disagree on a few letters (ß, ſ, İ): find the
            # spelling the pattern matched.
            identifier_id = next(
                owner
                for spelling, owner in self.spelt.items()
                if re.fullmatch(_form_pattern(spelling), words, re.IGNORECASE)
            )
        return identifier_id

    def _matches(self, text: str) -> Iterator[re.Match]:
        """What self.pattern.finditer(text) yields. A long text is lowered once and the
        positions where a match may start are found by str.find of the keys (fast C
        scans); the pattern is tried there alone. Where lowering changes the text's length
        (an "İ" in it), or there are no keys, the pattern scans the whole text."""
        if self.keys is None or len(text) < SCAN_FROM:
            return self.pattern.finditer(text)
        lowered = text.lower()
        if len(lowered) != len(text):
            return self.pattern.finditer(text)
        starts = set()
        for key in self.keys:
            position = lowered.find(key)
            while position != -1:
                starts.add(position)
                position = lowered.find(key, position + 1)
        return self._matches_from(text, sorted(starts))

    def _matches_from(self, text: str, starts: list[int]) -> Iterator[re.Match]:
        end = 0
        for start in starts:
            # Matches do not overlap: finditer goes on from the end of the last one.
            if start >= end and (match := self.pattern.match(text, start)):
                end = match.end()
                yield match


# A text at least this long (code points) is searched from the places where its lowered
# text holds a key (Matcher._matches): five names in the 800 transcript texts of the
# benchmark's default-scale study and its history (34 million code points, 120,264
# occurrences), 0.92 s of processor time by the regular expression alone, 0.62 s this way
# (load 13 on 2 cores).
SCAN_FROM = 2_000
# A key is the start of a form's first word, lowered, in each spelling IGNORECASE takes for
# it: at most KEY_LENGTH letters and KEY_SPELLINGS spellings of them.
KEY_LENGTH = 6
KEY_SPELLINGS = 16


def _keys(forms: Sequence[str]) -> list[str] | None:
    """The keys of `forms` (see KEY_LENGTH), or None when a form has none.

    A match starts where the text holds, for each letter of a key's form, a letter
    IGNORECASE takes for it. In a text whose lowering keeps its length every code point
    lowers to exactly one, so there the lowered text holds, letter by letter, the lowering
    of such a letter: one of the letter's spellings (_spellings). Every match of the
    pattern therefore starts where the lowered text holds one of its form's keys.
    """
    spellings_of = _spellings(
        {letter for form in forms for letter in form.split()[0][:KEY_LENGTH]}
    )
    keys = set()
    for form in forms:
        spellings = [""]
        for letter in form.split()[0][:KEY_LENGTH]:
            same = spellings_of[letter]
            if not same or len(spellings) * len(same) > KEY_SPELLINGS:
                break
            spellings = [spelling + other for spelling in spellings for other in same]
        if spellings == [""]:
            return None
        keys.update(spellings)
    return sorted(keys)


# {letter: its spellings}, filled as letters are asked for (_spellings).
_SPELLINGS: dict[str, frozenset[str]] = {}


def _spellings(letters: Iterable[str]) -> dict[str, frozenset[str]]:
    """{letter: the lowerings (str.lower) of the code points IGNORECASE takes for the
    letter, those that lower to one code point}: "i" gives {"i", "ı"}, "s" {"s", "ſ"}, "k" {"k"}
    (the Kelvin sign lowers to "k"). "İ" gives {"i", "ı"} ("İ" itself lowers to two).

    `re` is asked, through its public behaviour, which code points it matches: a
    character class of the letters (one match per code point, as a single letter's) over
    every code point, then each letter over the few code points found. Which letters
    IGNORECASE takes for others beyond their lowering (dotless ı for i, long ſ for s, ϐ
    for β, ...) is `re`'s own choice and may change with Python's version: asking it keeps
    the keys right whichever version runs. About 50 ms (20 MB at most held meanwhile) when a
    letter is first asked for in a process; remembered after.
    """
    letters = set(letters)
    missing = letters - _SPELLINGS.keys()
    if missing:
        everything = _every_code_point()
        any_of = "[" + "".join(map(re.escape, sorted(missing))) + "]"
        found = set(re.findall(any_of, everything, re.IGNORECASE))
        for letter in missing:
            single = re.compile(re.escape(letter), re.IGNORECASE)
            lowered = (point.lower() for point in found if single.fullmatch(point))
            _SPELLINGS[letter] = frozenset(low for low in lowered if len(low) == 1)
    return {letter: _SPELLINGS[letter] for letter in letters}


def _every_code_point() -> str:
    """Every code point from 0 to sys.maxunicode, in order (surrogates included), decoded
    from their 32-bit numbers: 20 MB at most while it is made (tracemalloc's peak; the
    array grows as it is filled), where a join would first make 1.1 million strings."""
    typecode = next(code for code in "IL" if array.array(code).itemsize == 4)
    points = array.array(typecode, range(sys.maxunicode + 1))
    codec = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"
    return points.tobytes().decode(codec, "surrogatepass")


def matcher_of(identifiers: Iterable[Identifier]) -> Matcher:
    return Matcher((identifier.pk, identifier.forms) for identifier in identifiers)


def replace_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """`text` with each `[start, end)` (in text order, not overlapping) replaced by its string."""
    pieces, position = [], 0
    for start, end, words in spans:
        pieces += [text[position:start], words]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def scrub(text: str, matcher: Matcher, replacements: dict[int, str]) -> str:
    """`text` with every form of the identifiers in `replacements` ({id: replacement})
    replaced: for texts that hold no offsets (memos, quote extracts, old words)."""
    spans = [
        (start, end, replacements[identifier_id])
        for start, end, identifier_id in matcher.find(text)
        if identifier_id in replacements
    ]
    return replace_spans(text, spans) if spans else text


def scrub_json(value, scrub: Callable[[str], str]):
    """`value` as a JSONField holds it (dicts, lists, strings, numbers, booleans, None)
    with every string in it, a dict's keys included (a respondent's attribute names), passed
    through `scrub` (a text's replacements: see scrub); the rest as it is."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(key): scrub_json(item, scrub) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item, scrub) for item in value]
    return value


def json_strings(value) -> str:
    """The strings of `value` (as scrub_json walks it) joined by NUL characters: a text to
    search for listed strings, which hold no NUL, so that no match spans two of them."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        items = [part for key, item in value.items() for part in (key, json_strings(item))]
        return "\0".join(items)
    if isinstance(value, list):
        return "\0".join(json_strings(item) for item in value)
    return ""


@dataclass(frozen=True)
class Occurrence:
    """One place an identifier was found: in an interview's text, or its file name."""

    interview_id: int
    version: int
    in_name: bool
    start: int
    end: int
    identifier_id: int
    words: str
    before: str
    after: str

    @property
    def key(self) -> str:
        """What the preview posts back for this occurrence: it names the transcript's version,
        so a decision taken on a text edited since is refused rather than misplaced."""
        where = "name" if self.in_name else "text"
        return f"{self.interview_id}-{self.version}-{where}-{self.start}-{self.end}"


def _occurrences_in(interview, text: str, in_name: bool, matcher, skipped) -> list[Occurrence]:
    found = []
    for start, end, identifier_id in matcher.find(text):
        if (identifier_id, interview.pk, in_name, start, end) in skipped:
            continue
        before = text[max(0, start - CONTEXT) : start]
        found.append(
            Occurrence(
                interview_id=interview.pk,
                version=interview.version,
                in_name=in_name,
                start=start,
                end=end,
                identifier_id=identifier_id,
                words=text[start:end],
                before=("…" if start > CONTEXT else "") + before,
                after=text[end : end + CONTEXT] + ("…" if end + CONTEXT < len(text) else ""),
            )
        )
    return found


def ordinary_word(words: str, forms: Sequence[str]) -> bool:
    """Whether an occurrence is most likely an ordinary word rather than the name listed:
    `words` (the occurrence as the transcript writes it) has no capital letter, while the
    listed form it matched (among `forms`, as typed) has one. "will" found for the name
    "Will", "rose" for "Rose", but also a name typed carelessly ("maria"). The preview
    presets these to neither Replace nor Keep: replacing an ordinary word rewrites what a
    respondent said and cannot be undone, keeping a name leaves it in the study; the
    researcher chooses, and one left unchosen stays waiting. A form typed in lower case
    ("maria") presets its lower-case occurrences to Replace as usual."""
    if any(letter.isupper() for letter in words):
        return False
    typed = [form for form in forms if fold(form) == fold(words)]
    # IGNORECASE and casefold() disagree on a few letters (ß): then any capitalised form.
    return any(letter.isupper() for form in typed or forms for letter in form)


def study_occurrences(
    *,
    study: Study,
    identifiers: Sequence[Identifier] | None = None,
    withdrawn: bool = True,
) -> list[Occurrence]:
    """Every occurrence of the study's identifiers in its transcripts and their file names
    that was neither replaced nor skipped, by interview then position (file name first).
    `withdrawn=False` leaves out the transcripts of respondents who withdrew (what no
    export holds); de-identifying reads them all, as they stay until erased.

    Three queries (the list, when not given; the skips; the interviews), whatever the
    number of transcripts.
    """
    if identifiers is None:
        identifiers = list(study.identifiers.all())
    if not identifiers:
        return []
    rows = study_interviews(study=study, withdrawn=withdrawn).only(
        "pk", "version", "text", "source_name"
    )
    return interviews_occurrences(study=study, interviews=rows, identifiers=identifiers)


@dataclass(frozen=True)
class Listed:
    """What a study's typed fields are checked against: its de-identification list
    (`identifiers`, in the list's order) and whether a respondent of it withdrew
    (`withdrew`: their pseudonym and words are looked for too, interviews.mentions)."""

    identifiers: list[Identifier]
    withdrew: bool

    def __bool__(self) -> bool:
        return bool(self.identifiers) or self.withdrew


_LISTED_FIELDS = ("id", "text", "variants", "replacement", "created_at")


def study_listed(study: Study) -> Listed:
    """The study's list and whether a respondent withdrew, in one query (the study joined
    to its list, with an EXISTS), so that a study with neither costs no more than reading
    its list did."""
    withdrew = Exists(Respondent.objects.filter(study=OuterRef("pk"), withdrawn_at__isnull=False))
    rows = (
        Study.objects.filter(pk=study.pk)
        .annotate(withdrew=withdrew)
        .order_by("identifiers__text", "identifiers__id")
        .values_list("withdrew", *(f"identifiers__{field}" for field in _LISTED_FIELDS))
    )
    identifiers, any_withdrew = [], False
    for withdrew_, *values in rows:
        any_withdrew = bool(withdrew_)
        if values[0] is not None:
            fields = dict(zip(_LISTED_FIELDS, values, strict=True))
            identifiers.append(Identifier(study=study, **fields))
    return Listed(identifiers, any_withdrew)


def study_interviews(*, study: Study, withdrawn: bool = True) -> QuerySet[Interview]:
    """The study's interviews in the order occurrences are listed (by respondent, then
    date); `withdrawn=False` leaves out those of respondents who withdrew."""
    rows = Interview.objects.filter(study=study)
    if not withdrawn:
        rows = rows.filter(respondent__withdrawn_at__isnull=True)
    return rows.order_by("respondent__pseudonym_order", "respondent_id", "conducted_on", "pk")


def interviews_occurrences(
    *, study: Study, interviews: Iterable[Interview], identifiers: Sequence[Identifier]
) -> list[Occurrence]:
    """study_occurrences over `interviews` (the study's, in their order, read by the
    caller with at least pk, version, text and source_name), for `identifiers` (the
    study's list, not empty): the skips in one query, and the interviews' if a queryset."""
    matcher = matcher_of(identifiers)
    skipped = set(
        IdentifierSkip.objects.filter(identifier__study=study).values_list(
            "identifier_id", "interview_id", "in_name", "start", "end"
        )
    )
    found = []
    for interview in interviews:
        found += _occurrences_in(interview, interview.source_name, True, matcher, skipped)
        found += _occurrences_in(interview, interview.text, False, matcher, skipped)
    return found


def found_counts(
    identifiers: Sequence[Identifier], interviews: Iterable[Interview]
) -> dict[int, tuple[int, int]]:
    """{identifier id: (occurrences, transcripts)}: how often each of `identifiers` stands
    in the text or the file name of `interviews` (read with text and source_name), waiting,
    kept or not, and in how many of them; (0, 0) for a string no transcript holds
    (held_nowhere's). What the preview says of each listed string, so that one found
    nowhere (a typo in the list?) shows. No query; one search of every transcript."""
    counts = {identifier.pk: [0, set()] for identifier in identifiers}
    matcher = matcher_of(identifiers)
    for interview in interviews:
        for text in (interview.source_name, interview.text):
            for _start, _end, owner in matcher.find(text or ""):
                counts[owner][0] += 1
                counts[owner][1].add(interview.pk)
    return {pk: (n, len(where)) for pk, (n, where) in counts.items()}


def where_listed(
    identifiers: Sequence[Identifier],
    found: dict[int, tuple[int, int]],
    waiting: Iterable[Occurrence],
    typed: Iterable,
) -> list[tuple[str, str]]:
    """[(listed string, where it stands)] in the list's order, for the preview: how often
    the transcripts hold it (`found`: found_counts) and how much of that waits
    (`waiting`: the occurrences waiting, interviews_occurrences), and how many typed
    places hold it (`typed`: the TYPED_PLACES fields, each with the `identifiers` it
    holds, kept or not), 0 said too: ("Ms Jones", "in no transcript; in 2 typed places")."""
    waits = Counter(occurrence.identifier_id for occurrence in waiting)
    places = Counter(pk for field in typed for pk in getattr(field, "identifiers", ()))
    said = []
    for identifier in identifiers:
        occurrences, transcripts = found.get(identifier.pk, (0, 0))
        where = _in_transcripts(occurrences, transcripts, waits[identifier.pk])
        n = places[identifier.pk]
        typed_in = (
            ngettext("in %(n)d typed place", "in %(n)d typed places", n) % {"n": n}
            if n
            else "in no typed place"
        )
        said.append((identifier.text, f"{where}; {typed_in}"))
    return said


def _in_transcripts(occurrences: int, transcripts: int, waiting: int) -> str:
    """ "5 occurrences in 2 transcripts, 3 of them waiting", or "in no transcript"."""
    if not occurrences:
        return "in no transcript"
    counted = ngettext("%(n)d occurrence", "%(n)d occurrences", occurrences) % {"n": occurrences}
    within = ngettext("%(n)d transcript", "%(n)d transcripts", transcripts) % {"n": transcripts}
    where = f"{counted} in {within}"
    if waiting == occurrences:
        return where + (", waiting" if occurrences == 1 else ", all waiting")
    if not waiting:
        return where + (", kept" if occurrences == 1 else ", each kept")
    return where + f", {waiting} of them waiting"


def held_nowhere(
    identifiers: Sequence[Identifier],
    interviews: Iterable[Interview],
    waiting: Iterable[Occurrence],
) -> list[Identifier]:
    """Those of `identifiers` (the study's list) that no transcript holds: found neither in
    the text nor in the file name of any of `interviews` (the study's, withdrawn
    respondents' included, read with text and source_name), whether waiting, kept or not.
    `waiting` (their occurrences still waiting, interviews_occurrences) spares searching
    again for the strings it holds. A name edited out of the transcripts by hand, or that
    only ever stood in a comment, a memo or an old History record, is one: an apply replaces
    it everywhere it scrubs, since no occurrence's decision will ever bring it there. No
    query; one search of every transcript, only when some string holds no waiting
    occurrence. In the list's order."""
    held = {occurrence.identifier_id for occurrence in waiting}
    rest = [identifier for identifier in identifiers if identifier.pk not in held]
    if not rest:
        return []
    matcher = matcher_of(rest)
    for interview in interviews:
        for text in (interview.source_name, interview.text):
            held.update(owner for _start, _end, owner in matcher.find(text or ""))
    return [identifier for identifier in rest if identifier.pk not in held]


def study_unreviewed_count(
    *, study: Study, identifiers: Sequence[Identifier] | None = None
) -> int:
    """How many occurrences of the study's listed strings are neither replaced nor skipped:
    in its transcripts, their file names and the texts other apps keep of them (excerpt
    snapshots, through `STORED_TEXTS`). 0 when the list is empty. An export of the study
    should refuse (by default) while this is not 0; so the texts of respondents who
    withdrew, which no export holds, are not counted (a name left in them must not block
    the export of everyone else's).

    Queries: the list (unless given as `identifiers`), then (when it is not empty) the
    skips, the interviews and one per registered source of stored texts.
    """
    if identifiers is None:
        identifiers = list(study.identifiers.all())
    if not identifiers:
        return 0
    count = len(study_occurrences(study=study, identifiers=identifiers, withdrawn=False))
    matcher = matcher_of(identifiers)
    for texts in STORED_TEXTS:
        count += sum(len(matcher.find(text)) for text in texts(study))
    return count


# Texts that apps built on interviews keep apart from the transcripts and that may still
# hold a listed string the transcripts no longer do: each source is called with the study
# and returns those texts of respondents who have not withdrawn (coding registers its
# excerpts' former words, kept while they are marked for review). Registered in an
# AppConfig.ready().
STORED_TEXTS: list = []

# The fields the researcher typed that hold a listed string, for the preview page: each
# source is called with the study, its list (not empty) and `can_write` (whether the member
# may write: her links go to the fields' forms) and returns objects with
# `where` (the field in her words), `words` (the listed strings as typed there), `url`
# (the page where it is edited), `field` and `digest` (what its Keep posts to `keep_url`),
# `kept` (its TypedKeep's id, 0 while it waits) and `undo_url` (where a Keep is undone);
# themes registers the fields its downloads write
# (themes.identifying.typed_fields), each refusing the downloads that write it (`refuses`:
# their names) until changed or kept; `listed` whether it holds a listed string and
# `withdrawn` the withdrawn respondents it names or quotes (interviews.mentions), of what
# waits in it (of what it holds, once kept).
TYPED_PLACES: list = []


def typed_summary(fields: Sequence) -> str:
    """How many of `fields` (TYPED_PLACES' objects waiting, not empty) hold a listed
    string and how many name or quote a withdrawn respondent, as the de-identification
    pages begin their sentence (no final punctuation): "3 places in what was typed (1
    holds a listed string, 2 name or quote a withdrawn respondent)". A field holding both
    counts once in the total and once in each kind."""
    total = len(fields)
    listed = sum(1 for field in fields if field.listed)
    named = sum(1 for field in fields if field.withdrawn)
    places = ngettext("%(n)d place in what was typed", "%(n)d places in what was typed", total) % {
        "n": total
    }
    holds = ngettext("holds a listed string", "hold a listed string", total)
    names = ngettext(
        "names or quotes a withdrawn respondent", "name or quote a withdrawn respondent", total
    )
    if listed == total and not named:
        return f"{places} {holds}"
    if named == total and not listed:
        return f"{places} {names}"
    if listed == named == total:
        return f"{places} {holds} and {names}"
    of_listed = ngettext("%(n)d holds a listed string", "%(n)d hold a listed string", listed) % {
        "n": listed
    }
    of_named = ngettext(
        "%(n)d names or quotes a withdrawn respondent",
        "%(n)d name or quote a withdrawn respondent",
        named,
    ) % {"n": named}
    return f"{places} ({of_listed}, {of_named})"


# Suggestions ----------------------------------------------------------------------------

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<!\.)")
# Seven digits or more, in groups split by spaces, dots, dashes or brackets, with an
# optional "+": phone numbers as people write them, not years or counts.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{5,}\d(?!\w)")
_CAPITALISED = re.compile(r"(?<![\w'’-])([A-ZÀ-ÖØ-Þ][\w'’-]*\w|[A-ZÀ-ÖØ-Þ])(?![\w'’-])")
# What may come before a word that starts a sentence (spaces between aside).
_ENDS = frozenset(".!?…:;\"“”‘'(\n")
_LOWER_WORD = re.compile(r"\w+")


# Words English always capitalises that name no one: the pronoun "I" and its contractions
# ("I'm", "I’ve"), the days and the months (Python's calendar, in the C locale's English).
_PRONOUN_I = re.compile(r"I(?:['’]\w+)?")
_CALENDAR = frozenset(
    name.casefold()
    for names in (calendar.day_name, calendar.day_abbr, calendar.month_name, calendar.month_abbr)
    for name in names
    if name
) | {"sept", "tues", "thur", "thurs"}  # abbreviations as people also write them


def _always_capitalised(word: str) -> bool:
    return bool(_PRONOUN_I.fullmatch(word)) or word.casefold() in _CALENDAR


# Titles written before a person's name ("Dr. Maria Lopez"): a title names no one, and the
# full stop after one does not end a sentence. A short closed list, unlike names: a study's
# names are in no list, the titles English puts before them are.
_TITLES = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "mx",
        "miss",
        "prof",
        "rev",
        "fr",
        "sr",
        "jr",
        "sgt",
        "capt",
        "lt",
        "col",
        "gen",
        "hon",
    ]
)
# The abbreviations that are part of a place's name, before or after its other words
# ("St. Mary's Hospital", "Mt. Sinai", "Ft. Lee", "Elm St"): unlike a title, one is kept in
# the name suggested, since "Mary's Hospital" alone leaves "St." in the text to say which.
# Like a title's, the full stop after one does not end a sentence.
_PLACES = frozenset(["st", "mt", "ft"])
_ABBREVIATIONS = _TITLES | _PLACES
# The space between two words of one name ("Riverside Recovery Center"): not a line break,
# which ends a speaker's turn or a paragraph.
_SAME_LINE = re.compile(r"[ \t]+")
# After a place's abbreviation, its full stop too ("St. Mary's").
_AFTER_PLACE = re.compile(r"\.?[ \t]+")


def _starts_sentence(text: str, position: int) -> bool:
    """Whether the word at `position` (a code point offset into `text`) is the first of a
    sentence: at the start of the text, or after one of _ENDS (spaces between aside), except
    a full stop ending a title, a place's abbreviation or an initial ("Dr. Maria", "St.
    Mary's", "J. Lopez"), which ends no sentence."""
    position -= 1
    while position >= 0 and text[position] in " \t":
        position -= 1
    if position < 0:
        return True
    if text[position] == "." and _abbreviation_before(text, position):
        return False
    return text[position] in _ENDS


def _abbreviation_before(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` ends a title ("Dr."), a place's abbreviation ("St.")
    or an initial ("J.").

    A single capital after a word in lower case is no initial but what that word names, and
    its full stop may end a sentence: "plan B. Then", "vitamin D. We", "more than I. Then"
    (the pronoun). An initial comes first in a name: at the start of a sentence or after a
    title, a name or another initial ("J. Lopez", "Dr. J. Lopez", "Maria J. Lopez"). Read
    so, "met J. Lopez" takes "Lopez" for a sentence's first word; a name is written
    mid-sentence elsewhere in hours of speech, and suggested from there."""
    start = stop
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’-."):
        return False  # part of a longer word, a number or an abbreviation such as "e.g."
    word = text[start:stop]
    if word.casefold() in _ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isupper() and not _after_lower_case_word(text, start)


def _after_lower_case_word(text: str, position: int) -> bool:
    """Whether the word before `position` (spaces between aside, on the same line) is
    written in lower case: "plan" before "B"."""
    end = position
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return start < end and text[start:end].islower()


@dataclass(frozen=True)
class Suggestion:
    """A string that may identify someone: `kind` is "name", "other study", "e-mail" or
    "phone"; `count` how many times it appears in the study's transcripts."""

    text: str
    kind: str
    count: int


def suggest(
    texts: Sequence[str],
    *,
    listed: Iterable[str] = (),
    elsewhere: Iterable[str] = (),
    ignore: Iterable[str] = (),
    limit: int = 50,
) -> list[Suggestion]:
    """Candidates for the list, found in `texts` (transcripts), most frequent first.

    - "name": a capitalised word that is not at the start of a sentence or a speaker
      label, and that never appears in lower case anywhere in `texts`. The rule needs no
      word list (none covers a study's jargon, and a list in one language misses names in
      another): an ordinary word is written in lower case somewhere in hours of speech
      ("Training" starts a sentence, but "training" appears mid-sentence), a name almost
      never is. Words English always capitalises but that name no one are left out too:
      "I" and its contractions ("I'm", "I’ve"), the days and the months, and titles
      ("Dr", "Ms"; a full stop after one or after an initial, "Dr. Maria", "J. Lopez", ends
      no sentence, but one after a single capital that follows a word in lower case may:
      "plan B. Then"). Such words one after another on a line are one name, suggested whole
      ("Dr. Maria Lopez" gives "Maria Lopez", "Riverside Recovery Center" one agency, not
      three words each replaced alone), with the abbreviations that are part of a place's
      name ("St. Mary's Hospital", "Mt. Sinai", "Elm St"); a word also written alone
      elsewhere is suggested alone there too.
    - "other study": a form listed in another study of the same researcher (`elsewhere`)
      that appears in `texts`.
    - "e-mail", "phone": addresses and numbers as people write them.

    Forms already in `listed` and words in `ignore` (pseudonyms, "Interviewer") are left
    out, compared case-insensitively. At most `limit` suggestions.
    """
    known = {fold(form) for form in [*listed, *ignore]}
    lower = set()
    for text in texts:
        # Not in e-mail addresses: their names are written in lower case ("maria.l@...").
        words = _LOWER_WORD.findall(EMAIL.sub(" ", text))
        lower.update(word for word in words if word.islower())
    counts: dict[tuple[str, str], int] = {}

    def add(words: str, kind: str) -> None:
        if fold(words) not in known:
            counts[words, kind] = counts.get((words, kind), 0) + 1

    forms = dict(enumerate(elsewhere))
    others = Matcher((i, [form]) for i, form in forms.items())
    for text in texts:
        for _start, _end, i in others.find(text):
            add(forms[i], "other study")
    # A form listed elsewhere is suggested once, as such.
    known.update(fold(text) for text, kind in counts if kind == "other study")
    for text in texts:
        for match in EMAIL.finditer(text):
            add(match.group(), "e-mail")
        for match in PHONE.finditer(text):
            if sum(c.isdigit() for c in match.group()) >= 7:
                add(match.group().strip(), "phone")
        for name in _names(text, lower=lower, known=known):
            add(name, "name")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][0].casefold()))
    return [Suggestion(text=t, kind=k, count=n) for (t, k), n in ranked[:limit]]


def _names(text: str, *, lower: set[str], known: set[str]) -> Iterator[str]:
    """The names suggest() finds in `text`, in text order, each run of them on one line
    joined by single spaces: "Maria Lopez". `lower` holds the words the texts write in lower
    case; `known` the case-folded forms left out (listed or ignored), which end a run."""
    run: list[re.Match] = []
    for match in _CAPITALISED.finditer(text):
        if not _place(match) and not _name_word(text, match, lower=lower, known=known):
            yield from _run_name(text, run)
            run = []
            continue
        gap = _AFTER_PLACE if run and _place(run[-1]) else _SAME_LINE
        if run and not gap.fullmatch(text, run[-1].end(), match.start()):
            yield from _run_name(text, run)
            run = []
        run.append(match)
    yield from _run_name(text, run)


def _place(match: re.Match) -> bool:
    return match.group().casefold() in _PLACES


def _name_word(text: str, match: re.Match, *, lower: set[str], known: set[str]) -> bool:
    word = match.group()
    if word.casefold() in lower or len(word) < 2 or (word.isupper() and len(word) < 4):
        return False
    if _always_capitalised(word) or word.casefold() in _TITLES or fold(word) in known:
        return False
    return not _starts_sentence(text, match.start())


def _run_name(text: str, run: list[re.Match]) -> Iterator[str]:
    # A run followed by a colon is a speaker label ("Maria Lopez: ..."), not a mention; a
    # place's abbreviation alone ("St." before a word in lower case) names nothing.
    if all(_place(match) for match in run) or text.startswith(":", run[-1].end()):
        return
    # As written but for the spaces, the full stop of "St." kept: the name as the study's
    # list will hold it, found again wherever its words stand.
    yield " ".join(text[run[0].start() : run[-1].end()].split())
