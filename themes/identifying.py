"""No file that quotes the transcripts is made while a string of the study's
de-identification list is still unreviewed in them (DESIGN: pseudonyms only, no names of
people or agencies in anything exported).

One check for every download that holds a transcript's words: the findings .docx (its
quotes), the memos .docx (an excerpt's words above its memo), the excerpts' .csv and .xlsx
(the study's, and the Excerpts page's filtered ones) and the REFI-QDA project. Only the
project may be made anyway, by the owner's choice: it moves the whole study into another
tool, where it may be de-identified. The matrices, the charts and the codebook hold counts
and the researcher's own words, never a transcript's.

The researcher's own words may name someone too: every download, those of counts and the
codebook included, is also refused while a field it writes (a theme's description, a memo,
a code's example, a respondent's attribute, the study's title...) holds a listed string
(typed_places), unless the researcher kept it as it is: a listed string that is also a
common word ("Hope" in "Hope is what we give them") is a false match she may keep, for
the field's text she read (TypedKeep).

A withdrawn respondent appears nowhere: a field the researcher typed (a memo of any kind,
a code's or a theme's texts, the study's title, research question and description, an
interview's title, an attribute...) that names one or quotes their words
(interviews.mentions) is refused in the same way, and kept in the same way when the
mention says nothing of them ("R4 withdrew on 3 May").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db.models import CharField, F, IntegerField, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.urls import reverse

from coding.models import Code, CodeMemo, Excerpt
from core.bidi import isolated
from interviews import deidentify
from interviews.deidentify import Listed
from interviews.mentions import WithdrawnMatcher, kept_word
from interviews.models import (
    Interview,
    InterviewMemo,
    JournalEntry,
    ProtocolQuestion,
    Respondent,
    Study,
    TypedKeep,
)

from .models import Quote, Theme, ThemeMemo


def identifying_refusal(count: int, *, owner_may_override: bool = False) -> str:
    """What the researcher reads when `count` (> 0) occurrences of listed identifying
    strings are still unreviewed (neither replaced nor kept) in the study's transcripts;
    `owner_may_override` adds how the owner makes the file anyway (the REFI-QDA project's
    tick)."""
    places = "1 place" if count == 1 else f"{count:,} places"
    message = (
        f"Not exported: {places} in the transcripts still hold a string from the study's "
        "de-identification list, neither replaced nor kept. Review them on the "
        "de-identification page first"
    )
    if owner_may_override:
        return message + ", or (owners only) tick “include text that is not de-identified”."
    return message + "."


def unreviewed_refusal(study: Study, what: str) -> str:
    """The refusal of the download `what` (a key of WRITTEN) of `study`, or "" when it may
    be made: while a listed string is unreviewed in the transcripts (identifying_refusal;
    for the downloads that quote them, QUOTING), else while a field the download writes
    holds one (typed_refusal).

    Queries: 1 when the study's de-identification list is empty and no respondent
    withdrew (interviews.deidentify.study_listed); else, for a download that quotes the
    transcripts and a list not empty, those of interviews.deidentify.study_unreviewed_count
    (which reads every counted transcript) and, when none is unreviewed there, the one of
    typed_places; for another download, the list's and typed_places' (2).
    """
    listed = deidentify.study_listed(study)
    if not listed:
        return ""
    identifiers = listed.identifiers
    if identifiers and what in QUOTING:
        # Looked up on the module, so that the check is the one de-identification keeps.
        count = deidentify.study_unreviewed_count(study=study, identifiers=identifiers)
        if count:
            return identifying_refusal(count)
    places = typed_places(study, what, listed)
    return typed_refusal(places) if places else ""


# The downloads that hold a transcript's words (themes.views.exports.DOWNLOADS' keys, and the
# Excerpts page's, as "excerpts_csv" and "excerpts_xlsx").
QUOTING = frozenset({"findings", "memos_docx", "excerpts_csv", "excerpts_xlsx", "qdpx"})


# The fields the researcher types ------------------------------------------------------
#
# A listed string typed into a theme's description or a memo leaves in a file as surely as
# one in a transcript: each download is refused while a field it writes holds one. The
# fields are read in one UNION query of (kind, what it belongs to, field, text) rows.


@dataclass(frozen=True)
class TypedPlace:
    """A listed string found in a field the researcher typed: `where` names the field in
    her words ("the theme “Stress”'s description"), `words` the string as typed there,
    `identifier_id` the list's entry it matches; `field` is the field as (kind, id of the
    row that holds it, field name: an attribute's name for "attributes"), `link` what its
    page is found by (_page_url), `digest` that of the field's text (text_digest)."""

    where: str
    words: str
    identifier_id: int
    field: tuple[str, int, str] = ("", 0, "")
    link: int = 0
    digest: str = ""
    # The downloads (keys of WRITTEN) that write the field, of those whose sources were
    # read (study_typed_places reads them all).
    refuses: frozenset[str] = frozenset()
    # For a withdrawn respondent's pseudonym or words (interviews.mentions): whose
    # (`identifier_id` is then 0).
    withdrawn: str = ""


# How places are counted, on the de-identification page and in a download's refusal alike:
# a place is a FIELD (TypedPlace.field). However many listed strings a field holds, and
# however often, it is one place, named once with its strings, each once as typed, in
# text order: "2 places in what was typed" are two fields wherever it is said.
def by_field(places: Sequence[TypedPlace]) -> dict[tuple[str, int, str], list[TypedPlace]]:
    """`places` grouped by their field, the fields in the order they are first found."""
    fields: dict[tuple[str, int, str], list[TypedPlace]] = {}
    for place in places:
        fields.setdefault(place.field, []).append(place)
    return fields


def strings_of(places: Sequence[TypedPlace]) -> tuple[str, ...]:
    """The listed strings `places` (of one field) hold, each once as typed, in order."""
    return tuple(dict.fromkeys(place.words for place in places))


def text_digest(text: str) -> str:
    """The sha256 (hex, 64 characters) of a field's text as read (UTF-8): what a Keep is
    given for (TypedKeep.digest)."""
    return hashlib.sha256(text.encode()).hexdigest()


def _text(value) -> Value:
    return Value(value, output_field=CharField())


def _part(queryset, kind: str, owner, field: str, text, link: str = "pk") -> QuerySet:
    """One part of the UNION: rows of (kind, owner's name, field, text, the row's id, the id
    its page is found by), unordered (a part of a UNION may not be ordered). `owner` and
    `text` are expressions or field names, `link` a field name (the row's own id unless
    its page is another row's: a quote's theme)."""
    owner = F(owner) if isinstance(owner, str) else owner
    text = F(text) if isinstance(text, str) else text
    return (
        queryset.annotate(
            t_kind=_text(kind),
            t_owner=owner,
            t_field=_text(field),
            t_text=text,
            t_pk=F("pk"),
            t_link=F(link),
        )
        .values_list("t_kind", "t_owner", "t_field", "t_text", "t_pk", "t_link")
        .order_by()
    )


def _counted_respondents(study: Study):
    return Respondent.objects.filter(study=study, withdrawn_at__isnull=True)


def _counted_interviews(study: Study):
    return Interview.objects.filter(study=study, respondent__withdrawn_at__isnull=True)


def _attributes(study: Study) -> list[QuerySet]:
    # As text: PostgreSQL unites no jsonb with text; read as JSON again in _places.
    rows = _counted_respondents(study).exclude(attributes={})
    return [_part(rows, "attributes", "pseudonym", "", Cast("attributes", TextField()))]


def _interview_titles(study: Study) -> list[QuerySet]:
    rows = _counted_interviews(study).exclude(title="")
    return [_part(rows, "interview", "respondent__pseudonym", "title", "title")]


def _pseudonyms(study: Study) -> list[QuerySet]:
    """The pseudonyms of the counted respondents: every download that names a respondent
    writes hers (a quote's attribution, a row of an excerpt, a column of the matrix, a
    case of the project); a withdrawn respondent's is written nowhere."""
    rows = _counted_respondents(study)
    return [_part(rows, "pseudonym", "pseudonym", "", "pseudonym")]


def _withdrawn(study: Study) -> list[QuerySet]:
    """The withdrawn respondents' pseudonyms, each with one of their transcripts' texts per
    row (or none: a NULL text), what interviews.mentions looks for; no field of a download."""
    rows = Respondent.objects.filter(study=study, withdrawn_at__isnull=False)
    return [_part(rows, "withdrawn", "pseudonym", "", "interviews__text")]


def _others(study: Study) -> list[QuerySet]:
    """The texts whose words are no withdrawn respondent's own, what interviews.mentions
    tells their words from: the counted respondents' transcripts and the protocol's
    questions (asked in every interview); no field of a download."""
    questions = ProtocolQuestion.objects.filter(study=study)
    return [
        _part(_counted_interviews(study), "others", _text(""), "", "text"),
        _part(questions, "others", _text(""), "", "text"),
    ]


# The fields a withdrawn respondent is looked for in: every typed field a download writes
# (a researcher may name someone in any of them: "Second talk (see R4)" as an interview's
# title, the study's description), but for a quote, a counted respondent's own words,
# and a pseudonym, a counted respondent's own name. A withdrawn respondent's own fields
# (their interview's title, their attributes) are in no download (_counted_interviews,
# _counted_respondents): never counted.
_NOT_LOOKED_IN = frozenset({"quote", "pseudonym"})


def _memo_pseudonyms(study: Study) -> list[QuerySet]:
    """The pseudonyms of the counted respondents the memos' .docx names: those of an
    interview with a live memo, or of an excerpt with a memo (their headings)."""
    rows = _counted_respondents(study)
    # One join: a live memo of one of her interviews.
    memos = rows.filter(interviews__memos__isnull=False, interviews__memos__deleted_at=None)
    excerpts = rows.filter(interviews__excerpts__memo__gt="")
    return [
        _part(memos.distinct(), "pseudonym", "pseudonym", "", "pseudonym"),
        _part(excerpts.distinct(), "pseudonym", "pseudonym", "", "pseudonym"),
    ]


def _code_names(study: Study) -> list[QuerySet]:
    return [_part(Code.objects.filter(study=study), "code", "name", "name", "name")]


def _codes(study: Study) -> list[QuerySet]:
    rows = Code.objects.filter(study=study)
    fields = ("definition", "inclusion", "exclusion", "example")
    return _code_names(study) + [
        _part(rows.exclude(**{field: ""}), "code", "name", field, field) for field in fields
    ]


def _theme_names(study: Study) -> list[QuerySet]:
    return [_part(Theme.objects.filter(study=study), "theme", "name", "name", "name")]


def _themes(study: Study) -> list[QuerySet]:
    rows = Theme.objects.filter(study=study).exclude(description="")
    return [*_theme_names(study), _part(rows, "theme", "name", "description", "description")]


def _protocol(study: Study) -> list[QuerySet]:
    rows = ProtocolQuestion.objects.filter(study=study)
    number = Cast("number", CharField())
    return [
        _part(rows, "question", number, "text", "text"),
        _part(rows.exclude(topic=""), "question", number, "topic", "topic"),
    ]


def _quotes(study: Study) -> list[QuerySet]:
    rows = Quote.objects.filter(
        theme__study=study, excerpt__interview__respondent__withdrawn_at__isnull=True
    ).exclude(extract="")
    return [_part(rows, "quote", "theme__name", "extract", "extract", link="theme_id")]


def _excerpt_memos(study: Study) -> list[QuerySet]:
    rows = Excerpt.objects.filter(
        interview__study=study, interview__respondent__withdrawn_at__isnull=True
    ).exclude(memo="")
    pseudonym = "interview__respondent__pseudonym"
    return [_part(rows, "excerpt memo", pseudonym, "memo", "memo", link="interview_id")]


def _memos(study: Study) -> list[QuerySet]:
    """Every live memo the memos' exports write (themes.memos.study_memos, counted only)."""
    live = {"deleted_at__isnull": True}
    interviews = InterviewMemo.objects.filter(
        interview__study=study, interview__respondent__withdrawn_at__isnull=True, **live
    )
    codes = CodeMemo.objects.filter(code__study=study, **live)
    themes = ThemeMemo.objects.filter(theme__study=study, **live)
    return [
        *_excerpt_memos(study),
        _part(JournalEntry.objects.filter(study=study, **live), "journal", _text(""), "", "body"),
        _part(
            interviews,
            "interview memo",
            "interview__respondent__pseudonym",
            "",
            "body",
            link="interview_id",
        ),
        _part(codes, "code memo", "code__name", "", "body", link="code_id"),
        _part(themes, "theme memo", "theme__name", "", "body", link="theme_id"),
    ]


def _memo_targets(study: Study) -> list[QuerySet]:
    """The names of what the live memos are about, their headings in the memos' .docx."""
    # memos__isnull=False in the same filter as the date: the one join, and a code, theme
    # or interview without any memo (NULL through the LEFT JOIN) is no heading.
    live = {"memos__isnull": False, "memos__deleted_at__isnull": True}
    codes = Code.objects.filter(study=study, **live).distinct()
    themes = Theme.objects.filter(study=study, **live).distinct()
    titled = _counted_interviews(study).filter(**live).exclude(title="").distinct()
    return [
        _part(codes, "code", "name", "name", "name"),
        _part(themes, "theme", "name", "name", "name"),
        _part(titled, "interview", "respondent__pseudonym", "title", "title"),
    ]


# What each download writes of the typed fields, besides the study's title (its file name,
# its document's title): read from its exporter (themes.exports, themes.tables,
# themes.exchange.reading). The findings name the codes in their codes-by-question chart
# and describe the respondents' attributes in their method; an excerpt table has a column
# per attribute, the interview, the codes, the themes and the excerpt's memo, and as .xlsx
# a sheet of every memo. Each download that names a respondent writes her pseudonym (the
# codebook names none; the memos' .docx those its headings name).
_EXCERPTS = (
    _pseudonyms,
    _attributes,
    _interview_titles,
    _code_names,
    _theme_names,
    _excerpt_memos,
)
WRITTEN = {
    "findings": (_themes, _pseudonyms, _attributes, _code_names, _protocol, _quotes),
    "codebook": (_codes, _theme_names),
    "memos_docx": (_memos, _memo_targets, _memo_pseudonyms),
    "excerpts_csv": _EXCERPTS,
    "excerpts_xlsx": (*_EXCERPTS[:-1], _memos),
    "matrix_xlsx": (_theme_names, _pseudonyms),
    "qdpx": (_codes, _themes, _pseudonyms, _attributes, _interview_titles, _protocol, _memos),
    # The codebook as REFI-QDA (.qdc): each code with its texts, each theme as a Set with
    # its description (themes.exchange.codebook).
    "qdc": (_codes, _themes),
}
# The study's own fields each download writes (no query: the study is read already).
_STUDY_FIELDS = {
    "findings": ("title", "research_question"),
    # The project's description holds the study's research question and description.
    "qdpx": ("title", "research_question", "description"),
}
# Each download of WRITTEN as its button names it (themes.html), in that order; the
# Excerpts page's files are the coded excerpts' table too ("excerpts_csv", "excerpts_xlsx").
DOWNLOAD_NAMES = {
    "findings": "Findings (.docx)",
    "codebook": "Codebook (.docx)",
    "excerpts_csv": "Coded excerpts (.csv, and the Excerpts page's)",
    "excerpts_xlsx": "Coded excerpts (.xlsx, and the Excerpts page's)",
    "matrix_xlsx": "Themes by respondent (.xlsx)",
    "memos_docx": "Memos (.docx)",
    "qdpx": "REFI-QDA project (.qdpx)",
    "qdc": "Codebook (.qdc)",
}


# How a refusal names a typed field, by kind: {owner} is what it belongs to, {field} its
# field (an attribute's name). The fields of codes and themes are named by _where.
_PLACES = {
    "attributes": "{owner}'s attribute “{field}”",
    "pseudonym": "the pseudonym “{owner}”",
    "schema": "the attribute name “{owner}”",
    "question": "protocol question {owner}'s {field}",
    "quote": "a quote chosen for the theme “{owner}”",
    "excerpt memo": "the memo on an excerpt of {owner}",
    "interview": "the title of an interview of {owner}",
    "journal": "a journal entry",
    "interview memo": "a memo on an interview of {owner}",
    "code memo": "a memo on the code “{owner}”",
    "theme memo": "a memo on the theme “{owner}”",
}
_FIELD_NAMES = {
    "research_question": "research question",
    "inclusion": "“use when”",
    "exclusion": "“do not use when”",
}


def _where(kind: str, owner: str, field: str) -> str:
    """A typed field in the researcher's words: "the theme “Stress”'s description"."""
    if kind in _PLACES:
        return _PLACES[kind].format(owner=isolated(owner), field=isolated(field))
    named = _FIELD_NAMES.get(field, field)
    if kind == "study":
        return f"the study's {named}"
    return f"the {kind} “{isolated(owner)}”'s {named}"


def typed_places(study: Study, what: str, listed: Listed) -> list[TypedPlace]:
    """Where the fields the researcher typed that the download `what` (a key of WRITTEN)
    writes hold a form of `listed.identifiers` (the study's list), matched as the
    transcripts are (interviews.deidentify.Matcher: whole words, case-folded, any run of
    white space for a space), or name a withdrawn respondent or quote
    their words (interviews.mentions, when `listed.withdrew`), leaving out those the
    researcher kept (unkept). `listed` is not empty (interviews.deidentify.study_listed).
    One query, whatever the number of fields and rows; one more when some field holds
    one."""
    places = _found(study, WRITTEN[what], _STUDY_FIELDS.get(what, ("title",)), listed)
    return unkept(study, places)


def unkept(study: Study, places: Sequence[TypedPlace]) -> list[TypedPlace]:
    """`places` less those kept (a TypedKeep of their field holds their string, and was
    given for the text the field holds now), in their order. One query when `places` is
    not empty (the study's kept fields), none when it is."""
    if not places:
        return []
    kept = _kept(study)
    return [place for place in places if not _is_kept(place, kept)]


def _kept(study: Study) -> dict[tuple[str, int, str], TypedKeep]:
    """The study's kept fields by TypedPlace.field. One query."""
    return {(k.kind, k.row, k.field): k for k in TypedKeep.objects.filter(study=study)}


def _is_kept(place: TypedPlace, kept: dict[tuple[str, int, str], TypedKeep]) -> bool:
    keep = kept.get(place.field)
    # An edit of the field, or a string listed since that it holds, asks again.
    return (
        bool(keep)
        and keep.digest == place.digest
        and kept_word(place.words, place.withdrawn) in keep.words
    )


def study_typed_places(study: Study, listed: Listed) -> list[TypedPlace]:
    """typed_places over every download (each field WRITTEN by any of them), each place
    once, in the order of the UNION's parts, its `refuses` every download that writes its
    field. One query."""
    sources = list(dict.fromkeys(source for written in WRITTEN.values() for source in written))
    fields = dict.fromkeys(["title", *(f for named in _STUDY_FIELDS.values() for f in named)])
    found = _found(study, sources, tuple(fields), listed)
    # A field more than one source reads (a code's name: the codebook's, the excerpts'
    # tables', the memos' headings') gives the same place once per source: it is listed
    # once, refusing what every one of those sources' downloads writes.
    once: dict[tuple, TypedPlace] = {}
    for place in found:
        key = _same(place)
        if key in once:
            place = replace(once[key], refuses=once[key].refuses | place.refuses)
        once[key] = place
    return list(once.values())


def _same(place: TypedPlace) -> tuple:
    """What makes two places one, whichever source found them."""
    return (
        place.where,
        place.words,
        place.identifier_id,
        place.field,
        place.link,
        place.withdrawn,
    )


def _writing(source) -> frozenset[str]:
    """The downloads (keys of WRITTEN) that write what `source` reads."""
    return frozenset(what for what, written in WRITTEN.items() if source in written)


def _found(study: Study, sources, study_fields, listed: Listed) -> list[TypedPlace]:
    matcher = deidentify.matcher_of(listed.identifiers)
    rows = [
        ("study", "", field, getattr(study, field), study.pk, 0, field) for field in study_fields
    ]
    if _attributes in sources:
        rows += [
            ("schema", name, name, name, study.pk, 0, _attributes)
            for name in study.attribute_names
        ]
    # Each part says which of `sources` it is, so that a place knows what writes it.
    # Read in the same query, only when someone withdrew: what they are found by, and what
    # tells their words from others'.
    sources = [*sources, _withdrawn, _others] if listed.withdrew else sources
    parts = [
        part.annotate(t_source=Value(n, output_field=IntegerField()))
        for n, source in enumerate(sources)
        for part in source(study)
    ]
    rows += [(*row[:-1], sources[row[-1]]) for row in parts[0].union(*parts[1:], all=True)]
    withdrawn: dict[str, list[str]] = {}
    others = []
    for kind, owner, _field, text, *_rest in rows:
        if kind == "withdrawn":
            withdrawn.setdefault(owner, []).extend([text] if text else [])
        elif kind == "others":
            others.append(text)
    mentions = WithdrawnMatcher(withdrawn, others)
    places = []
    for kind, owner, field, text, pk, link, source in rows:
        if kind in ("withdrawn", "others"):
            continue
        if kind == "study":
            refuses = frozenset(
                what for what in WRITTEN if source in _STUDY_FIELDS.get(what, ("title",))
            )
        else:
            refuses = _writing(source)
        if kind == "attributes":
            fields = [(name, str(value)) for name, value in json.loads(text).items()]
        else:
            fields = [(field, text)]
        for field_name, words in fields:
            found = [(*span, "") for span in matcher.find(words or "")]
            if withdrawn and kind not in _NOT_LOOKED_IN:
                found += [(m.start, m.end, 0, m.pseudonym) for m in mentions.find(words or "")]
            digest = text_digest(words or "") if found else ""
            for start, end, identifier_id, whose in found:
                where = _where(kind, owner or "", field_name)
                key = (kind, pk, field_name)
                places.append(
                    TypedPlace(
                        where, words[start:end], identifier_id, key, link, digest, refuses, whose
                    )
                )
    return places


@dataclass(frozen=True)
class TypedField:
    """A field of typed_places for the de-identification page: `where` (TypedPlace.where),
    `words` the listed strings it holds as typed there (each once, in text order; for a
    field waiting, those not kept), `url` the page where it is read and edited; `field`
    and `digest` what a Keep posts (TypedPlace's) to `keep_url`, `kept` the id of its
    TypedKeep when it is kept (0 when it waits) and `undo_url` where its Keep is undone;
    `withdrawn` the withdrawn respondents it names or quotes and `listed` whether it holds
    a listed string (of what waits in it; of what it holds, once kept);
    `refuses` the downloads that write it, by their buttons' names (DOWNLOAD_NAMES, in
    that order): those it refuses while it waits."""

    where: str
    words: tuple[str, ...]
    url: str
    field: tuple[str, int, str] = ("", 0, "")
    digest: str = ""
    kept: int = 0
    keep_url: str = ""
    undo_url: str = ""
    refuses: tuple[str, ...] = ()
    # The withdrawn respondents it names or quotes (TypedPlace.withdrawn), each once.
    withdrawn: tuple[str, ...] = ()
    # The ids of the list's entries it holds, kept or not (TypedPlace.identifier_id), each
    # once: the preview counts the places that hold each listed string.
    identifiers: tuple[int, ...] = ()
    listed: bool = False


def typed_fields(study: Study, listed: Listed, *, can_write: bool = False) -> list[TypedField]:
    """Every field the researcher typed that some download writes and that holds a listed
    string (study_typed_places), once each with its page, kept or not: what the
    de-identification page lists (interviews.deidentify.TYPED_PLACES). For a member who
    `can_write`, the page is the field's form where it has one of its own (_EDITED). Two
    queries (the fields, the kept ones), one when none holds a listed string; none when
    `listed` is empty (no list, no respondent withdrawn: interviews.deidentify.study_listed).
    A field that names a withdrawn respondent or quotes them is one of them too."""
    if not listed:
        return []
    fields = by_field(study_typed_places(study, listed))
    kept = _kept(study) if fields else {}
    keep_url = reverse("typed_keep", args=[study.slug])
    listed = []
    for key, places in fields.items():
        waiting = [place for place in places if not _is_kept(place, kept)]
        first = places[0]
        keep = 0 if waiting else kept[key].pk
        listed.append(
            TypedField(
                first.where,
                strings_of(waiting or places),
                _page_url(study.slug, key, first.link, can_write=can_write),
                key,
                first.digest,
                keep,
                keep_url,
                reverse("typed_keep_undo", args=[study.slug, keep]) if keep else "",
                tuple(
                    name
                    for what, name in DOWNLOAD_NAMES.items()
                    if any(what in place.refuses for place in places)
                ),
                tuple(dict.fromkeys(p.withdrawn for p in waiting or places if p.withdrawn)),
                tuple(dict.fromkeys(p.identifier_id for p in places if p.identifier_id)),
                any(not place.withdrawn for place in waiting or places),
            )
        )
    return listed


# The page where each kind of field is read, as (URL name, its arguments after the study's
# slug: "pk" the row's id, "link" the id TypedPlace.link holds, or a string, and the
# fragment naming the row on the page, if any). Pages every member reads: a reviewer
# follows the link too, and sees there what her role allows. The memos, a quote's words,
# an interview's title and the study's fields are edited there.
_PAGES = {
    "study": ("study_settings", (), ""),
    "schema": ("respondents", (), ""),
    "attributes": ("respondents", (), "respondent-{pk}"),
    "pseudonym": ("respondents", (), "respondent-{pk}"),
    "question": ("protocol", (), "question-{pk}"),
    "code": ("codebook", (), "code-{pk}"),
    "theme": ("theme_detail", ("pk",), ""),
    "quote": ("theme_detail", ("link",), ""),
    "interview": ("interview_edit", ("pk",), ""),
    "excerpt memo": ("interview_code", ("link",), "ex-{pk}"),
    "journal": ("journal", (), ""),
    "interview memo": ("memo_panel", ("interview", "link"), ""),
    "code memo": ("memo_panel", ("code", "link"), ""),
    "theme memo": ("memo_panel", ("theme", "link"), ""),
}
# The forms of the fields that have one of their own, for those who may write them (a
# theme's name and description are edited from the themes' list, not the theme's page).
_EDITED = {
    "attributes": ("respondent_edit", ("pk",), ""),
    "pseudonym": ("respondent_edit", ("pk",), ""),
    "question": ("question_edit", ("pk",), ""),
    "code": ("code_edit", ("pk",), ""),
    "theme": ("theme_edit", ("pk",), ""),
}


def _page_url(slug: str, field: tuple[str, int, str], link: int, *, can_write: bool) -> str:
    kind, pk = field[0], field[1]
    name, arguments, fragment = (_EDITED if can_write else {}).get(kind) or _PAGES[kind]
    values = {"pk": pk, "link": link}
    url = reverse(name, args=[slug, *(values.get(a, a) for a in arguments)])
    return url + ("#" + fragment.format(pk=pk) if fragment else "")


def typed_refusal(places: Sequence[TypedPlace], *, owner_may_override: bool = False) -> str:
    """What the researcher reads when `places` (not empty) hold listed strings or name or
    quote a withdrawn respondent: the first three fields named, each once with its strings
    (a withdrawn respondent's said as theirs), and how many more fields (a place is a field:
    by_field)."""
    fields = list(by_field(places).values())
    shown = [
        f"{found[0].where[0].upper()}{found[0].where[1:]} holds "
        + ", ".join(_string_said(words, found) for words in strings_of(found))
        for found in fields[:3]
    ]
    more = len(fields) - len(shown)
    one_string = len(fields) == 1 and len(strings_of(fields[0])) == 1
    withdrawn = {place.withdrawn for place in places}
    if "" not in withdrawn:
        # Only a withdrawn respondent's pseudonym or words: the list has nothing to do with it.
        tail = ". A withdrawn respondent appears nowhere: " + (
            "change it, or keep it on the de-identification page if it tells nothing of them."
            if len(fields) == 1
            else "change them, or keep on the de-identification page those that tell "
            "nothing of them."
        )
    else:
        tail = (
            ", a string on the study's de-identification list. "
            if one_string
            else ", strings on the study's de-identification list. "
            if len(withdrawn) == 1
            else ", strings on the study's de-identification list or a withdrawn respondent's. "
        ) + ("Change it." if len(fields) == 1 else "Change them.")
    message = (
        "Not exported: " + "; ".join(shown)
        + (f"; and {more:,} more place{'s' if more > 1 else ''} in what was typed" if more else "")
        + tail
    )  # fmt: skip
    if owner_may_override:
        return message[:-1] + ", or (owners only) tick “include text that is not de-identified”."
    return message


def _string_said(words: str, places: Sequence[TypedPlace]) -> str:
    """`words` (a string some of `places` hold) as a refusal says it: quoted, and for a
    withdrawn respondent's pseudonym or words, whose."""
    whose = next((place.withdrawn for place in places if place.words == words), "")
    said = f"“{isolated(words)}”"
    if not whose:
        return said
    if words == whose:
        return f"{said} (withdrawn)"
    return f"{said} (words of {isolated(whose)}, withdrawn)"
