"""`manage.py backup` and `manage.py restore` (interviews.backup), on the database the suite
runs on: SQLite, or PostgreSQL under .ci/with-postgres.

The restore and the exports of the restored database run in processes of their own, on a
new database (a new SQLite file, or a new database on the same PostgreSQL server): that is
how a restore is used, and the test process never opens another SQLite file's descriptors.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import uuid
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from coding import services as coding
from coding.models import Code, Coding, Excerpt
from interviews import backup, services
from interviews.models import Study
from tests.conftest import run_manage
from themes.exchange.qdpx_export import study_export_qdpx

pytestmark = pytest.mark.django_db(transaction=True)

# A transcript long enough for every writer to code spans of its own for as long as the
# test lets it: 4,000 words.
TEXT = "Interviewer: Tell me.\nRespondent: " + " ".join(
    f"word{n} about harm reduction" for n in range(1000)
)


@pytest.fixture
def fresh_database(tmp_path):
    """The environment of a process whose database is new and empty; the database is
    dropped afterwards on PostgreSQL."""
    env = dict(os.environ)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield env
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    settings = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{name}"
    )
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# Run in the restored database's process: every study's REFI-QDA export, and the primary
# keys of its codes and excerpts, into the folder given.
EXPORT_ALL = """
import json, sys
from pathlib import Path
from interviews.models import Study
from coding.models import Coding, Excerpt
from themes.exchange.qdpx_export import study_export_qdpx
folder = Path({folder!r})
keys = {{}}
for study in Study.objects.all():
    with open(folder / f"{{study.slug}}.qdpx", "wb") as out:
        study_export_qdpx(study=study, out=out, include_identifying=True)
    keys[study.slug] = {{
        "codes": sorted(study.codes.values_list("pk", flat=True)),
        "excerpts": sorted(
            Excerpt.objects.filter(interview__study=study).values_list("pk", flat=True)),
        "codings": sorted(
            Coding.objects.filter(code__study=study).values_list("pk", flat=True)),
    }}
(folder / "keys.json").write_text(json.dumps(keys))
"""


def export_restored(env, folder: Path) -> dict:
    done = run_manage("shell", "-c", EXPORT_ALL.format(folder=str(folder)), env=env)
    assert done.returncode == 0, done.stderr
    return json.loads((folder / "keys.json").read_text())


def a_study(owner, title: str):
    study = services.study_create(title=title, owner=owner)
    outcome = services.interview_import(study=study, name="R1-interview.txt", raw=TEXT.encode())
    assert outcome.ok, outcome.error
    coding.code_create(study=study, name="Support")
    return study, outcome.interview


class Coders:
    """Threads coding as fast as they can through the services, two per study, each on
    its own connection: new excerpts, and every fifth time a new code for them."""

    def __init__(self, owner, targets) -> None:
        self.stop = threading.Event()
        self.done = 0
        self.errors: list[BaseException] = []
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self.code, args=(owner, study, interview, worker))
            for worker, (study, interview) in enumerate(t for t in targets for _ in range(2))
        ]

    def code(self, owner, study, interview, worker) -> None:
        try:
            codes = [Code.objects.get(study=study, name="Support")]
            # Each worker codes words of its own (every fourth from its first), so no two
            # selections are the same excerpt.
            words = [m.span() for m in re.finditer(r"word\d+", interview.text)]
            step = 0
            while not self.stop.is_set() and 4 * step + worker < len(words):
                if step % 5 == 4:
                    codes = [coding.code_create(study=study, name=f"Code {worker}.{step}")]
                start, end = words[4 * step + worker]
                coding.excerpt_create(
                    interview=interview,
                    coder=owner,
                    start=start,
                    end=end,
                    seen_text=interview.text[start:end],
                    version=interview.version,
                    codes=codes,
                )
                step += 1
                with self.lock:
                    self.done += 1
        except BaseException as error:
            self.errors.append(error)
        finally:
            connections.close_all()

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def wait_for(self, writes: int) -> None:
        """Until `writes` more excerpts are saved (or a coder failed)."""
        target = self.done + writes
        while self.done < target and not self.errors and any(t.is_alive() for t in self.threads):
            self.stop.wait(0.01)

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in self.threads)


def exported(study) -> bytes:
    out = BytesIO()
    study_export_qdpx(study=study, out=out, include_identifying=True)
    return out.getvalue()


def test_a_backup_taken_while_coders_write_restores_the_studies_at_that_moment(
    owner, tmp_path, fresh_database
):
    studies = [a_study(owner, "First study"), a_study(owner, "Second study")]
    file = tmp_path / "excerpta.backup"
    with Coders(owner, studies) as coders:
        coders.wait_for(20)
        call_command("backup", output=file)
        at_backup = coders.done
        coders.wait_for(20)  # and they go on after it
    assert coders.errors == []
    assert stat.S_IMODE(file.stat().st_mode) == 0o600  # a confidential study's copy

    restored = run_manage("restore", str(file), env=fresh_database)
    assert restored.returncode == 0, restored.stderr
    assert f"from {file}" in restored.stdout
    folder = tmp_path / "restored"
    folder.mkdir()
    keys = export_restored(fresh_database, folder)
    assert sorted(keys) == sorted(study.slug for study, _ in studies)

    in_copy = sum(len(k["excerpts"]) for k in keys.values())
    assert 20 <= in_copy <= at_backup + 4  # a moment during the writing, not before it
    assert in_copy < Excerpt.objects.count()  # nor after it: the coders went on
    for study, _ in studies:
        copy = keys[study.slug]
        # Writers of one study queue on its revision, so its rows are numbered in the order
        # they were committed: a copy of one moment holds the first n of them, no gap.
        for model, path, name in [
            (Excerpt, "interview__study", "excerpts"),
            (Code, "study", "codes"),
            (Coding, "code__study", "codings"),
        ]:
            original = sorted(model.objects.filter(**{path: study}).values_list("pk", flat=True))
            assert copy[name] == original[: len(copy[name])], name
        # The original at the backup's moment: without what was written after it.
        Excerpt.objects.filter(interview__study=study).exclude(pk__in=copy["excerpts"]).delete()
        Code.objects.filter(study=study).exclude(pk__in=copy["codes"]).delete()
        Coding.objects.filter(code__study=study).exclude(pk__in=copy["codings"]).delete()
        study.refresh_from_db()
        assert (folder / f"{study.slug}.qdpx").read_bytes() == exported(study), study.slug


def test_a_restore_refuses_a_database_that_is_not_empty(owner, tmp_path):
    study, _ = a_study(owner, "Kept study")
    file = tmp_path / "excerpta.backup"
    call_command("backup", output=file)
    coding.code_create(study=study, name="After the backup")
    with pytest.raises(CommandError, match=r"is not empty \(\d+ tables: .*nothing was restored"):
        call_command("restore", str(file))
    assert Code.objects.filter(name="After the backup").exists()
    assert Study.objects.count() == 1


def test_a_restore_refuses_what_is_not_a_backup_of_this_database(tmp_path, fresh_database):
    other = tmp_path / "other.backup"
    # The other engine's backup: its first bytes are all a restore reads before refusing.
    other.write_bytes(
        (b"PGDMP" if connection.vendor == "sqlite" else backup.SQLITE_MAGIC) + bytes(200)
    )
    done = run_manage("restore", str(other), env=fresh_database)
    assert done.returncode == 1
    assert "is a backup of a" in done.stderr
    assert "Restore it into a" in done.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("R1 said")
    done = run_manage("restore", str(notes), env=fresh_database)
    assert "is not an Excerpta backup" in done.stderr
    done = run_manage("restore", str(tmp_path / "missing.backup"), env=fresh_database)
    assert "There is no backup file at" in done.stderr


def test_a_damaged_backup_restores_nothing(owner, tmp_path, fresh_database):
    a_study(owner, "Study")
    file = tmp_path / "excerpta.backup"
    call_command("backup", output=file)
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])  # cut short, as by a full disk
    done = run_manage("restore", str(file), env=fresh_database)
    assert done.returncode == 1
    assert "nothing was restored" in done.stderr.lower()
    # The fresh database is still empty: a second, whole backup restores into it.
    file.write_bytes(data)
    assert run_manage("restore", str(file), env=fresh_database).returncode == 0


def test_a_backup_never_overwrites_nor_leaves_a_partial_file(owner, tmp_path):
    file = tmp_path / "excerpta.backup"
    file.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists already: choose a new name"):
        call_command("backup", output=file)
    assert file.read_bytes() == b"yesterday's backup"
    call_command("backup", output=file, replace=True)
    assert file.read_bytes() != b"yesterday's backup"
    with pytest.raises(CommandError, match="does not exist: create it first"):
        call_command("backup", output=tmp_path / "nowhere" / "excerpta.backup")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["excerpta.backup"]


def test_the_postgresql_password_never_reaches_the_command_line(monkeypatch, tmp_path):
    seen = {}

    def run(command, env, **kwargs):
        seen["command"], seen["env"] = command, env
        passfile = Path(env["PGPASSFILE"])
        seen["mode"] = stat.S_IMODE(passfile.stat().st_mode)
        seen["passfile"] = (passfile, passfile.read_text())
        return type("Done", (), {"returncode": 0, "stderr": ""})()

    settings = {"NAME": "excerpta", "USER": "app", "PASSWORD": r"se:cr\et", "HOST": "db"}
    monkeypatch.setattr(backup.subprocess, "run", run)
    monkeypatch.setattr(backup, "_pg_binary", lambda program: program)
    backup._pg_run("pg_dump", ["--format=custom"], tmp_path / "out", database=settings)
    assert not any("se:cr" in part for part in seen["command"])
    assert "PGPASSWORD" not in seen["env"]
    assert (seen["env"]["PGHOST"], seen["env"]["PGUSER"]) == ("db", "app")
    assert seen["mode"] == 0o600
    passfile, written = seen["passfile"]
    assert written == "*:*:*:*:se\\:cr\\\\et\n"  # libpq's escapes of : and \
    assert not passfile.exists()


def test_a_restored_sqlite_database_is_readable_by_its_owner_only(owner, tmp_path, fresh_database):
    """A restore into a new SQLite file left it (and its -wal and -shm) as the umask made
    it, 0644: every account on the machine could read the study's transcripts."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's files are the server's: its own permissions keep them")
    a_study(owner, "First study")
    file = tmp_path / "excerpta.backup"
    call_command("backup", output=file)

    restored = run_manage("restore", str(file), env=fresh_database)
    assert restored.returncode == 0, restored.stderr
    # Open it as the app would (WAL), so that its -wal and -shm exist while it is read.
    database = tmp_path / "restored.sqlite3"
    opened = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from interviews.models import Study; print(Study.objects.count())",
        env=fresh_database,
    )
    assert opened.stdout.strip() == "1", opened.stderr
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    for companion in tmp_path.glob("restored.sqlite3-*"):
        assert stat.S_IMODE(companion.stat().st_mode) == 0o600, companion
