"""Row locks that make a read-then-write safe when two requests race.

On PostgreSQL each helper takes a row lock that lasts until the transaction ends: a second
request doing the same waits, then reads what the first wrote (READ COMMITTED gives each
statement a fresh view). On SQLite the IMMEDIATE transaction (settings.SQLITE_OPTIONS)
already holds the database's write lock from its first statement, so nothing is sent there.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Model
from django.db.transaction import TransactionManagementError


def hold(model: type[Model], pk: int) -> None:
    """Inside a transaction: wait for, then hold until it ends, the lock of one row.

    The lock is FOR NO KEY UPDATE: it queues writers of the same row (order numbers,
    get-or-create, a JSON field read and written back) but lets others insert rows that
    point at it. Raises TransactionManagementError outside a transaction, on every database,
    so that a missing `atomic` shows in the SQLite tests too.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("hold() only means something inside a transaction.")
    if connection.features.has_select_for_update:
        rows = model._base_manager.select_for_update(no_key=True).filter(pk=pk)
        list(rows.values_list("pk"))
