"""What of a study a REFI-QDA project does not carry, counted, for the file and the import
to name: a researcher who moves her study between machines must be told what stays behind,
never "Nothing was left out" when something was.

Every model of a study, and where it goes in a project (project.py, codebook.py):

- travels: the study's title, research question, description, protocol, withdrawal
  window, paper size and attributes (Project, Variables); respondents (Cases, with their
  interview dates and values); interviews (TextSources: title, date, text); codes (the
  CodeBook, with their four texts); excerpts (PlainTextSelections, their memo) and their
  codings; themes (Sets, with their codes, parent and order) and memos of every kind
  (Notes); the coders of excerpts (Users, by username);
- named here, counted, when the study has any: chosen quotes (themes.Quote), comments on
  themes and their replies (themes.Comment), a theme's review status other than draft, the
  review marks of excerpts whose words an edit changed (coding.Excerpt.status "changed")
  and excerpts that lost all their words ("orphaned": not exported at all), question
  sections marked by hand (interviews.QuestionSegment without a score; an import finds the
  sections again from the protocol), the de-identification list (interviews.Identifier,
  with the occurrences kept), the members and their roles (interviews.Membership: the
  importer owns the new study alone, so all members but one are named) and the erasure
  records (interviews.Erasure);
  respondents who withdrew, left out of every export on purpose;
- not the study's content, so not named: the bin (deleted excerpts, codes, memos), the
  undo journal, uploads waiting in the import preview, open invitations, the history
  records, an excerpt memo's author and date, an interview's uploaded file name (it may
  hold a participant's real name: never exported).

REFI-QDA has no element for any of the named ones (a Set gathers codes, sources and notes,
not selections; a Note has no thread nor resolution), so they are said in words, in the
Project's Description under "Not in this file:" (project.PROJECT_SECTIONS), which every
tool shows as the project's description and Excerpta's import reads back into its report.
"""

from __future__ import annotations

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.template.defaultfilters import pluralize

from coding.models import Excerpt, ExcerptStatus
from interviews.models import Erasure, Identifier, Membership, QuestionSegment, Respondent, Study
from themes.models import Comment, Quote, ReviewStatus, Theme


def _count(queryset: QuerySet) -> Subquery:
    # COUNT over the whole filtered set, as a scalar subquery: every kind in one query.
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


def _phrase(n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n=n)


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def study_left_out(study: Study) -> list[str]:
    """The sentences (without a final stop) naming what of `study` its REFI-QDA project
    does not carry, counted (see the module's docstring): at most two, [] when everything
    travels. One query. Counted as the export reads: respondents who withdrew and all of
    theirs apart, excerpts and memos in the bin not at all."""
    live = {"withdrawn_at__isnull": True}
    excerpts = Excerpt.objects.filter(
        interview__study=study, interview__respondent__withdrawn_at__isnull=True
    )
    counts = {
        "quotes": Quote.objects.filter(
            theme__study=study,
            excerpt__deleted_at__isnull=True,
            excerpt__interview__respondent__withdrawn_at__isnull=True,
        ),
        "comments": Comment.objects.filter(theme__study=study),
        "statuses": Theme.objects.filter(study=study).exclude(review_status=ReviewStatus.DRAFT),
        "changed": excerpts.filter(status=ExcerptStatus.CHANGED),
        "orphaned": excerpts.filter(status=ExcerptStatus.ORPHANED),
        "sections": QuestionSegment.objects.filter(
            interview__study=study,
            interview__respondent__withdrawn_at__isnull=True,
            score__isnull=True,
        ),
        "identifiers": Identifier.objects.filter(study=study),
        "members": Membership.objects.filter(study=study),
        "erasures": Erasure.objects.filter(study=study),
        "withdrawn": Respondent.objects.filter(study=study).exclude(**live),
    }
    # Named apart from the study's own fields ("identifiers", "erasures" are relations).
    row = (
        Study.objects.filter(pk=study.pk)
        .annotate(**{f"left_{key}": _count(queryset) for key, queryset in counts.items()})
        .values(*(f"left_{key}" for key in counts))
        .get()
    )
    n = {key: row[f"left_{key}"] or 0 for key in counts}
    # Each kind as one and as many ("{n}" the count), in the order the sentence names them.
    wording = {
        "quotes": ("{n} chosen quote", "{n} chosen quotes"),
        "comments": ("{n} comment on themes", "{n} comments on themes"),
        "statuses": ("the review status of {n} theme", "the review statuses of {n} themes"),
        "changed": (
            "{n} review mark (an excerpt whose words changed)",
            "{n} review marks (excerpts whose words changed)",
        ),
        "orphaned": (
            "{n} excerpt that lost all its words",
            "{n} excerpts that lost all their words",
        ),
        "sections": (
            "{n} question section marked by hand",
            "{n} question sections marked by hand",
        ),
        "identifiers": (
            "{n} entry of the de-identification list",
            "{n} entries of the de-identification list",
        ),
        "members": ("{n} other member with their role", "{n} other members with their roles"),
        "erasures": ("{n} erasure record", "{n} erasure records"),
    }
    # The importer owns the new study: one member comes back as its owner, the others not.
    n["members"] = max(n["members"] - 1, 0)
    counted = [(key, n[key], one, many) for key, (one, many) in wording.items() if n[key]]
    parts = [_phrase(count, one, many) for _, count, one, many in counted]
    sentences = []
    if parts:
        verb = "is" if len(counted) == 1 and counted[0][1] == 1 else "are"
        sentences.append(
            f"{_listed(parts)} {verb} not part of a REFI-QDA project and were not exported"
        )
    if n["withdrawn"]:
        sentences.append(
            f"{n['withdrawn']} withdrawn respondent{pluralize(n['withdrawn'])} and all of "
            "theirs were left out, as in every export"
        )
    return sentences
