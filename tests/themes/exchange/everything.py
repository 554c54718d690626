"""A study with every kind of thing a REFI-QDA export writes, for the exchange tests.

Made through the services, as the app makes them (STYLE.md, rule 18).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings

from coding import services as coding
from coding.models import CodeMemo
from interviews import memos
from interviews import services as interviews
from interviews.models import InterviewMemo, JournalEntry, Role
from tests.conftest import code_span, import_text, make_user
from themes import services as themes
from themes.exchange.qdpx_export import study_export_qdpx
from themes.models import ThemeMemo

SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "refi" / "schema"
NS = {"p": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}

# Non-BMP characters before the excerpts: code points and UTF-16 units differ from here on.
R1_TEXT = """Interviewer: How long have you been doing this? 🙂

R1: Six years 🎉🎉 at the shelter. Honestly, the ones nobody else will see <& "them">.

Interviewer: And your support?

R1: My colleagues, mostly. My supervisor helps on the bad days."""
R2_TEXT = """Interviewer: How long have you been doing this?

R2: Two years. Training was thin; I learned on the job 𝄞 from peers."""
# The withdrawn respondent's words: they must appear nowhere in an export.
R3_TEXT = """Interviewer: How long?

R3: WITHDRAWN-MARKER twelve years at Harbor Street."""


def schema(name: str):
    """The vendored REFI-QDA schema `name` (xmlschema), or skip when ../shared is absent."""
    xmlschema = pytest.importorskip("xmlschema")
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the REFI-QDA schemas live in ../shared beside the repo")
    return xmlschema.XMLSchema(path)


def export(study, **options) -> bytes:
    out = io.BytesIO()
    study_export_qdpx(study=study, out=out, **options)
    return out.getvalue()


def members(data: bytes) -> dict[str, bytes]:
    """Every member of the .qdpx `data`, by name, in the archive's order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def project_of(data: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(members(data)["project.qde"])


def make_everything(study, owner, coder) -> dict:
    """The `study` fixture (attribute "Years of experience", a number) filled with:

    - attributes "Caseload" (a number with fractions) and "Agency" (text);
    - R1 (9 years, caseload 12.5, Agency C) and R2 (2 years, caseload 0.0000001, no agency),
      each with an interview; R4 with no interview and no values; R3 withdrawn, with an
      interview, an excerpt, an excerpt memo and an interview memo;
    - codes Support > Colleagues > Supervisor, and "Stigma & <shame>" with every text of a
      code; theme "Relationships" (Support, Stigma) with sub-theme "At work" (Colleagues);
    - excerpts on R1 after the emoji, one with two codes and a memo, one by a coder who
      has since left the study; a deleted excerpt;
    - a journal entry, memos on an interview, a code and a theme, and a deleted memo.
    """
    interviews.attribute_add(study=study, name="Caseload", kind="number")
    interviews.attribute_add(study=study, name="Agency", kind="text")
    r1 = import_text(study, R1_TEXT, name="R1-Maria Lopez.txt")
    r2 = import_text(study, R2_TEXT, name="R2.txt")
    r3 = import_text(study, R3_TEXT, name="R3.txt")
    interviews.respondent_update(
        respondent=r1.respondent,
        pseudonym="R1",
        attributes={"Years of experience": 9, "Caseload": 12.5, "Agency": "Agency C"},
    )
    interviews.respondent_update(
        respondent=r2.respondent,
        pseudonym="R2",
        attributes={"Years of experience": 2, "Caseload": 0.0000001},
    )
    r4 = interviews.respondent_create(study=study, pseudonym="R4")
    interviews.interview_update(
        interview=r1, title="First interview", respondent=r1.respondent, conducted_on=None
    )
    from datetime import date

    interviews.interview_update(
        interview=r2, title="", respondent=r2.respondent, conducted_on=date(2026, 3, 2)
    )

    support = coding.code_create(study=study, name="Support", colour="#1F77B4")
    colleagues = coding.code_create(study=study, name="Colleagues", parent=support)
    supervisor = coding.code_create(study=study, name="Supervisor", parent=colleagues)
    stigma = coding.code_create(
        study=study,
        name="Stigma & <shame>",
        definition="Being looked down on.",
        inclusion="Said of clients.",
        exclusion="Said of the worker.",
        example="“the ones nobody else will see”",
    )
    relationships = themes.theme_create(
        study=study, name="Relationships", description="Who they work with & for."
    )
    at_work = themes.theme_create(study=study, name="At work", parent=relationships)
    themes.theme_code_attach(theme=relationships, code=support)
    themes.theme_code_attach(theme=relationships, code=stigma)
    themes.theme_code_attach(theme=at_work, code=colleagues)

    former = make_user("former")
    interviews.membership_set(study=study, username=former.username, role=Role.CODER)
    seen = code_span(r1, "the ones nobody else will see", [stigma, support], owner)
    coding.excerpt_memo_set(
        excerpt=seen, memo="Key passage; <b>bold</b> & true.", revision=seen.revision
    )
    years = code_span(r1, "Six years", [support], coder)
    mates = code_span(r1, "My colleagues", [colleagues], former)
    boss = code_span(r1, "My supervisor helps", [supervisor], coder)
    peers = code_span(r2, "from peers", [colleagues], owner)
    gone = code_span(r2, "Two years", [support], owner)
    coding.excerpt_delete(excerpt=gone, actor=owner)
    interviews.membership_remove(membership=study.memberships.get(user=former))

    secret = code_span(r3, "WITHDRAWN-MARKER", [stigma], owner)
    coding.excerpt_memo_set(excerpt=secret, memo="WITHDRAWN-MARKER memo", revision=secret.revision)
    memos.memo_create(model=InterviewMemo, author=owner, body="WITHDRAWN-MARKER", interview=r3)
    interviews.respondent_withdraw(respondent=r3.respondent)

    journal = memos.memo_create(
        model=JournalEntry, author=owner, body="Decided to split support.", study=study
    )
    interview_memo = memos.memo_create(
        model=InterviewMemo, author=coder, body="Long pause before Q2.", interview=r1
    )
    code_memo = memos.memo_create(
        model=CodeMemo, author=owner, body="Split from Relationships.", code=support
    )
    theme_memo = memos.memo_create(
        model=ThemeMemo, author=owner, body="Is this two themes?", theme=relationships
    )
    deleted = memos.memo_create(model=JournalEntry, author=owner, body="DELETED-MEMO", study=study)
    memos.memo_delete(memo=deleted, author=owner)
    return {
        "interviews": (r1, r2, r3),
        "respondents": (r1.respondent, r2.respondent, r3.respondent, r4),
        "codes": (support, colleagues, supervisor, stigma),
        "themes": (relationships, at_work),
        "excerpts": (seen, years, mates, boss, peers),
        "memos": (journal, interview_memo, code_memo, theme_memo),
        "former": former,
    }
