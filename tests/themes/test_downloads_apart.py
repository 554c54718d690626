"""The downloads made by a short-lived process of their own (core.processes.file_from_child,
issue 9: a worker under 160 MB after every page and export): the file is the one the
function makes in this process, a refusal comes back in words, a failed process is said so.

The process reads the database on its own connection, which sees only committed rows: the
tests here commit theirs (transaction=True), as a request in autocommit has.
"""

from __future__ import annotations

import csv
import io
import pickle
import zipfile

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse

from coding import services as coding
from core import processes
from interviews.services import identifier_add
from tests.conftest import client_for, code_span
from themes import exports, tables
from themes.charts import findings_figures
from themes.exchange.qdpx_export import study_qdpx_bytes
from themes.rollup import study_rollup

from .exchange.everything import make_everything

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def runs(monkeypatch) -> list[list[str]]:
    """The commands of every process started, in order."""
    real_run, started = processes.subprocess.run, []

    def counted(command, **kwargs):
        started.append(command)
        return real_run(command, **kwargs)

    monkeypatch.setattr(processes.subprocess, "run", counted)
    return started


@pytest.fixture
def given(runs, monkeypatch) -> list[dict]:
    """The keyword arguments each `python -m core.child` process was given, in order (after
    the first line of its stdin, which names the function, they are pickled)."""
    counted, arguments = processes.subprocess.run, []

    def reading(command, **kwargs):
        if command[1:3] == ["-m", "core.child"]:
            arguments.append(pickle.loads(kwargs["input"].split(b"\n", 1)[1]))
        return counted(command, **kwargs)

    monkeypatch.setattr(processes.subprocess, "run", reading)
    return arguments


def made_apart(runs: list[list[str]]) -> int:
    return sum(command[1:3] == ["-m", "core.child"] for command in runs)


def parts(content: bytes) -> dict[str, bytes] | bytes:
    """A ZIP's (.xlsx, .docx, .qdpx) members by name, but for the time of writing stamped
    on the archive's entries and in an Office file's properties (docProps/core.xml), which
    differ from one second to the next; other files as they are."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [name for name in archive.namelist() if name != "docProps/core.xml"]
        return {name: archive.read(name) for name in names}


@pytest.mark.parametrize(
    ("what", "function"),
    [
        ("excerpts_xlsx", tables.excerpts_xlsx),
        ("matrix_xlsx", tables.matrix_xlsx),
        ("memos_docx", exports.memos_docx),
    ],
)
def test_a_download_that_grows_with_the_study_is_made_apart_and_is_the_same_file(
    study, themed, reviewer, runs, what, function
):
    response = client_for(reviewer).get(reverse(f"export_{what}", args=[study.slug]))

    assert response.status_code == 200
    assert made_apart(runs) == 1
    assert parts(response.content) == parts(function(study=study))


def test_a_retrieval_and_a_matrix_leave_as_files_made_apart(study, themed, reviewer, runs):
    client = client_for(reviewer)

    retrieved = client.get(reverse("retrieve_xlsx", args=[study.slug]))
    as_csv = client.get(reverse("retrieve_csv", args=[study.slug]))
    matrix = client.get(
        reverse("matrix_download", args=[study.slug]), {"rows": "themes", "count": "respondents"}
    )

    assert made_apart(runs) == 3
    excerpts = openpyxl.load_workbook(io.BytesIO(retrieved.content))["Excerpts"]
    assert [row[0] for row in excerpts.values] == ["Respondent", "R1", "R2"]
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["Respondent", "R1", "R2"]
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(openpyxl.load_workbook(io.BytesIO(matrix.content)).active.values)
    # R2 raised Training through its sub-theme At work.
    assert rows == [("Theme (respondents)", "R1", "R2"), ("Training", 1, 1), ("    At work", 0, 1)]


@pytest.mark.parametrize(
    ("what", "function", "cached"),
    [
        ("findings", exports.findings_docx, {"rollup", "figures"}),
        ("codebook", exports.codebook_docx, {"rollup"}),
        # Its refusal (nothing to count) read the roll-up in the worker already.
        ("matrix_xlsx", tables.matrix_xlsx, {"rollup"}),
    ],
)
def test_the_downloads_of_the_roll_up_are_made_apart_from_the_workers_caches(
    study, themed, owner, runs, given, what, function, cached
):
    response = client_for(owner).get(reverse(f"export_{what}", args=[study.slug]))

    assert response.status_code == 200
    assert made_apart(runs) == 1
    # The process is given what the worker has cached (it neither computes the roll-up
    # again nor starts a drawing process of its own).
    (arguments,) = given
    assert set(arguments) == {"study", *cached}
    assert arguments["rollup"] == study_rollup(study)
    if what == "findings":
        assert [chart.name for chart, _ in arguments["figures"]] == [
            chart.name for chart, _ in findings_figures(study, study_rollup(study))
        ]
        assert all(png.startswith(b"\x89PNG") for _, png in arguments["figures"])
    assert parts(response.content) == parts(function(study=study))


def test_the_project_is_made_apart_and_its_refusal_comes_back_in_words(study, owner, coder, runs):
    make_everything(study, owner, coder)
    identifier_add(study=study, text="years", replacement="[time]")
    client = client_for(owner)
    path = reverse("export_qdpx", args=[study.slug])

    refused = client.get(path, follow=True)

    assert refused.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
    assert "Not exported: 2 places in the transcripts" in refused.content.decode()
    ticked = client.get(path + "?identifying=1")
    assert ticked.status_code == 200
    assert parts(ticked.content) == parts(study_qdpx_bytes(study=study, include_identifying=True))
    with zipfile.ZipFile(io.BytesIO(ticked.content)) as archive:
        assert "project.qde" in archive.namelist()
    assert made_apart(runs) == 2


def test_a_download_whose_process_fails_says_so_and_sends_no_file(
    study, themed, owner, monkeypatch
):
    real_run = processes.subprocess.run

    def failing(command, **kwargs):
        # The process dies as one out of memory would.
        return real_run([command[0], "-c", "import sys; sys.exit('no memory left')"], **kwargs)

    monkeypatch.setattr(processes.subprocess, "run", failing)
    client = client_for(owner)
    for name in ("export_excerpts_xlsx", "export_qdpx"):
        response = client.get(reverse(name, args=[study.slug]), follow=True)

        assert response.redirect_chain == [(reverse("themes", args=[study.slug]), 302)]
        page = response.content.decode()
        assert "file could not be made this time. Nothing was changed" in page
        assert "no memory left" not in page
    htmx = client.get(
        reverse("export_memos_docx", args=[study.slug]), headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 503
    assert "memos.docx file could not be made this time" in htmx.content.decode()


def test_inside_a_transaction_the_file_is_made_here_with_what_it_wrote(study, themed, owner, runs):
    with transaction.atomic():
        # Not yet committed: another connection would not see it.
        code = coding.code_create(study=study, name="Written, not committed")
        code_span(themed["interviews"][0], "never looked back", [code], owner)
        response = client_for(owner).get(reverse("export_excerpts_xlsx", args=[study.slug]))
        in_this_process = tables.excerpts_xlsx(study=study)
    assert made_apart(runs) == 0
    assert parts(response.content) == parts(in_this_process)
    assert b"Written, not committed" in b"".join(parts(response.content).values())


def test_the_excerpts_csv_is_made_in_the_worker(study, themed, reviewer, runs):
    # The export compared with Taguette's: a process's start would eat its lead.
    response = client_for(reviewer).get(reverse("export_excerpts_csv", args=[study.slug]))
    assert response.status_code == 200
    assert made_apart(runs) == 0
    assert response.content == tables.excerpts_csv(study=study)
