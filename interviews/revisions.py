"""The study's revision: one number that moves with every write to what the roll-up of
codes into themes is computed from (excerpts, codings, codes, themes, respondents,
interviews, questions and their sections), so that a roll-up cached under it is never
read once it is stale (see themes.rollup.study_rollup).

Every service that writes those rows calls `study_revision_bump` inside the transaction of
its write: the two commit together or not at all. It comes first in the transaction, before
any other lock is taken (hold(Study) excepted, the same row): the study's row is then the
first lock of every writer, so that two writers never wait for each other's locks in
opposite orders (a deadlock, on PostgreSQL). tests/test_revisions.py walks every such
service and checks that the revision moved and the themes page shows the new count. A
write that turns out to change nothing takes its bump back (`study_revision_keep`), so that
the cached roll-up stays in use; tests/test_noop_writes.py checks each such write.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError

from .models import Study
from .sql import revision_bump_returning


def study_revision_bump(study_id: int) -> int:
    """Inside a transaction: move the study's revision on; returns the new revision (one
    statement where the database can return it from an UPDATE, two otherwise).

    The UPDATE also holds the study's row until the transaction ends (PostgreSQL), like
    interviews.locks.hold. Raises TransactionManagementError outside a transaction, so that
    a bump that could commit apart from its write shows as an error; Study.DoesNotExist
    for a study that is gone.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "study_revision_bump() must run in the transaction of the write it marks."
        )
    if not connection.features.can_return_columns_from_insert:
        Study.objects.filter(pk=study_id).update(revision=F("revision") + 1)
        return Study.objects.values_list("revision", flat=True).get(pk=study_id)
    revision = revision_bump_returning(study_id)
    if revision is None:
        raise Study.DoesNotExist(f"No study {study_id}.")
    return revision


def study_revision_keep() -> None:
    """In the atomic block that began with study_revision_bump, once the service finds its
    write changes nothing (removing a code that is not there, adding one that is, moving a
    theme past the end): the block rolls back as it ends, the bump with it, so the roll-up
    cached under the revision stays in use (recomputed, it costs about 350 ms at the
    benchmark's default scale instead of 15). The bump still came first, so the block held
    the study's row (PostgreSQL) before any other lock while it found out, as every writer
    does; the rollback then releases it. Everything else the block wrote is undone too:
    call it only when nothing it wrote must stay, and in the block of the bump itself (an
    inner block would roll back only itself). Raises TransactionManagementError outside a
    transaction.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "study_revision_keep() must run in the transaction of the bump it takes back."
        )
    transaction.set_rollback(True)


def study_revision(study_id: int) -> tuple[int, str]:
    """The study's revision as it is now in the database, with the study's creation time
    (ISO 8601): together they name one state of one study, even when a deleted study's id
    is used again (SQLite reuses the highest id). Raises Study.DoesNotExist."""
    revision, created_at = Study.objects.values_list("revision", "created_at").get(pk=study_id)
    return revision, created_at.isoformat()


def page_revision(request, study: Study) -> tuple[int, str]:
    """`study_revision` for the key of a page's cached regions (core.fragments), read
    before anything the regions show.

    A GET or HEAD writes nothing: the study's row its access query read (interviews.access)
    is that, with no query. Any other request may have written since it read that row (a
    code attached, then the list redrawn), so the revision is read again, after the write:
    the row's would find the region as it was before the write.
    """
    if request.method in ("GET", "HEAD"):
        return study.revision, study.created_at.isoformat()
    return study_revision(study.pk)
