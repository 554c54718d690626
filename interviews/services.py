"""Writes to studies, protocols, respondents and interviews.

Views, management commands and tests all change data through these functions.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext

from core.bidi import isolated
from core.errors import Conflict
from core.naming import find_by_name, name_key, tidy
from core.sanitise import typed_text
from core.stale import fields_text, saved_meanwhile

from . import consent, deidentify, history, segmentation, sql
from .importers import ReadText, TooLarge, check_transcript_limits, read_transcript
from .locks import hold
from .mentions import KEPT
from .models import (
    Identifier,
    IdentifierSkip,
    Interview,
    Invitation,
    Membership,
    Memo,
    PageSize,
    ProtocolQuestion,
    QuestionSegment,
    Respondent,
    Role,
    StagedFile,
    Study,
    TypedKeep,
    interview_details,
    respondent_typed,
)
from .revisions import study_revision_bump, study_revision_keep
from .text import ImportRejected, normalise
from .textdiff import OffsetMap
from .turns import find_turns, turns_from_json

User = get_user_model()
logger = logging.getLogger(__name__)

ATTRIBUTE_TYPES = ("text", "number")

# A keyword left out of an update: the field keeps its value (None clears it).
_KEEP = object()


# Studies and members ---------------------------------------------------------------------


@transaction.atomic
def study_create(
    *,
    title: str,
    owner,
    research_question: str = "",
    description: str = "",
    slug: str = "",
    page_size: str = "",
    withdrawal_days: int | None = None,
) -> Study:
    """A new study with `owner` as its first member, at the address `slug`, or else at one
    made from the title (the next free one: "peer-support-2"); `page_size` a PageSize, ""
    for US Letter; `withdrawal_days` the days after an interview a respondent may withdraw
    (None: no window promised).

    Raises ValidationError for an empty title or a chosen address that is taken.
    """
    # A title is a name: stored as names are, without the invisible characters (tidy).
    title = tidy(title)
    if not title:
        raise ValidationError("A study needs a title.")
    chosen = slug
    for _ in range(_SLUG_TRIES):
        slug = chosen or _free_slug(title)
        if chosen and Study.objects.filter(slug=slug).exists():
            raise ValidationError(f"The address “{slug}” is taken by another study.")
        study = Study(
            title=title,
            slug=slug,
            research_question=research_question,
            description=description,
            page_size=page_size or PageSize.LETTER,
            withdrawal_days=withdrawal_days,
        )
        # The address's uniqueness is the constraint's to decide, at the save below.
        study.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                study.save()
        except IntegrityError:
            # Another study took the address between the check and the save: a chosen
            # address is refused; a made-up one is made up again.
            if chosen:
                raise ValidationError(f"The address “{slug}” is taken by another study.") from None
            continue
        Membership.objects.create(study=study, user=owner, role=Role.OWNER)
        return study
    raise ValidationError("Too many studies are being made at once; try again.")


# Studies made at the same moment with the same title each try the next free address; after
# this many tries in a row the user is asked to try again.
_SLUG_TRIES = 20


def _free_slug(title: str) -> str:
    base = slugify(title)[:50] or "study"
    slug, n = base, 1
    while Study.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


STUDY_MEANWHILE = (
    "The study's details were saved meanwhile, in another tab or window; nothing was saved."
)


def study_update(
    *,
    study: Study,
    title: str,
    research_question: str,
    description: str,
    page_size: str = "",
    withdrawal_days: int | object | None = _KEEP,
    seen: str = "",
) -> Study:
    """Save a study's details; `page_size` a PageSize, or "" to keep the study's;
    `withdrawal_days` the days after an interview a respondent may withdraw, None for no
    window, left out to keep the study's. Raises ValidationError for a blank title, and
    Conflict (nothing saved) when the title, research question or description were saved
    since the settings form was drawn: `seen` is Study.seen as that form showed it
    (core.stale; "" checks nothing)."""
    title = tidy(title)
    if not title:
        raise ValidationError("A study needs a title.")
    typed = fields_text(title, research_question, description)
    if saved_meanwhile(study.typed, seen=seen, typed=typed):
        raise Conflict(STUDY_MEANWHILE)
    if page_size and page_size not in PageSize.values:
        raise ValidationError(f"Unknown paper size “{page_size}”.")
    study.title = title
    study.research_question = research_question
    study.description = description
    study.page_size = page_size or study.page_size
    if withdrawal_days is not _KEEP:
        study.withdrawal_days = withdrawal_days
    study.save(
        update_fields=["title", "research_question", "description", "page_size", "withdrawal_days"]
    )
    return study


def membership_set(*, study: Study, username: str, role: str) -> Membership:
    """Add a user to the study, or change their role."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role “{role}”.")
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise ValidationError(f"There is no user called “{username.strip()}”.")
    with transaction.atomic():
        # Role changes queue on the study, so that two owners stepping down at once cannot
        # leave it without one.
        hold(Study, study.pk)
        membership, created = Membership.objects.get_or_create(
            study=study, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            _keep_an_owner(study, membership, role)
            membership.role = role
            membership.save(update_fields=["role"])
    return membership


def member_add(*, study: Study, username: str, role: str, invited_by) -> None:
    """What an owner's "Add a member" does: change the role of a member, or invite anyone
    else; a name without an account is silently ignored, so that the form's answer never
    tells who has an account. Raises ValidationError for an unknown role or for taking the
    study's last owner away."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role “{role}”.")
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        return
    if study.memberships.filter(user=user).exists():
        membership_set(study=study, username=user.username, role=role)
        return
    Invitation.objects.update_or_create(
        study=study, user=user, defaults={"role": role, "invited_by": invited_by}
    )


def invitation_accept(*, invitation: Invitation) -> Membership:
    """The invited user joins the study with the invitation's role; the invitation is used
    up. Accepting twice (two tabs) gives one membership."""
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(
            study=invitation.study, user=invitation.user, defaults={"role": invitation.role}
        )
        invitation.delete()
    return membership


def invitation_decline(*, invitation: Invitation) -> None:
    invitation.delete()


def membership_remove(*, membership: Membership) -> None:
    with transaction.atomic():
        hold(Study, membership.study_id)
        fresh = Membership.objects.filter(pk=membership.pk).first()
        if fresh is None:
            return  # removed by someone else meanwhile
        _keep_an_owner(membership.study, fresh, None)
        fresh.delete()


def _keep_an_owner(study: Study, membership: Membership, new_role: str | None) -> None:
    if membership.role == Role.OWNER and new_role != Role.OWNER:
        owners = study.memberships.filter(role=Role.OWNER).count()
        if owners <= 1:
            raise ValidationError("A study must keep at least one owner.")


# Protocol ---------------------------------------------------------------------------------


def question_key(text: str) -> str:
    """The key under which two protocol questions (str) ask the same (str): they are
    compared as names are (core.naming.name_key: case, spacing and look-alike letters
    aside). A protocol asks each question once: an import finds where each is asked in a
    transcript, and counts them. Typed questions and imported protocols both use it."""
    return name_key(text)


def _question_asked(study_id: int, text: str, *, other_than: int | None = None) -> None:
    """Raise ValidationError if a question of the study (but `other_than`, a question id)
    asks `text` already (question_key). Reads the study's questions' texts."""
    key = question_key(text)
    questions = ProtocolQuestion.objects.filter(study_id=study_id).exclude(pk=other_than)
    for number, asked in questions.values_list("number", "text"):
        if question_key(asked) == key:
            raise ValidationError(
                f"Q{number} already asks this question: the protocol asks each question once."
            )


def question_add(*, study: Study, text: str, topic: str = "") -> ProtocolQuestion:
    """Add `text` as the protocol's last question, with `topic`, and return it. Raises
    ValidationError if `text` is blank (or only invisible characters) or the protocol asks
    it already."""
    text = text.strip()
    if not question_key(text):
        # Blank, or only characters that show as nothing (a zero-width space).
        raise ValidationError("A question needs its text.")
    with transaction.atomic():
        # Questions added at the same moment take the next numbers one after another, and
        # the same question added twice at once is refused once.
        hold(Study, study.pk)
        _question_asked(study.pk, text)
        study_revision_bump(study.pk)
        last = study.questions.aggregate(last=Max("number"))["last"] or 0
        return ProtocolQuestion.objects.create(
            study=study, number=last + 1, text=text, topic=topic.strip()
        )


QUESTION_MEANWHILE = (
    "This question was saved meanwhile, in another tab or window; nothing was saved."
)


def question_update(
    *, question: ProtocolQuestion, text: str, topic: str = "", seen: str = ""
) -> None:
    """Save `question` with `text` and `topic`. Raises ValidationError if `text` is blank
    (or only invisible characters) or another question of the protocol asks it already,
    and Conflict (nothing saved) when the question was saved since its edit form was
    drawn: `seen` is the token of the question that form showed (ProtocolQuestion.seen,
    core.stale; "" checks nothing)."""
    if not question_key(text):
        raise ValidationError("A question needs its text.")
    typed = fields_text(text.strip(), topic.strip())
    if saved_meanwhile(question.typed, seen=seen, typed=typed):
        raise Conflict(QUESTION_MEANWHILE)
    if (question.text, question.topic) == (text.strip(), topic.strip()):
        return  # Saved as it was: nothing to write, and the study's revision stays.
    with transaction.atomic():
        if question_key(text) != question_key(question.text):
            # Only a new wording is checked: a protocol that has two questions alike from
            # before can still have their topics edited.
            hold(Study, question.study_id)
            _question_asked(question.study_id, text, other_than=question.pk)
        question.text = text.strip()
        question.topic = topic.strip()
        study_revision_bump(question.study_id)
        question.save(update_fields=["text", "topic"])


@transaction.atomic
def questions_reorder(*, study: Study, order: Sequence[int]) -> None:
    """Renumber the protocol so that question ids in `order` become Q1, Q2, ..."""
    hold(Study, study.pk)
    study_revision_bump(study.pk)
    questions = {q.pk: q for q in study.questions.all()}
    if sorted(order) != sorted(questions):
        raise ValidationError("The new order must list every question of the protocol once.")
    if all(questions[pk].number == number for number, pk in enumerate(order, start=1)):
        # Numbered so already (dropped where it was): nothing changes. After a deletion the
        # numbers have a gap, and are renumbered below.
        study_revision_keep()
        return
    # Move everything out of the way first: (study, number) is unique at every step.
    offset = len(questions) + 1000
    study.questions.update(number=F("number") + offset)
    for number, pk in enumerate(order, start=1):
        ProtocolQuestion.objects.filter(pk=pk).update(number=number)


@transaction.atomic
def question_move(*, question: ProtocolQuestion, delta: int) -> None:
    """Move a question up (-1) or down (+1) in the protocol (nothing if it is gone)."""
    # The protocol is read under the study's lock, as the renumbering will see it.
    hold(Study, question.study_id)
    ids = list(question.study.questions.values_list("pk", flat=True))
    if question.pk not in ids:
        return
    index = ids.index(question.pk)
    target = index + delta
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        questions_reorder(study=question.study, order=ids)


@transaction.atomic
def question_delete(*, question: ProtocolQuestion) -> None:
    study = question.study
    hold(Study, study.pk)
    study_revision_bump(study.pk)
    ProtocolQuestion.objects.filter(pk=question.pk).delete()
    questions_reorder(study=study, order=list(study.questions.values_list("pk", flat=True)))


# Respondents and their attributes -------------------------------------------------------


def _reread_schema(study: Study) -> None:
    """Inside a transaction: read the study's attribute list afresh and hold it, so that an
    attribute added or removed at the same moment is not written over."""
    hold(Study, study.pk)
    study.attribute_schema = Study.objects.values_list("attribute_schema", flat=True).get(
        pk=study.pk
    )


def attribute_add(*, study: Study, name: str, kind: str = "text") -> None:
    """Record a new respondent attribute; ValidationError if its name is empty or the same
    name (see naming.name_key) as one the study records."""
    name = tidy(name)
    if not name:
        raise ValidationError("An attribute needs a name.")
    if kind not in ATTRIBUTE_TYPES:
        raise ValidationError("An attribute is text or a number.")
    with transaction.atomic():
        # The list lives in the study's row: read it under a lock (a row lock on
        # PostgreSQL, the IMMEDIATE transaction on SQLite), so that two requests adding
        # look-alike names cannot both pass the check, nor one undo the other's addition.
        schema = (
            Study.objects.select_for_update()
            .values_list("attribute_schema", flat=True)
            .get(pk=study.pk)
        )
        existing = {name_key(attribute["name"]): attribute["name"] for attribute in schema}
        if name_key(name) in existing:
            raise ValidationError(f"This study already records “{existing[name_key(name)]}”.")
        study.attribute_schema = [*schema, {"name": name, "type": kind}]
        study.save(update_fields=["attribute_schema"])


@transaction.atomic
def attribute_remove(*, study: Study, name: str) -> None:
    """Stop recording the attribute `name` (its exact name): it leaves the study's list and
    every respondent's values. Removing one the study does not record, or that no
    respondent has a value for, changes nothing the roll-up reads: the study's revision
    stays (the list itself is not under it: attribute_add does not move it either)."""
    _reread_schema(study)
    # The study's row is held already (the same row the bump locks): reading who has the
    # attribute before deciding to bump keeps every writer's lock order.
    holders = list(study.respondents.filter(attributes__has_key=name))
    if holders:
        study_revision_bump(study.pk)
    schema = [a for a in study.attribute_schema if a["name"] != name]
    if schema != study.attribute_schema:
        study.attribute_schema = schema
        study.save(update_fields=["attribute_schema"])
    for respondent in holders:
        del respondent.attributes[name]
        respondent.save(update_fields=["attributes"])


def clean_attributes(study: Study, values: dict[str, str]) -> dict:
    """Keep the study's attributes only, numbers as numbers; blank values are left out."""
    cleaned, errors = {}, []
    for attribute in study.attribute_schema:
        name = attribute["name"]
        raw = typed_text(str(values.get(name, ""))).strip()
        if not raw:
            continue
        if attribute["type"] == "number":
            try:
                number = float(raw.replace(",", "."))
            except ValueError:
                number = math.nan
            # "nan" and "1e999" parse, but no database stores them in JSON.
            if not math.isfinite(number):
                errors.append(f"“{name}” must be a number, not “{raw}”.")
                continue
            cleaned[name] = int(number) if number.is_integer() else number
        else:
            cleaned[name] = raw
    if errors:
        raise ValidationError(errors)
    return cleaned


def _pseudonym_shape(pseudonym: str) -> str:
    """`pseudonym` tidied; ValidationError when empty or over 40 code points."""
    pseudonym = tidy(pseudonym)
    if not pseudonym:
        raise ValidationError("A respondent needs a pseudonym.")
    if len(pseudonym) > 40:
        raise ValidationError("A pseudonym has at most 40 characters.")
    return pseudonym


def _check_pseudonym(study: Study, pseudonym: str, exclude: int | None = None) -> str:
    pseudonym = _pseudonym_shape(pseudonym)
    if find_by_name(study.respondents.exclude(pk=exclude), pseudonym, field="pseudonym"):
        raise _pseudonym_taken(pseudonym)
    return pseudonym


def _pseudonym_taken(pseudonym: str) -> ValidationError:
    return ValidationError(f"This study already has a respondent called “{pseudonym}”.")


def respondent_create(
    *,
    study: Study,
    pseudonym: str,
    attributes: dict | None = None,
    interviewed_on: date | None = None,
) -> Respondent:
    """A new respondent; `interviewed_on` opens their withdrawal window (interviews.consent).

    Raises ValidationError for an empty or taken pseudonym or an attribute value that is not
    of its kind.
    """
    pseudonym = _check_pseudonym(study, pseudonym)
    try:
        with transaction.atomic():
            study_revision_bump(study.pk)
            return Respondent.objects.create(
                study=study,
                pseudonym=pseudonym,
                attributes=clean_attributes(study, attributes or {}),
                interviewed_on=interviewed_on,
            )
    except IntegrityError:
        # Two requests racing for the same pseudonym: the constraint decides.
        raise _pseudonym_taken(pseudonym) from None


RESPONDENT_MEANWHILE = (
    "This respondent's row was saved meanwhile, in another tab or window; nothing was saved."
)


def respondent_update(
    *,
    respondent: Respondent,
    pseudonym: str,
    attributes: dict,
    interviewed_on: date | object | None = _KEEP,
    seen: str = "",
) -> Respondent:
    """Save a respondent's row; `interviewed_on` a date, None to clear it, or left out to keep
    it. Raises ValidationError as respondent_create does, and Conflict (nothing saved) when
    the row was saved since its edit form was drawn: `seen` is Respondent.seen as that form
    showed it (core.stale; "" checks nothing)."""
    study = respondent.study
    pseudonym = _check_pseudonym(study, pseudonym, exclude=respondent.pk)
    attributes = clean_attributes(study, attributes)
    day = respondent.interviewed_on if interviewed_on is _KEEP else interviewed_on
    typed = respondent_typed(pseudonym, attributes, day)
    if saved_meanwhile(respondent.row_text, seen=seen, typed=typed):
        raise Conflict(RESPONDENT_MEANWHILE)
    kept = interviewed_on is _KEEP or interviewed_on == respondent.interviewed_on
    if kept and (pseudonym, attributes) == (respondent.pseudonym, respondent.attributes):
        return respondent  # Saved as it was: nothing to write, the study's revision stays.
    respondent.pseudonym = pseudonym
    respondent.attributes = attributes
    fields = ["pseudonym", "pseudonym_key", "pseudonym_order", "attributes"]
    if interviewed_on is not _KEEP:
        respondent.interviewed_on = interviewed_on
        fields.append("interviewed_on")
    try:
        with transaction.atomic():
            study_revision_bump(study.pk)
            respondent.save(update_fields=fields)
    except IntegrityError:
        raise _pseudonym_taken(respondent.pseudonym) from None
    return respondent


def respondent_withdraw(*, respondent: Respondent) -> None:
    """Mark a respondent withdrawn: their data then counts nowhere and leaves in no export."""
    if respondent.withdrawn_at is None:
        respondent.withdrawn_at = timezone.now()
        with transaction.atomic():
            study_revision_bump(respondent.study_id)
            respondent.save(update_fields=["withdrawn_at"])


@transaction.atomic
def respondent_reinstate(*, respondent: Respondent) -> None:
    """Count a withdrawn respondent again (nothing changes for one who is not withdrawn)."""
    study_revision_bump(respondent.study_id)
    if not Respondent.objects.filter(pk=respondent.pk, withdrawn_at__isnull=False).exists():
        study_revision_keep()  # Not withdrawn (reinstated in another tab): nothing changes.
        return
    respondent.withdrawn_at = None
    respondent.save(update_fields=["withdrawn_at"])


@transaction.atomic
def interview_delete(*, interview: Interview) -> None:
    """Delete an interview with everything coded in it (its excerpts, their codings and
    quotes go with it)."""
    study_revision_bump(interview.study_id)
    interview.delete()


@transaction.atomic
def respondent_delete(*, respondent: Respondent) -> None:
    """Erase a respondent with their transcripts and everything coded in them."""
    study_revision_bump(respondent.study_id)
    respondent.delete()


# Importing transcripts ------------------------------------------------------------------

# The leading pseudonym of a file name: "R3-interview.docx", "R3_followup.txt", "R3 2.txt".
_LEADING_NAME = re.compile(r"^([^\W_]+)")
# What a pseudonym looks like: a few letters and a number ("R3", "P07", "Resp12"). A word
# alone is never taken for one: it may be a participant's real first name, or "interview".
_CODE_PSEUDONYM = re.compile(r"^([^\W\d_]{1,6})(\d{1,4})$")


@dataclass
class ImportOutcome:
    """What became of one file of an import batch, in words for the user."""

    name: str
    interview: Interview | None = None
    error: str = ""
    created_respondent: bool = False
    questions_found: int = 0
    questions_total: int = 0
    duplicate: bool = False
    # What the researcher should check in an imported file (tracked changes found, say).
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.interview is not None

    def _spelled_otherwise(self) -> str:
        """ " (its file's name says “r2”)" when the file joined an existing respondent whose
        pseudonym its name spells otherwise (R2): respondents are matched whatever the case
        (guess_among), and the researcher should not learn it only from the respondent's
        list."""
        named = unicodedata.normalize("NFC", pseudonym_from_filename(self.name))
        pseudonym = unicodedata.normalize("NFC", self.interview.respondent.pseudonym)
        if named and named != pseudonym and name_key(named) == name_key(pseudonym):
            return f" (an existing respondent; its file's name says “{isolated(named)}”)"
        return ""

    @property
    def message(self) -> str:
        """The outcome in one line, led by the file's name ("R1.txt: imported for R1, …"),
        the respondent's pseudonym marked with core.bidi.isolated: the import page shows it
        through the `bdi_led` filter, a command prints it through core.bidi.plain."""
        if self.duplicate:
            return f"{self.name}: skipped: {self.error}."
        if not self.ok:
            return f"{self.name}: refused: {self.error}."
        interview = self.interview
        parts = [
            f"{self.name}: imported for {isolated(interview.respondent.pseudonym)}"
            + (" (new respondent)" if self.created_respondent else self._spelled_otherwise()),
            ngettext("%(n)s word", "%(n)s words", interview.word_count)
            % {"n": f"{interview.word_count:,}"},
            ngettext("%(n)d speaker turn", "%(n)d speaker turns", len(interview.turns))
            % {"n": len(interview.turns)},
        ]
        if self.questions_total:
            parts.append(
                ngettext(
                    "%(found)d of %(total)d protocol question found",
                    "%(found)d of %(total)d protocol questions found",
                    self.questions_total,
                )
                % {"found": self.questions_found, "total": self.questions_total}
            )
        return ", ".join(parts) + "".join(f"; {warning}" for warning in self.warnings) + "."


@dataclass(frozen=True)
class RespondentGuess:
    """Who a file's name says it belongs to.

    `respondent` is an existing respondent of the study; else `pseudonym` is a new one that
    looks like the study's pseudonyms (to be confirmed before it is created); else both are
    empty and `reason` says why the researcher must choose.
    """

    respondent: Respondent | None = None
    pseudonym: str = ""
    reason: str = ""


def pseudonym_from_filename(name: str) -> str:
    # In NFC first: macOS gives file names decomposed, where "É" is "E" + an accent.
    match = _LEADING_NAME.match(tidy(PurePath(name).stem))
    return match[1] if match else ""


def respondent_guess(*, study: Study, name: str) -> RespondentGuess:
    """Read a file name for its respondent (one query): an existing pseudonym, a proposed
    new one shaped like the study's ("R3" where the study has R1 and R2, or any letters and a
    number in a study without respondents), or nothing with the reason."""
    return guess_among(study, name, list(study.respondents.values_list("pk", "pseudonym")))


# guess_among keys every pseudonym of the study for each file of an upload: each once.
_pseudonym_key = functools.lru_cache(maxsize=4096)(name_key)


def guess_among(study: Study, name: str, pseudonyms: list[tuple[int, str]]) -> RespondentGuess:
    """respondent_guess among `pseudonyms`, (id, pseudonym) of the study's respondents, read
    once for many files (no query)."""
    token = pseudonym_from_filename(name)
    # The key the import matches a pseudonym by (ImportContext.by_pseudonym): a full-width
    # "Ｒ１" in a file's name is R1, not a name to ask about.
    key = name_key(token)
    for pk, pseudonym in pseudonyms:
        if key and _pseudonym_key(pseudonym) == key:
            return RespondentGuess(respondent=Respondent(pk=pk, study=study, pseudonym=pseudonym))
    shape = _CODE_PSEUDONYM.match(token)
    prefixes = {
        m[1].casefold() for _, p in pseudonyms if (m := _CODE_PSEUDONYM.match(p)) is not None
    }
    if shape and (not pseudonyms or shape[1].casefold() in prefixes):
        return RespondentGuess(pseudonym=token)
    if not token:
        return RespondentGuess(reason="its name does not start with a pseudonym")
    return RespondentGuess(
        reason=f"“{token}” does not look like this study's pseudonyms (it may be a real name)"
    )


@dataclass
class ImportContext:
    """What importing files into one study reads once, not once per file: the protocol's
    questions, the study's respondents and the texts already imported for each.

    Read inside the first file's transaction, after its revision bump, and kept while the
    study's revision moves only by this batch's own bumps: when anyone else wrote to the
    study between two files (a respondent added, a question removed), the next file reads
    it all again. A file whose transaction rolls back makes it read again too.
    """

    study: Study
    revision: int | None = None
    questions: list[ProtocolQuestion] = field(default_factory=list)
    respondents: dict[int, Respondent] = field(default_factory=dict)
    # (respondent id, SHA-256 of the normalised text) of every imported transcript
    texts: set[tuple[int, str]] = field(default_factory=set)

    def bump(self) -> bool:
        """Inside a file's transaction: move the study's revision on, and read the study
        again unless nobody else wrote to it since this batch last did (3 queries). Returns
        whether it read it again."""
        revision = study_revision_bump(self.study.pk)
        stale = self.revision is None or revision != self.revision + 1
        if stale:
            self._read()
        self.revision = revision
        return stale

    def keep(self) -> None:
        """Inside the transaction of this batch's last bump, once it writes nothing (every
        file a duplicate or refused): the bump is taken back (study_revision_keep) and the
        revision noted is the one before it, which what was read still matches."""
        study_revision_keep()
        self.revision -= 1

    def read(self) -> None:
        """Outside a transaction: read the study with its revision (4 queries), so that
        files can be made ready before their transaction takes the study's lock; its bump
        then tells whether anyone wrote meanwhile."""
        self.revision = Study.objects.values_list("revision", flat=True).get(pk=self.study.pk)
        self._read()

    def _read(self) -> None:
        self.questions = list(self.study.questions.all())
        self.respondents = {r.pk: r for r in self.study.respondents.all()}
        self.texts = set(self.study.interviews.values_list("respondent_id", "source_hash"))

    def forget(self) -> None:
        """After a rolled-back file: what was noted in its transaction never happened."""
        self.revision = None

    def by_pseudonym(self, pseudonym: str) -> Respondent | None:
        wanted = name_key(pseudonym)
        return next(
            (r for r in self.respondents.values() if name_key(r.pseudonym) == wanted), None
        )


def interview_import(
    *,
    study: Study,
    name: str,
    raw: bytes | TooLarge,
    user=None,
    respondent: Respondent | None = None,
    pseudonym: str = "",
    encoding: str | None = None,
    conducted_on: date | None = None,
    import_duplicate: bool = False,
    context: ImportContext | None = None,
) -> ImportOutcome:
    """Import one file as a transcript; any refusal is reported in the outcome, not raised.

    The file goes to `respondent`, else to the respondent called `pseudonym` (created if new:
    the caller has asked the researcher), else to the one its name guesses when that is an
    existing respondent or a pseudonym shaped like the study's (respondent_guess). The
    same text already imported for that respondent is skipped (outcome.duplicate) unless
    `import_duplicate`. `encoding` (a codec name) decodes a .txt file. A batch passes the
    same `context` for each of its files, which saves reading the study once per file.

    The file is read before the transaction and saved in one: a refused file leaves nothing
    behind, not even the respondent it would have created, and the database is locked only
    while one file is written.
    """
    context = context or ImportContext(study)
    outcome = ImportOutcome(name=name)
    file = ImportFile(
        name=name,
        raw=raw,
        respondent=respondent,
        pseudonym=pseudonym,
        encoding=encoding,
        conducted_on=conducted_on,
        import_duplicate=import_duplicate,
    )
    try:
        read = read_transcript(name, raw, encoding)
        try:
            with transaction.atomic():
                _interview_save(outcome, context=context, read=read, user=user, file=file)
        except BaseException:
            context.forget()
            raise
    except ImportRejected as rejected:
        outcome.error = str(rejected)
    except ValidationError as invalid:
        outcome.error = " ".join(invalid.messages)
    return outcome


def _interview_save(
    outcome: ImportOutcome, *, context: ImportContext, read: ReadText, user, file: ImportFile
) -> None:
    """The writes of one import, inside the caller's transaction; fills in `outcome`.

    Four statements for a file of an existing respondent: the revision bump, which also
    makes a second import into the study wait for this one and then see its text (the
    study's row lock on PostgreSQL; SQLite's IMMEDIATE transaction), the interview, its
    question sections; one more for a new respondent.
    """
    context.bump()
    made = _Made()
    planned = _interview_planned(
        outcome, context=context, made=made, read=read, user=user, file=file
    )
    if planned is None:
        context.keep()  # Imported for its respondent already: nothing is written.
        return
    _planned_write(context, made, [planned])


@dataclass
class _Made:
    """What the files of one transaction make besides their interviews: new respondents
    (by name_key of the pseudonym) and the texts going to them, not yet in the database."""

    respondents: dict[str, Respondent] = field(default_factory=dict)
    texts: set[tuple[str, str]] = field(default_factory=set)


def _interview_planned(
    outcome: ImportOutcome,
    *,
    context: ImportContext,
    made: _Made,
    read: ReadText,
    user,
    file: ImportFile,
) -> tuple[Interview, list] | None:
    """One import of `file` (read as `read`) made ready in memory, nothing written: (its
    interview, the spans of its question sections), or None for a text already imported
    for its respondent. Its respondent is an existing one, or a new one kept in `made`
    (shared by the files of one transaction). Fills in `outcome`; raises ImportRejected and
    ValidationError as interview_import reports them."""
    study, respondent = context.study, file.respondent
    if respondent is None:
        respondent, outcome.created_respondent = _respondent_for_file(
            context, made, file.pseudonym or outcome.name, confirmed=bool(file.pseudonym)
        )
    elif respondent.study_id != study.pk:
        raise ValidationError("That respondent belongs to another study.")
    else:
        # The row the preview chose may predate her withdrawal: the study as read now says.
        respondent = context.respondents.get(respondent.pk, respondent)
    if respondent.withdrawn_at is not None:
        # Whichever way the file was sent to her (its name, a typed pseudonym, her row).
        raise ImportRejected(consent.withdrawn_refusal(respondent))
    digest = hashlib.sha256(read.text.encode("utf-8")).hexdigest()
    if respondent.pk is None:
        key, texts = (name_key(respondent.pseudonym), digest), made.texts
    else:
        key, texts = (respondent.pk, digest), context.texts
    if key in texts and not file.import_duplicate:
        outcome.duplicate = True
        outcome.error = f"the same text is already imported for {isolated(respondent.pseudonym)}"
        return None
    interview = Interview(
        study=study,
        respondent=respondent,
        source_name=PurePath(outcome.name).name[:255],
        source_encoding=read.encoding,
        source_hash=digest,
        conducted_on=file.conducted_on,
        imported_by=user,
    )
    interview.set_text(read.text, word_count=read.words)
    turns = find_turns(read.text, [respondent.pseudonym])
    interview.turns = [list(t) for t in turns]
    questions = context.questions
    spans = segmentation.find_segments(read.text, turns, [q.text for q in questions])
    texts.add(key)
    outcome.questions_found = len({span.question_index for span in spans})
    outcome.questions_total = len(questions)
    outcome.warnings = read.warnings
    outcome.interview = interview
    return interview, spans


def _planned_write(
    context: ImportContext, made: _Made, planned: Sequence[tuple[Interview, list]]
) -> None:
    """Write what _interview_planned made ready, inside the caller's transaction: the new
    respondents, the interviews, their question sections, each kind in one INSERT (and one
    more for its history records) however many files (none for a kind with no row)."""
    respondents = list(made.respondents.values())
    Respondent.objects.bulk_create(respondents)
    context.respondents.update((respondent.pk, respondent) for respondent in respondents)
    # Their respondent's id is read from the respondent, saved just above.
    interviews = Interview.objects.bulk_create([interview for interview, _ in planned])
    context.texts.update((i.respondent_id, i.source_hash) for i in interviews)
    QuestionSegment.objects.bulk_create(
        [
            QuestionSegment.of(interview, context.questions, span)
            for interview, spans in planned
            for span in spans
        ],
        batch_size=500,
    )


def _respondent_for_file(
    context: ImportContext, made: _Made, name: str, *, confirmed: bool
) -> tuple[Respondent, bool]:
    """The respondent a file goes to: `name` is a confirmed pseudonym, or a file name."""
    if confirmed:
        existing = context.by_pseudonym(name)
        return (existing, False) if existing else _respondent_made(context, made, name)
    guess = guess_among(
        context.study, name, [(r.pk, r.pseudonym) for r in context.respondents.values()]
    )
    if guess.respondent is not None:
        return context.respondents[guess.respondent.pk], False
    if guess.pseudonym:
        return _respondent_made(context, made, guess.pseudonym)
    raise ImportRejected(f"{guess.reason}; choose its respondent")


def _respondent_made(
    context: ImportContext, made: _Made, pseudonym: str
) -> tuple[Respondent, bool]:
    """A new respondent for an imported file, kept in `made` until _planned_write saves it
    (the revision bump of the transaction holds the study, so no other request makes a
    respondent of the study meanwhile); the file's `created_respondent` says it is new."""
    pseudonym = _pseudonym_shape(pseudonym)
    key = name_key(pseudonym)
    existing = context.by_pseudonym(pseudonym) or made.respondents.get(key)
    if existing is not None:
        # The same name however typed ("r3" for R3): the file goes to that respondent.
        return existing, False
    respondent = made.respondents[key] = Respondent(study=context.study, pseudonym=pseudonym)
    return respondent, True


def _turn_start_at(turns, position: int) -> int:
    """The start of the turn holding `position` (or of the next one): a marker moved by an
    edit stays on its turn's label, where the markers page looks for it."""
    for turn in turns:
        if position < turn.end:
            return turn.start
    return position


@dataclass(frozen=True)
class ImportFile:
    """One file of a batch and what the researcher chose for it (see interview_import)."""

    name: str
    raw: bytes | TooLarge
    respondent: Respondent | None = None
    pseudonym: str = ""
    encoding: str | None = None
    conducted_on: date | None = None
    import_duplicate: bool = False


def interviews_import(
    *, study: Study, files: Iterable[ImportFile], user=None
) -> Iterator[ImportOutcome]:
    """Import files one by one, each in its own transaction; yields each file's outcome.

    A refused file is reported and the batch goes on; between two files no lock is held,
    so other users' requests are served while a long batch runs.
    """
    context = ImportContext(study)
    for file in files:
        yield interview_import_safely(study=study, file=file, user=user, context=context)


def interview_import_safely(
    *, study: Study, file: ImportFile, user=None, context: ImportContext | None = None
) -> ImportOutcome:
    """interview_import for one ImportFile, which never raises: the batch always goes on."""
    try:
        return interview_import(
            study=study,
            context=context,
            name=file.name,
            raw=file.raw,
            user=user,
            respondent=file.respondent,
            pseudonym=file.pseudonym,
            encoding=file.encoding,
            conducted_on=file.conducted_on,
            import_duplicate=file.import_duplicate,
        )
    except Exception:
        # The importers promise ImportRejected only (issue 8, item 2); should one break
        # that promise, this file is refused, and logged, and the rest of the batch imports.
        logger.exception("Importing %s raised instead of refusing", file.name)
        return ImportOutcome(name=file.name, error=_UNEXPECTED)


_UNEXPECTED = "it could not be read (an unexpected error)"


def _refusal(name: str, error: Exception) -> str:
    """Why a file is refused, in words for the user: the message of ImportRejected and
    ValidationError; for anything else (a broken promise of the importers, logged) that
    it could not be read."""
    if isinstance(error, ImportRejected):
        return str(error)
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    logger.error("Importing %s raised instead of refusing", name, exc_info=error)
    return _UNEXPECTED


def interviews_import_together(
    *,
    study: Study,
    files: Sequence[ImportFile],
    user=None,
    context: ImportContext | None = None,
) -> list[ImportOutcome]:
    """Import files in one transaction; returns each file's outcome, in their order.

    Each file is read, and made ready against the study as `context` last read it, before
    the transaction: a refused file is reported and the others go on. The transaction then
    writes them all in a fixed number of statements whatever their number: the revision
    bump, the new respondents, the interviews, their question sections (each with one
    INSERT of history records). Should anyone have written to the study meanwhile (the
    bump tells), the files are made ready again inside it, against the study as it is now.
    Should the writing fail, nothing of it stays and the files are imported again one by
    one (interview_import_safely): a bad file never takes the others with it.
    """
    context = context or ImportContext(study)
    reads: dict[int, ReadText] = {}
    refused: dict[int, ImportOutcome] = {}
    for index, file in enumerate(files):
        try:
            reads[index] = read_transcript(file.name, file.raw, file.encoding)
        except Exception as error:
            refused[index] = ImportOutcome(name=file.name, error=_refusal(file.name, error))
    if context.revision is None and reads:
        context.read()

    def planned() -> tuple[dict[int, ImportOutcome], _Made, list]:
        outcomes, made, ready = dict(refused), _Made(), []
        for index, read in reads.items():
            file, outcome = files[index], ImportOutcome(name=files[index].name)
            outcomes[index] = outcome
            # A file refused after its new respondent was noted must not leave it behind.
            respondents, texts = dict(made.respondents), set(made.texts)
            try:
                plan = _interview_planned(
                    outcome, context=context, made=made, read=read, user=user, file=file
                )
            except Exception as error:
                made.respondents, made.texts = respondents, texts
                outcome.created_respondent, outcome.interview = False, None
                outcome.error = _refusal(file.name, error)
            else:
                ready += [plan] if plan else []
        return outcomes, made, ready

    # Made ready outside the transaction: other writers wait only for the INSERTs. Even a
    # batch with nothing ready goes on to the bump: a duplicate judged against a study
    # changed meanwhile (its interview deleted) is judged again.
    outcomes, made, ready = planned()
    if not reads:
        return [outcomes[index] for index in range(len(files))]
    try:
        with transaction.atomic():
            if context.bump():
                outcomes, made, ready = planned()
            if ready:
                _planned_write(context, made, ready)
            else:
                # Every file a duplicate or refused, judged against the study as it is now:
                # nothing is written (a new respondent comes only with a file of theirs).
                context.keep()
    except Exception:
        logger.exception("Importing %d files together failed; now one by one", len(reads))
        context.forget()
        for index in reads:
            outcomes[index] = interview_import_safely(
                study=study, file=files[index], user=user, context=context
            )
    return [outcomes[index] for index in range(len(files))]


INTERVIEW_MEANWHILE = (
    "This interview's details were saved meanwhile, in another tab or window; nothing was saved."
)


def interview_update(
    *,
    interview: Interview,
    title: str,
    respondent: Respondent,
    conducted_on: date | None,
    seen: str = "",
) -> None:
    """Save an interview's title, respondent and date. Raises ValidationError for a
    respondent of another study, and Conflict (nothing saved) when they were saved since
    the details form was drawn: `seen` is Interview.seen as that form showed it
    (core.stale; "" checks nothing)."""
    if respondent.study_id != interview.study_id:
        raise ValidationError("That respondent belongs to another study.")
    typed = interview_details(title.strip()[:200], respondent.pk, conducted_on)
    if saved_meanwhile(interview.details, seen=seen, typed=typed):
        raise Conflict(INTERVIEW_MEANWHILE)
    now = (interview.title, interview.respondent_id, interview.conducted_on)
    if now == (title.strip()[:200], respondent.pk, conducted_on):
        return  # Saved as it was: nothing to write, and the study's revision stays.
    interview.title = title.strip()[:200]
    interview.respondent = respondent
    interview.conducted_on = conducted_on
    with transaction.atomic():
        study_revision_bump(interview.study_id)
        interview.save(update_fields=["title", "respondent", "conducted_on"])


@transaction.atomic
def interview_text_replace(*, interview: Interview, text: str, version: int) -> OffsetMap | None:
    """Replace a transcript's text after an edit by hand; returns where old offsets land,
    or None when `text` (normalised) is the transcript as it is: nothing is written then,
    and the version and the study's revision stay.

    Speaker turns are found again, question markers follow their words, and the version
    goes up so that any page still showing the old text is refused when it codes. The
    caller (coding.services.transcript_edit) moves the excerpts in the same transaction.
    Raises Conflict (another version saved since `version`) and ValidationError (empty,
    or past the limits of an import).
    """
    # Read the text again under the lock of this transaction (a row lock on PostgreSQL; on
    # SQLite the IMMEDIATE transaction holds the write lock), so two edits cannot interleave.
    study_revision_bump(interview.study_id)
    fresh = Interview.objects.select_for_update().only("text", "version").get(pk=interview.pk)
    if version != fresh.version:
        raise Conflict(
            "Someone saved another version of this transcript after you opened it. Your "
            "text was not saved: it is still below for you to copy; reload to see theirs."
        )
    interview.text, interview.version = fresh.text, fresh.version
    text = normalise(text)
    if not text.strip():
        raise ValidationError("A transcript cannot be empty. To remove it, delete the interview.")
    try:
        # An edit is held to the limits an import is: the pages that show a transcript are
        # built for them.
        words = check_transcript_limits(text)
    except ImportRejected as refused:
        raise ValidationError(f"This text cannot be saved: {refused}.") from None
    if text == interview.text:
        # Saved as it was opened: pages open on this version may go on coding.
        study_revision_keep()
        return None
    offsets = OffsetMap(interview.text, text)
    _text_set(interview, text, offsets, words)
    return offsets


def _text_set(interview: Interview, text: str, offsets: OffsetMap, words: int) -> None:
    """Save `text` (of `words` words, counted with the limits) as the transcript, old
    offsets landing where `offsets` says: speaker turns found again, question markers and
    skipped identifiers following their words, the version moved on. Inside the caller's
    transaction."""
    segments = list(interview.segments.all())
    _skips_follow(interview, offsets, in_name=False)
    questions = list(interview.study.questions.all())
    spans = _text_moved(interview, text, offsets, segments, questions, word_count=words)
    interview.save(update_fields=["text", "word_count", "turns", "version"])
    _segments_replace(interview, questions, spans)


def _texts_set(
    study: Study, changes: list[tuple[Interview, str, OffsetMap]], *, renamed: list[Interview]
) -> None:
    """_text_set for many transcripts of `study` at once (a de-identification): each
    `(interview, text, offsets)` as there, with `interview.source_name` saved as it is too;
    and the file names of the interviews `renamed` (their text unchanged). Inside the
    caller's transaction, which holds the interviews and bumped the revision. Queries
    whatever their number: their question sections, their skips (and their moves, when
    there are some), the questions; the interviews written (one UPDATE a batch of
    bulk_update) with their history records (one INSERT: one record each); the question
    sections deleted and written anew (one INSERT).
    """
    if not changes:
        Interview.objects.bulk_update(renamed, ["source_name"])
        return
    ids = [interview.pk for interview, _, _ in changes]
    segments: dict[int, list[QuestionSegment]] = {pk: [] for pk in ids}
    for segment in QuestionSegment.objects.filter(interview_id__in=ids).order_by():
        segments[segment.interview_id].append(segment)
    _skips_moved([(interview, offsets) for interview, _, offsets in changes], in_name=False)
    questions = list(study.questions.all())
    made = []
    for interview, text, offsets in changes:
        spans = _text_moved(interview, text, offsets, segments[interview.pk], questions)
        made += [QuestionSegment.of(interview, questions, span) for span in spans]
    Interview.objects.bulk_update(
        [interview for interview, _, _ in changes] + renamed,
        ["source_name", "text", "word_count", "turns", "version"],
    )
    QuestionSegment.objects.filter(interview_id__in=ids).delete()
    QuestionSegment.objects.bulk_create(made, batch_size=500)


def _text_moved(
    interview: Interview,
    text: str,
    offsets: OffsetMap,
    segments: list[QuestionSegment],
    questions: list[ProtocolQuestion],
    *,
    word_count: int | None = None,
) -> list[segmentation.Span]:
    """Give `interview` (in memory) its new `text` (of `word_count` words, when counted
    already), speaker turns and version; returns the spans of its question sections,
    whose markers (from `segments`, the sections as they were; questions as indexes in
    `questions`) follow their words to their turn's start."""
    markers = [
        (segment.question_id, offsets.start(segment.start), segment.score) for segment in segments
    ]
    interview.set_text(text, word_count=word_count)
    turns = find_turns(text, [interview.respondent.pseudonym])
    interview.turns = [list(t) for t in turns]
    interview.version += 1
    ids = [question.pk for question in questions]
    return segmentation.spans_from_starts(
        text,
        [
            (ids.index(question_id), _turn_start_at(turns, start), score)
            for question_id, start, score in markers
        ],
    )


def _skips_follow(interview: Interview, offsets: OffsetMap, *, in_name: bool) -> None:
    """Move the skipped occurrences of identifiers with their words; one whose words were
    removed is forgotten (there is nothing left to keep)."""
    _skips_moved([(interview, offsets)], in_name=in_name)


def _skips_moved(moves: list[tuple[Interview, OffsetMap]], *, in_name: bool) -> None:
    """_skips_follow for several interviews, each with its offsets: one read of their
    skips, then (when there are some) one delete and one update."""
    offsets_of = {interview.pk: offsets for interview, offsets in moves}
    skips = list(IdentifierSkip.objects.filter(interview_id__in=offsets_of, in_name=in_name))
    gone = []
    for skip in skips:
        offsets = offsets_of[skip.interview_id]
        skip.start, skip.end = offsets.start(skip.start), offsets.end(skip.end)
        if skip.start >= skip.end:
            gone.append(skip.pk)
    if skips:
        IdentifierSkip.objects.filter(pk__in=gone).delete()
        IdentifierSkip.objects.bulk_update(
            [skip for skip in skips if skip.pk not in gone], ["start", "end"], batch_size=500
        )


# Question segments ----------------------------------------------------------------------


def segments_detect(*, interview: Interview) -> int:
    """Find the protocol questions in a transcript; returns how many questions were found
    (a question asked twice counts once)."""
    questions = list(interview.study.questions.all())
    spans = segmentation.find_segments(
        interview.text, turns_from_json(interview.turns), [q.text for q in questions]
    )
    _segments_replace(interview, questions, spans, compare=True)
    return len({span.question_index for span in spans})


class MarkerRefused(ValidationError):
    """A question marker the rules refuse; `start` is the offset of the turn it is on, so
    the page can point at that row."""

    def __init__(self, message: str, *, start: int):
        super().__init__(message)
        self.start = start


@transaction.atomic
def segments_set(*, interview: Interview, markers: Mapping[int, int | None]) -> None:
    """Set by hand which question starts at some turns: {turn start offset: question id, or
    None for no question}. Turns left out keep their marker, so a page showing some of the
    turns changes only those.

    A question may start at several turns (asked again later), but not at two marked turns
    in a row: that would cut one answer in two. Raises MarkerRefused naming the turn.
    """
    # Markers saved at the same moment on other turns are read after they are saved, and
    # kept: each save changes only its own turns.
    study_revision_bump(interview.study_id)
    hold(Interview, interview.pk)
    questions = list(interview.study.questions.all())
    index_of = {q.pk: i for i, q in enumerate(questions)}
    valid_starts = {turn[0] for turn in interview.turns}
    # {start: (question id, score)}; a marker set by hand has no score.
    kept = {s.start: (s.question_id, s.score) for s in interview.segments.all()}
    had = dict(kept)
    for start, question_id in markers.items():
        if start not in valid_starts:
            raise MarkerRefused(
                "A question can only start where a speaker turn starts; reload the page.",
                start=start,
            )
        if question_id is None:
            kept.pop(start, None)
        elif question_id not in index_of:
            raise MarkerRefused("That question is not in this study's protocol.", start=start)
        elif kept.get(start, (None,))[0] != question_id:
            kept[start] = (question_id, None)
    ordered = sorted(kept.items())
    for (before, (previous, _)), (start, (question_id, _)) in itertools.pairwise(ordered):
        if question_id == previous:
            label = questions[index_of[question_id]].label
            raise MarkerRefused(
                f"{label} already starts at an earlier turn, with no other question marked in "
                f"between: this is the same answer going on. Clear one of the two, or mark the "
                f"question asked in between.",
                start=start if start in markers or before not in markers else before,
            )
    if kept == had:
        # The markers it has already (the page saved as it was shown): nothing changes, and
        # the sections found on import keep their bounds and scores.
        study_revision_keep()
        return
    spans = segmentation.spans_from_starts(
        interview.text,
        [(index_of[question_id], start, score) for start, (question_id, score) in ordered],
    )
    _segments_replace(interview, questions, spans)


def _segments_replace(interview, questions, spans, *, compare: bool = False) -> None:
    """Write `spans` (segmentation.Span) as the interview's question sections, in place of
    the ones it has. With `compare`, the sections are read first (under the interview's
    hold): when the new ones are the same, nothing is written and the study's revision
    stays (only this block's bump is taken back, so a caller's own writes stay)."""
    segments = [QuestionSegment.of(interview, questions, span) for span in spans]
    with transaction.atomic():
        # Markers replaced at the same moment replace each other whole, one after the other.
        study_revision_bump(interview.study_id)
        hold(Interview, interview.pk)
        if compare and _section_rows(interview.segments.all()) == _section_rows(segments):
            study_revision_keep()  # Found again as they were: nothing changes.
            return
        interview.segments.all().delete()
        QuestionSegment.objects.bulk_create(segments)


def _section_rows(segments) -> list[tuple]:
    return sorted((s.start, s.end, s.question_id, s.score) for s in segments)


# De-identification ------------------------------------------------------------------------
# The list of identifying strings is edited by the study's owners: it is the study's promise
# of confidentiality to its participants and its ethics board, which the owner answers for.
# Coders and reviewers read it (and coders see the occurrences in context).


def _identifier_clean(
    study: Study, text: str, replacement: str, variants: str, exclude: int | None = None
) -> tuple[str, str, str]:
    text, replacement = tidy(text), tidy(replacement)
    lines = [tidy(line) for line in variants.splitlines()]
    variants = "\n".join(dict.fromkeys(line for line in lines if line))
    if not text:
        raise ValidationError("Type the identifying words to look for (a name, an agency).")
    if not replacement:
        raise ValidationError('Type what replaces them, for example "[co-worker]".')
    if len(text) > 200 or len(replacement) > 200 or len(variants) > 2000:
        raise ValidationError(
            "Too long: at most 200 characters for the words and their replacement, and "
            "2,000 for the variants."
        )
    forms = [text, *variants.splitlines()]
    # A single letter or digit ("a", "I") as a whole word is found all through ordinary
    # speech; no name or agency is that short (an initial is written with its name).
    short = [form for form in forms if sum(c.isalnum() for c in form) < 2]
    if short:
        raise ValidationError(
            f"“{short[0]}” is too short to look for: as a whole word it is found all through "
            "ordinary speech. Type the name as the transcripts write it."
        )
    matcher = deidentify.Matcher([(0, forms)])
    if matcher.find(replacement):
        raise ValidationError(
            f"The replacement “{replacement}” holds the words it replaces: they would still "
            "be found after replacing. Choose a replacement without them."
        )
    taken = deidentify.Matcher(
        (row.pk, row.forms) for row in study.identifiers.exclude(pk=exclude)
    ).owner
    clash = [form for form in forms if deidentify.fold(form) in taken]
    if clash:
        raise ValidationError(f"“{clash[0]}” is already in this study's list.")
    return text, replacement, variants


def identifier_add(*, study: Study, text: str, replacement: str, variants: str = "") -> Identifier:
    """Add an identifying string to the study's list; `variants` one a line. Raises
    ValidationError for an empty or too long field, a form of fewer than two letters or
    digits, a form already listed, or a replacement that holds the words it replaces."""
    text, replacement, variants = _identifier_clean(study, text, replacement, variants)
    with transaction.atomic():
        hold(Study, study.pk)
        return Identifier.objects.create(
            study=study, text=text, replacement=replacement, variants=variants
        )


IDENTIFIER_MEANWHILE = (
    "This string of the list was saved meanwhile, in another tab or window; nothing was saved."
)


def identifier_update(
    *, identifier: Identifier, text: str, replacement: str, variants: str = "", seen: str = ""
) -> None:
    """Change a listed string, its variants or replacement. Raises ValidationError as
    identifier_add does, and Conflict (nothing saved) when they were saved since the edit
    form was drawn: `seen` is Identifier.seen as that form showed it (core.stale; ""
    checks nothing)."""
    study = identifier.study
    cleaned = _identifier_clean(study, text, replacement, variants, exclude=identifier.pk)
    typed = fields_text(cleaned[0], cleaned[2], cleaned[1])
    if saved_meanwhile(identifier.typed, seen=seen, typed=typed):
        raise Conflict(IDENTIFIER_MEANWHILE)
    identifier.text, identifier.replacement, identifier.variants = cleaned
    with transaction.atomic():
        hold(Study, study.pk)
        identifier.save(update_fields=["text", "replacement", "variants"])
        _typed_keeps_prune(study)


def identifier_delete(*, identifier: Identifier) -> None:
    """Take a string off the list (with the occurrences skipped for it, and the typed
    fields' keeps of its forms: _typed_keeps_prune)."""
    with transaction.atomic():
        hold(Study, identifier.study_id)
        identifier.delete()
        _typed_keeps_prune(identifier.study)


def _typed_keeps_prune(study: Study) -> None:
    """Drop from the study's kept typed fields (TypedKeep.words) the strings no longer
    on its list, and the keeps left with none: a string taken off the list and put back
    later, perhaps now known for a name, is asked about again, not kept by a decision
    taken about it before (as a transcript's skips go with their identifier). Called
    holding the study, after the list changed. Queries: the list, the keeps, one write
    per keep changed."""
    listed = {
        deidentify.fold(form)
        for identifier in study.identifiers.all()
        for form in identifier.forms
    }
    for keep in TypedKeep.objects.filter(study=study):
        # A withdrawn respondent's pseudonym or words are not the list's: they stay.
        words = [words for words in keep.words if words in listed or words.startswith(KEPT)]
        if not words:
            keep.delete()
        elif words != keep.words:
            keep.words = words
            keep.save(update_fields=["words"])


# Called by deidentification_apply with the study, [(interview, offsets), ...] for the
# transcripts it changed, and a function replacing every applied identifier in a text that
# holds no offsets: apps built on interviews move what they anchored and scrub their texts
# (coding: excerpts, their memos and the undo history; themes: quote extracts), and return
# what they counted ({"excerpts_marked": 3}). Registered in an AppConfig.ready().
DEIDENTIFY_FOLLOWERS: list = []


@dataclass
class DeidentifyReport:
    """What an application of the list did, for the message the researcher reads."""

    replaced: int = 0
    skipped: int = 0
    transcripts: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    # The listed strings in no transcript, replaced wherever else they were
    # (deidentify.held_nowhere), as listed.
    nowhere: list[str] = field(default_factory=list)


def _memos_scrub(*, study: Study, scrub: Callable[[str], str]) -> int:
    """Pass the body of every memo of `study` (the journal, and memos on interviews, codes
    and themes: every concrete subclass of Memo, whichever app keeps it) through `scrub`,
    and save those that changed. Memos are exported (REFI-QDA Notes, the memos document),
    so a name applied in the transcripts must leave them too. Returns how many changed.
    Queries: one read per kind of memo, and one write per kind that changed."""
    changed = 0
    for model in apps.get_models():
        if not issubclass(model, Memo):
            continue
        memos = model._base_manager.filter(**{model.study_lookup: study}).only("body")
        scrubbed = [memo for memo in memos if scrub(memo.body) != memo.body]
        for memo in scrubbed:
            memo.body = scrub(memo.body)
        model.objects.bulk_update(scrubbed, ["body"], batch_size=500)
        changed += len(scrubbed)
    return changed


@transaction.atomic
def deidentification_apply(*, study: Study, decisions: Mapping[str, bool]) -> DeidentifyReport:
    """Replace the occurrences the researcher accepted and remember those she skipped, all
    in one transaction.

    `decisions` is {Occurrence.key: True to replace, False to skip}. Every key must be an
    occurrence still waiting (deidentify.study_occurrences), else Conflict and nothing is
    changed: a transcript edited, or the list changed, since the preview was read.
    Transcripts move their question markers, skips and (through DEIDENTIFY_FOLLOWERS) the
    excerpts built on them, as after an edit by hand; file names are replaced too.

    On SQLite the write-ahead log is emptied once the outermost transaction commits
    (sql.wal_empty): it held the pages with the replaced words, on disk, until a
    checkpoint.
    """
    transaction.on_commit(sql.wal_empty)
    study_revision_bump(study.pk)
    identifiers = {row.pk: row for row in study.identifiers.all()}
    # The interviews are read once, whole, and held until the transaction ends (PostgreSQL;
    # SQLite's IMMEDIATE transaction holds the whole database), so that no edit slips in
    # between: the occurrences found in these rows are both what the decisions are checked
    # against and what is replaced in them.
    rows = deidentify.study_interviews(study=study).select_related("respondent", "study")
    interviews = list(rows.select_for_update(of=("self",)))
    waiting = {
        occurrence.key: occurrence
        for occurrence in deidentify.interviews_occurrences(
            study=study, interviews=interviews, identifiers=list(identifiers.values())
        )
    }
    stale = [key for key in decisions if key not in waiting]
    if stale:
        raise Conflict(
            "The transcripts or the list changed since this page was shown, so nothing was "
            "replaced or skipped. Reload the page to see the occurrences as they are now."
        )
    report = DeidentifyReport()
    chosen: dict[int, list] = {}
    skips = []
    for key, replace in decisions.items():
        occurrence = waiting[key]
        if replace:
            chosen.setdefault(occurrence.interview_id, []).append(occurrence)
            report.replaced += 1
        else:
            skips.append(
                IdentifierSkip(
                    identifier_id=occurrence.identifier_id,
                    interview_id=occurrence.interview_id,
                    in_name=occurrence.in_name,
                    start=occurrence.start,
                    end=occurrence.end,
                )
            )
            report.skipped += 1
    # Skips first, at the offsets of the texts as they are: replacing moves them on.
    IdentifierSkip.objects.bulk_create(skips, batch_size=500)
    # Each transcript's text and file name are replaced in memory, then all are written at
    # once: one history record each, whichever of them changed.
    changes, renamed, names = [], [], []
    for interview in sorted(interviews, key=lambda row: row.pk):
        if interview.pk not in chosen:
            continue
        in_text, in_name = [], []
        for occurrence in sorted(chosen[interview.pk], key=lambda o: o.start):
            span = (occurrence.start, occurrence.end)
            (in_name if occurrence.in_name else in_text).append(
                (*span, identifiers[occurrence.identifier_id].replacement)
            )
        if in_name:
            names.append((interview, OffsetMap.of_replacements(interview.source_name, in_name)))
            interview.source_name = deidentify.replace_spans(interview.source_name, in_name)
        if in_text:
            offsets = OffsetMap.of_replacements(interview.text, in_text)
            changes.append((interview, deidentify.replace_spans(interview.text, in_text), offsets))
        elif in_name:
            renamed.append(interview)
    if names:
        _skips_moved(names, in_name=True)
    _texts_set(study, changes, renamed=renamed)
    moved = [(interview, offsets) for interview, _, offsets in changes]
    report.transcripts = len(moved)
    applied = {
        identifier_id: identifiers[identifier_id].replacement
        for occurrence_list in chosen.values()
        for identifier_id in {o.identifier_id for o in occurrence_list}
    }
    # A listed string no transcript holds (edited out by hand, or only ever in a comment or
    # a History record) has no occurrence to choose: replaced wherever else it still is,
    # else it would stay readable there for good.
    nowhere = deidentify.held_nowhere(list(identifiers.values()), interviews, waiting.values())
    applied.update((identifier.pk, identifier.replacement) for identifier in nowhere)
    report.nowhere = [identifier.text for identifier in nowhere]
    matcher = deidentify.matcher_of(identifiers.values())

    def scrub(text: str) -> str:
        return deidentify.scrub(text, matcher, applied)

    def finds(text: str) -> list[int]:
        return [start for start, _, owner in matcher.find(text) if owner in applied]

    # Uploads kept for a day after their import hold the file's name, in the outcome too.
    staged = []
    for row in StagedFile.objects.filter(study=study).only("name", "message"):
        if (scrub(row.name), scrub(row.message)) != (row.name, row.message):
            row.name, row.message = scrub(row.name), scrub(row.message)
            staged.append(row)
    StagedFile.objects.bulk_update(staged, ["name", "message"], batch_size=500)
    for follow in DEIDENTIFY_FOLLOWERS:
        for name, count in follow(study, moved, scrub).items():
            report.counts[name] = report.counts.get(name, 0) + count
    report.counts["memos_scrubbed"] = report.counts.get("memos_scrubbed", 0) + _memos_scrub(
        study=study, scrub=scrub
    )
    # Last, so that the records this apply wrote are scrubbed too: every record held the
    # words of its time, the names among them.
    report.counts["history_scrubbed"] = history.history_scrub(
        study_id=study.pk, scrub=scrub, finds=finds
    )
    return report
