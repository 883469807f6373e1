"""The ledger's stamp: a number that changes whenever anything the figures are read from
changes, kept by the database itself.

Triggers on every table of the ledger's apps count each write, whoever makes it — the
writers, a bulk insert, ``QuerySet.update``, the admin, a migration or raw SQL — so a
figure computed under one stamp is known to be current as long as the stamp has not moved
(``monitoring.kept``). The triggers are (re)installed after every ``migrate``: a migration
that rebuilds a table on SQLite drops its triggers, and the next install puts them back.

- SQLite lets one writer in at a time, so each written row counts the stamp's one row up.
- PostgreSQL lets writers run side by side; a counter row would make each wait for the
  others until it commits, so each writing statement adds a row to ``LedgerChange``
  instead (no lock), and the stamp is the stamp row's ``n`` plus those rows, read in one
  statement (one snapshot). From time to time the rows are folded into ``n``.

A stamp is read only outside a transaction (see ``current``): inside one, a reader could
see its own uncommitted writes and file figures under a stamp that a rollback gives back.
Rows committed after the stamp is read can only make figures newer than their stamp, never
older, so a figure kept under a stamp is never behind it.
"""

from __future__ import annotations

import logging
import secrets

from django.apps import apps
from django.db import connection

log = logging.getLogger(__name__)

#: the apps whose tables the figures are read from (a test holds every table a snapshot
#: reads to this list)
LEDGER_APPS = ("projects", "reporting", "monitoring", "regions")
PREFIX = "tz_stamp_"
FOLD_AT = 5000  # PostgreSQL: fold the change rows into the stamp once there are this many


def ledger_tables() -> list[str]:
    """Every table of the ledger's apps (their history too: the health checks read it) but
    the stamp's own."""
    from .models import LedgerChange, LedgerStamp

    own = {LedgerStamp._meta.db_table, LedgerChange._meta.db_table}
    tables = set()
    for label in LEDGER_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.managed and not model._meta.proxy and table not in own:
                tables.add(table)
    return sorted(tables)


def install(using_connection=None) -> int:
    """Create (or re-create) the triggers; returns how many tables carry one."""
    conn = using_connection or connection
    from .models import LedgerChange, LedgerStamp

    stamp, change = LedgerStamp._meta.db_table, LedgerChange._meta.db_table
    existing = set(conn.introspection.table_names())
    if not {stamp, change} <= existing:  # migrated back before the stamp: no triggers at all
        uninstall(conn)
        return 0
    tables = [t for t in ledger_tables() if t in existing]  # a ledger app migrated back: its tables now
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PREFIX}touched() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN INSERT INTO {change} DEFAULT VALUES; RETURN NULL; END $$"
            )
            for table in tables:
                name = conn.ops.quote_name(PREFIX + table)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {conn.ops.quote_name(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                    f"{conn.ops.quote_name(table)} FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}touched()"
                )
        elif conn.vendor == "sqlite":
            for table in tables:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    name = conn.ops.quote_name(f"{PREFIX}{table}_{op.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {op} ON {conn.ops.quote_name(table)} "
                        f"BEGIN UPDATE {stamp} SET n = n + 1; END"
                    )
        else:  # no triggers: figures are never kept (see ``installed``)
            return 0
        # Whatever was written while a table had no trigger (a migration rebuilds a SQLite table,
        # then a data migration writes to it) went uncounted: a new epoch makes every kept
        # figure old.
        cursor.execute(f"DELETE FROM {stamp}")
    return len(tables)


def uninstall(using_connection=None) -> None:
    """Drop every stamp trigger (and PostgreSQL's function)."""
    conn = using_connection or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE t.tgname LIKE %s AND NOT t.tgisinternal", [PREFIX + "%"])
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {conn.ops.quote_name(name)} ON {conn.ops.quote_name(table)}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PREFIX}touched()")
        elif conn.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {conn.ops.quote_name(name)}")


def installed(using_connection=None) -> set[str]:
    """The ledger tables that carry a stamp trigger now."""
    conn = using_connection or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                           "WHERE t.tgname LIKE %s AND NOT t.tgisinternal", [PREFIX + "%"])
            return {row[0] for row in cursor.fetchall()}
        if conn.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                           [PREFIX + "%"])
            return {row[0] for row in cursor.fetchall()}
    return set()


def complete(using_connection=None) -> bool:
    """Whether every ledger table carries its trigger (if not, nothing is kept)."""
    return set(ledger_tables()) <= installed(using_connection)


def current(using: str = "default") -> tuple[int, int] | None:
    """(epoch, count) of the ledger as committed now; None inside a transaction or where
    the database keeps no stamp."""
    from django.db import connections

    connection = connections[using]
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return None
    from .models import LedgerChange, LedgerStamp

    stamp, change = LedgerStamp._meta.db_table, LedgerChange._meta.db_table
    with connection.cursor() as cursor:
        for _attempt in range(2):
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT s.epoch, s.n, (SELECT count(*) FROM {change}) FROM {stamp} s WHERE s.id = 1")
            else:
                cursor.execute(f"SELECT epoch, n, 0 FROM {stamp} WHERE id = 1")
            row = cursor.fetchone()
            if row is not None:
                epoch, n, pending = row
                if pending > FOLD_AT:
                    _fold(cursor, stamp, change)
                return epoch, n + pending
            # made anew (first use, or after a flush): a new epoch, so no old count can match
            if connection.vendor == "postgresql":
                cursor.execute(f"INSERT INTO {stamp} (id, epoch, n) VALUES (1, %s, 0) ON CONFLICT DO NOTHING",
                               [secrets.randbits(62)])
            else:
                cursor.execute(f"INSERT OR IGNORE INTO {stamp} (id, epoch, n) VALUES (1, %s, 0)",
                               [secrets.randbits(62)])
    return None


def _fold(cursor, stamp: str, change: str) -> None:
    """Move PostgreSQL's change rows into the count, in one statement (the sum stays the same
    for every reader: each sees the rows either before or after)."""
    cursor.execute(f"WITH gone AS (DELETE FROM {change} RETURNING 1) "
                   f"UPDATE {stamp} SET n = n + (SELECT count(*) FROM gone) WHERE id = 1")
