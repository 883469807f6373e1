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
import zlib

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
    from .models import LedgerChange, LedgerStamp, LedgerTouch

    own = {LedgerStamp._meta.db_table, LedgerChange._meta.db_table, LedgerTouch._meta.db_table}
    tables = set()
    for label in LEDGER_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            table = model._meta.db_table
            if model._meta.managed and not model._meta.proxy and table not in own:
                tables.add(table)
    return sorted(tables)


#: PostgreSQL: the writing transaction's id, as a number (it orders touches against a snapshot)
_XID = "pg_current_xact_id()::text::bigint"


def _model_of(table: str):
    for label in LEDGER_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.db_table == table:
                return model
    return None


def _project_of(table: str, row: str, ref: str | None = None) -> str:
    """SQL for the project a written row of ``table`` belongs to (``row`` is NEW, OLD or an
    alias), or NULL when the row is not one project's."""
    from taizhang.projects.models import MonthlyProgress, Project

    model = _model_of(table)
    columns = {f.column: f for f in model._meta.concrete_fields} if model else {}
    if model is not None and getattr(model, "instance_type", model) is Project:  # a project, or its history
        return f"{row}.id"
    if "project_id" in columns:
        return f"{row}.project_id"
    report = columns.get("report_id")
    if report is not None and report.related_model is MonthlyProgress:
        return (f"(SELECT m.project_id FROM {MonthlyProgress._meta.db_table} m "
                f"WHERE m.id = {row}.report_id)")
    return "NULL"


def _short(table: str) -> str:
    """A function's name for ``table`` within PostgreSQL's 63 characters (with prefix and event)."""
    return table if len(table) <= 46 else f"{table[:37]}_{zlib.crc32(table.encode()):08x}"


def install(using_connection=None) -> int:
    """Create (or re-create) the triggers; returns how many tables carry one."""
    conn = using_connection or connection
    from .models import LedgerChange, LedgerStamp, LedgerTouch

    stamp, change, touch = (LedgerStamp._meta.db_table, LedgerChange._meta.db_table,
                            LedgerTouch._meta.db_table)
    existing = set(conn.introspection.table_names())
    if not {stamp, change, touch} <= existing:  # migrated back before the stamp: no triggers at all
        uninstall(conn)
        return 0
    tables = [t for t in ledger_tables() if t in existing]  # a ledger app migrated back: its tables now
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PREFIX}touched() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN INSERT INTO {change} DEFAULT VALUES; RETURN NULL; END $$"
            )
            # a write not of one project (and TRUNCATE, which names no rows) touches "everything"
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PREFIX}touched_all() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN INSERT INTO {touch} (mark, project_id) VALUES ({_XID}, NULL); RETURN NULL; END $$"
            )
            for table in tables:
                quoted = conn.ops.quote_name(table)
                name = conn.ops.quote_name(PREFIX + table)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {quoted}")
                cursor.execute(
                    f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                    f"{quoted} FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}touched()"
                )
                truncate = conn.ops.quote_name(f"{PREFIX}{table}_truncate")
                cursor.execute(f"DROP TRIGGER IF EXISTS {truncate} ON {quoted}")
                cursor.execute(f"CREATE TRIGGER {truncate} AFTER TRUNCATE ON {quoted} "
                               f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}touched_all()")
                # each statement's rows, as the transition tables hold them: one touch a project
                for op, refs in (("INSERT", ("new_rows",)), ("UPDATE", ("new_rows", "old_rows")),
                                 ("DELETE", ("old_rows",))):
                    trigger = conn.ops.quote_name(f"{PREFIX}{table}_{op.lower()}")
                    function = f"{PREFIX}{_short(table)}_{op.lower()}"
                    projects = " UNION ".join(f"SELECT {_project_of(table, 'r', ref)} AS p FROM {ref} r"
                                              for ref in refs)
                    cursor.execute(
                        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                        f"BEGIN INSERT INTO {touch} (mark, project_id) SELECT {_XID}, p::bigint FROM ({projects}) t; "
                        f"RETURN NULL; END $$"
                    )
                    referencing = " ".join(f"{'NEW' if ref == 'new_rows' else 'OLD'} TABLE AS {ref}" for ref in refs)
                    cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {quoted}")
                    cursor.execute(
                        f"CREATE TRIGGER {trigger} AFTER {op} ON {quoted} REFERENCING {referencing} "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
                    )
        elif conn.vendor == "sqlite":
            for table in tables:
                for op in ("INSERT", "UPDATE", "DELETE"):
                    name = conn.ops.quote_name(f"{PREFIX}{table}_{op.lower()}")
                    rows = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}[op]
                    touched = []
                    for i, row in enumerate(rows):
                        project = _project_of(table, row)
                        also = f" AND {project} IS NOT {_project_of(table, rows[0])}" if i else ""
                        touched.append(f"INSERT INTO {touch} (mark, project_id) SELECT n, {project} "
                                       f"FROM {stamp} WHERE id = 1{also};")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {op} ON {conn.ops.quote_name(table)} "
                        f"BEGIN UPDATE {stamp} SET n = n + 1; {' '.join(touched)} END"
                    )
        else:  # no triggers: figures are never kept (see ``installed``)
            return 0
        # Whatever was written while a table had no trigger (a migration rebuilds a SQLite table,
        # then a data migration writes to it) went uncounted: a new epoch makes every kept
        # figure old.
        cursor.execute(f"DELETE FROM {stamp}")
        cursor.execute(f"DELETE FROM {touch}")
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
            cursor.execute("SELECT proname FROM pg_proc WHERE proname LIKE %s", [PREFIX + "%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {conn.ops.quote_name(name)}()")
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
    found = read(using)
    return None if found is None else found[0]


def read(using: str = "default") -> tuple[tuple[int, int], object] | None:
    """The stamp (``current``) and, read in the same statement, the position of the touches
    it stands at (``changed_since``): SQLite's count, PostgreSQL's snapshot."""
    from django.db import connections

    connection = connections[using]
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return None
    from .models import LedgerChange, LedgerStamp, LedgerTouch

    stamp, change, touch = LedgerStamp._meta.db_table, LedgerChange._meta.db_table, LedgerTouch._meta.db_table
    with connection.cursor() as cursor:
        for _attempt in range(2):
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT s.epoch, s.n, (SELECT count(*) FROM {change}), pg_current_snapshot()::text, "
                               f"s.touched_from FROM {stamp} s WHERE s.id = 1")
            else:
                cursor.execute(f"SELECT epoch, n, 0, n, touched_from FROM {stamp} WHERE id = 1")
            row = cursor.fetchone()
            if row is not None:
                epoch, n, pending, position, touched_from = row
                if pending > FOLD_AT:
                    _fold(cursor, stamp, change, touch)
                elif connection.vendor == "sqlite" and n - touched_from > 2 * KEEP_TOUCHES:
                    _drop_touches(connection, cursor, stamp, touch, n - KEEP_TOUCHES)
                return (epoch, n + pending), position
            # made anew (first use, or after a flush): a new epoch, so no old count can match
            if connection.vendor == "postgresql":
                cursor.execute(f"INSERT INTO {stamp} (id, epoch, n, touched_from) VALUES (1, %s, 0, 0) "
                               f"ON CONFLICT DO NOTHING", [secrets.randbits(62)])
            else:
                cursor.execute(f"INSERT OR IGNORE INTO {stamp} (id, epoch, n, touched_from) VALUES (1, %s, 0, 0)",
                               [secrets.randbits(62)])
    return None


def mark(using: str = "default") -> tuple[int, int] | None:
    """The stamp as committed now, for :func:`holds` (``core.marks``' provider): None inside a
    transaction, where the database keeps no stamp, or where a ledger table lacks its trigger
    (its writes would go uncounted)."""
    from django.db import connections

    connection = connections[using]
    if connection.in_atomic_block or not complete(connection):
        return None
    return current(using)


def holds(mark: tuple[int, int] | None, using: str = "default") -> bool:
    """Inside a transaction: whether it sees the ledger exactly as it was when ``mark`` (a
    stamp read outside any transaction, so committed) was read. The stamp as this transaction
    sees it counts what was committed before it plus its own writes, and neither goes back
    (a rollback gives back only what was never committed): the same stamp means nothing was
    written since, by anyone, this transaction included.

    What the transaction reads after this is the same ledger: on SQLite a transaction holds
    the write lock from its start (``BEGIN IMMEDIATE``), so nothing is committed until it
    ends. On PostgreSQL (READ COMMITTED) each statement sees what was committed before it, so
    the answer is about the moment of this statement, as any of the transaction's reads is
    about its own: work decided under ``mark`` is as current as work decided at this point
    of the transaction, and whatever is committed afterwards is met by the usual locks and
    constraints of the writes that follow."""
    from django.db import connections

    connection = connections[using]
    if mark is None or not connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return False
    if not complete(connection):
        return False
    from .models import LedgerChange, LedgerStamp

    stamp, change = LedgerStamp._meta.db_table, LedgerChange._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT s.epoch, s.n + (SELECT count(*) FROM {change}) FROM {stamp} s WHERE s.id = 1")
        else:
            cursor.execute(f"SELECT epoch, n FROM {stamp} WHERE id = 1")
        row = cursor.fetchone()
    return row is not None and (row[0], row[1]) == tuple(mark)


#: PostgreSQL: more touches than this many per project allowed for are not read (figures are
#: computed afresh); one row per project per writing statement, so a few per saved report
TOUCHES_PER_PROJECT = 20
KEEP_TOUCHES = 20000  # SQLite: the touches of the last this many written rows are kept


def _drop_touches(connection, cursor, stamp: str, touch: str, upto: int) -> None:
    """SQLite: forget the touches up to ``upto``; figures kept from before it are computed again."""
    from django.db import transaction

    with transaction.atomic(using=connection.alias):
        cursor.execute(f"UPDATE {stamp} SET touched_from = %s WHERE id = 1 AND touched_from < %s", [upto, upto])
        cursor.execute(f"DELETE FROM {touch} WHERE mark <= %s", [upto])


def changed_since(position, using: str = "default", limit: int = 1000) -> set[int] | None:
    """The projects written to since ``position`` (from ``read``), or None when that cannot be
    told project by project: a write that is not one project's, more than ``limit`` projects,
    touches already forgotten, or inside a transaction."""
    from django.db import connections

    connection = connections[using]
    if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
        return None
    from .models import LedgerStamp, LedgerTouch

    stamp, touch = LedgerStamp._meta.db_table, LedgerTouch._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT touched_from, pg_snapshot_xmin(%s::pg_snapshot)::text::bigint "
                           f"FROM {stamp} WHERE id = 1", [position])
            row = cursor.fetchone()
            if row is None or row[0] > row[1]:
                return None
            # Read along the index in order, as many rows as could name ``limit`` projects: a
            # DISTINCT over the range was planned, without fresh statistics, for a third of the
            # table with parallel workers (~10 ms to start them, for a handful of rows).
            cap = TOUCHES_PER_PROJECT * (limit + 1)
            cursor.execute(f"SELECT project_id FROM {touch} WHERE mark >= %s "
                           f"AND NOT pg_visible_in_snapshot(mark::text::xid8, %s::pg_snapshot) ORDER BY mark LIMIT %s",
                           [row[1], position, cap])
            rows = cursor.fetchall()
            if len(rows) >= cap:
                return None
            found = {p for (p,) in rows}
            return None if len(found) > limit or None in found else found
        else:
            cursor.execute(f"SELECT touched_from <= %s FROM {stamp} WHERE id = 1", [position])
            row = cursor.fetchone()
            if row is None or not row[0]:
                return None
            cursor.execute(f"SELECT DISTINCT project_id FROM {touch} WHERE mark > %s LIMIT %s", [position, limit + 1])
        found = {p for (p,) in cursor.fetchall()}
    if len(found) > limit or None in found:
        return None
    return found


def _fold(cursor, stamp: str, change: str, touch: str) -> None:
    """Move PostgreSQL's change rows into the count, in one statement (the sum stays the same
    for every reader: each sees the rows either before or after); and forget the touches of
    transactions that ended before every one running now (figures kept from before are
    computed again)."""
    cursor.execute(f"WITH gone AS (DELETE FROM {change} RETURNING 1) "
                   f"UPDATE {stamp} SET n = n + (SELECT count(*) FROM gone) WHERE id = 1")
    cursor.execute(f"WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS x), "
                   f"moved AS (UPDATE {stamp} SET touched_from = (SELECT x FROM horizon) WHERE id = 1) "
                   f"DELETE FROM {touch} WHERE mark < (SELECT x FROM horizon)")
