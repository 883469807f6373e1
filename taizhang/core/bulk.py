"""Inserting many rows at once, with their history, for imports.

Django's ``bulk_create`` sends every value of every row through the SQL compiler's checks
for expressions (about 45 calls a row); an import of 10,000 projects writes some 70,000
rows of plain values and spent most of its time there. :func:`insert` stores exactly what
``bulk_create`` would (the fields' ``pre_save`` stamps, related objects' keys, values
prepared by each field's own ``get_db_prep_save``, primary keys read back) in one statement
per batch. :func:`insert_with_history` also writes the rows django-simple-history's
``bulk_create_with_history`` would (each row's user, reason, date and type "+"), copied by
the database from the rows just inserted. :func:`few_collections` keeps Python's cycle
collector from walking the growing heap again and again while they build their objects.

Anything these do not cover (a model with parents, a primary key given, a field with its
own SQL placeholder, a backend that cannot return keys) goes to Django's own functions.
"""

from __future__ import annotations

import datetime as dt
import gc
import sqlite3
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from decimal import Decimal
from operator import attrgetter

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Field
from django.utils import timezone


def _plain(model) -> bool:
    opts = model._meta
    return not opts.parents and not any(hasattr(f, "get_placeholder") or f.generated for f in opts.concrete_fields)


def _max_params(connection) -> int:
    if connection.vendor == "sqlite":
        # Django assumes SQLite's old default of 999; the library in use says its own.
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # no connection yet, or an older Python
            return connection.features.max_query_params or 999
    return connection.features.max_query_params or 65_535  # libpq's limit per statement


def _execute(connection, table: str, columns: list[str], rows: list[list], returning=None) -> list:
    """INSERT ``rows`` (prepared values) into ``table`` in as few statements as the backend
    allows; the ``returning`` field's value of each row, in order, if asked."""
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    tail = ""
    if returning:
        tail, _ = connection.ops.return_insert_columns([returning])
        tail = " " + tail
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    size = max(1, _max_params(connection) // max(1, len(columns)))
    if connection.vendor == "sqlite":
        size = min(size, 500)  # SQLITE_MAX_COMPOUND_SELECT also bounds a VALUES list
    returned = []
    statement = None
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            if statement is None or len(batch) != size:
                statement = head + ", ".join([one] * len(batch)) + tail
            cursor.execute(statement, [v for row in batch for v in row])
            if returning:
                returned.extend(r[0] for r in cursor.fetchall())
    return returned


#: Fields whose prepared value is the value itself when it is of this type (or None; text
#: also when it is a str subclass such as a choices member, which CharField passes on as is).
_AS_IS = {models.CharField: str, models.TextField: str, models.IntegerField: int,
          models.PositiveIntegerField: int, models.PositiveSmallIntegerField: int, models.SmallIntegerField: int,
          models.BigIntegerField: int, models.AutoField: int, models.BigAutoField: int, models.ForeignKey: int,
          models.BooleanField: bool}


def _preparers(fields, connection) -> list:
    """Each field's ``get_db_prep_save``, skipped where it would hand the value back as is."""
    out = []
    for f in fields:
        kind = _AS_IS.get(type(f))
        if type(f) is models.ForeignKey and type(f.target_field) not in (models.AutoField, models.BigAutoField):
            kind = None
        prep = f.get_db_prep_save
        if type(f) is models.DateTimeField and connection.vendor == "sqlite" and connection.timezone is dt.UTC:
            prep = _sqlite_utc(prep)
        if type(f) is models.DecimalField and (type(connection.ops).adapt_decimalfield_value
                                               is BaseDatabaseOperations.adapt_decimalfield_value):
            prep = _finite_decimal(prep)
        if type(f) is models.DateField and (type(connection.ops).adapt_datefield_value
                                            is BaseDatabaseOperations.adapt_datefield_value):
            prep = _date_text(prep)
        out.append((f.attname, kind, prep))
    return out


def _date_text(generic):
    """A DateField's value where the backend takes dates as text (SQLite): a date is its
    ISO text, as the backend's adapter writes it."""
    def prep(value, connection):
        if type(value) is dt.date:
            return str(value)
        return generic(value, connection)
    return prep


def _finite_decimal(generic):
    """A DecimalField's value where the backend takes decimals as they are: a finite
    Decimal is its own prepared value (``to_python`` copies it, the adapter passes it on)."""
    def prep(value, connection):
        if type(value) is Decimal and value.is_finite():
            return value
        return generic(value, connection)
    return prep


def _sqlite_utc(generic):
    """A DateTimeField's value for SQLite keeping UTC: an aware UTC time (``timezone.now()``)
    is written as its naive text, as the backend's adapter does after converting it to UTC.
    (The last one is remembered: an insert stamps all its rows with one moment.)"""
    last: list = [None, None]

    def prep(value, connection):
        if type(value) is dt.datetime and value.tzinfo is dt.UTC:
            if value is not last[0]:
                last[:] = value, str(value.replace(tzinfo=None))
            return last[1]
        return generic(value, connection)
    return prep


_NONE = type(None)


def _prepared(obj, preparers, connection, extra: dict | None = None) -> list:
    row = []
    for name, kind, prep in preparers:
        v = extra[name] if extra and name in extra else getattr(obj, name)
        row.append(v if v is None or type(v) is kind or (kind is str and isinstance(v, str)) else prep(v, connection))
    return row


def _related_ids(obj, relations) -> None:
    """What ``Model._prepare_related_fields_for_save`` does before a bulk insert: a related
    object assigned before it was saved gives its key now. (``relations``: each foreign
    key's cache name, the related model's key attribute, the field.)"""
    cache = obj._state.fields_cache
    if not cache:
        return
    for cache_name, target, f in relations:
        related = cache.get(cache_name)
        if related is None:
            continue
        key = getattr(related, target)
        if key is None:
            raise ValueError(f"bulk_create() prohibited to prevent data loss due to unsaved related object "
                             f"'{f.name}'.")
        if getattr(obj, f.attname) != key:
            setattr(obj, f.attname, key)


def _rows(objs, preparers, connection) -> list:
    """Each object's prepared values, as :func:`_prepared` gives them: all values read at
    once, and the fields to prepare decided once for each combination of the values' types
    (the rows of an import share a few)."""
    if len(preparers) < 2:
        return [_prepared(obj, preparers, connection) for obj in objs]
    values_of = attrgetter(*(name for name, _kind, _prep in preparers))
    plans: dict[tuple, list] = {}
    rows = []
    for obj in objs:
        values = values_of(obj)
        types = tuple(map(type, values))
        plan = plans.get(types)
        if plan is None:
            plan = plans[types] = [(i, prep) for i, ((_name, kind, prep), t) in enumerate(zip(preparers, types, strict=True))
                                   if not (t is _NONE or t is kind or (kind is str and issubclass(t, str)))]
        if plan:
            values = list(values)
            for i, prep in plan:
                values[i] = prep(values[i], connection)
        rows.append(values)
    return rows


def insert(objs: Sequence, model=None, using: str | None = None) -> Sequence:
    """``model.objects.bulk_create(objs)``, faster: the objects get their primary keys."""
    if not objs:
        return objs
    model = model or type(objs[0])
    db = using or router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    if (not _plain(model) or not connection.features.can_return_rows_from_bulk_insert
            or any(o.pk is not None for o in objs)):
        return model._default_manager.using(db).bulk_create(objs)
    fields = [f for f in opts.concrete_fields if f is not opts.pk]
    relations = [(f.cache_name, f.target_field.attname, f) for f in fields if f.many_to_one]
    # auto_now(_add) stamps, as on save(): one moment for the whole insert; a date or time
    # field without them keeps its value (its pre_save only reads it).
    now = timezone.now()
    clock = [f.attname for f in fields if type(f) is models.DateTimeField and (f.auto_now or f.auto_now_add)]
    stamped = [f for f in fields if type(f).pre_save is not Field.pre_save and f.attname not in clock
               and not (type(f) in (models.DateField, models.DateTimeField) and not (f.auto_now or f.auto_now_add))]
    preparers = _preparers(fields, connection)
    for obj in objs:
        _related_ids(obj, relations)
        for name in clock:
            setattr(obj, name, now)
        for f in stamped:
            f.pre_save(obj, True)
    rows = _rows(objs, preparers, connection)
    keys = _execute(connection, opts.db_table, [f.column for f in fields], rows, opts.pk)
    for obj, key in zip(objs, keys, strict=True):
        setattr(obj, opts.pk.attname, key)
        obj._state.adding = False
        obj._state.db = db
    return objs


def insert_with_history(objs: Sequence, model, default_user=None, default_change_reason: str = "",
                        using: str | None = None) -> Sequence:
    """``simple_history.utils.bulk_create_with_history(objs, model, default_user=…,
    default_change_reason=…)``, faster: the objects and a "+" history row for each."""
    from simple_history.utils import bulk_create_with_history

    history = model.history.model
    if not _plain(history):
        return bulk_create_with_history(objs, model, default_user=default_user,
                                        default_change_reason=default_change_reason)
    db = using or router.db_for_write(model)
    with transaction.atomic(using=db, savepoint=False):
        insert(objs, model, db)
        if objs and getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            _history(objs, model, history, connections[db], default_user, default_change_reason)
    return objs


def _history(objs, model, history, connection, default_user, default_change_reason: str) -> None:
    """The "+" rows of just inserted ``objs``, as the library's ``bulk_history_create``
    writes them."""
    from simple_history.utils import get_change_reason_from_object

    tracked = {f.attname for f in history.tracked_fields}
    fields = [f for f in history._meta.concrete_fields if f is not history._meta.pk]
    own = {"history_date", "history_change_reason", "history_type", "history_user_id"}
    if any(f.attname not in tracked | own for f in fields) or hasattr(history, "history_relation"):
        # A history table with fields of its own: let the library fill them.
        history.objects.bulk_history_create(objs, default_user=default_user,
                                            default_change_reason=default_change_reason)
        return
    if not any(hasattr(obj, a) for obj in objs for a in ("_history_user", "_history_date", "_change_reason")):
        _copy_to_history(connection, model, history, fields, objs, default_user, default_change_reason)
        return
    preparers = _preparers(fields, connection)
    rows = []
    for obj in objs:
        # As simple-history's bulk_history_create decides each row's user, reason and date.
        user = getattr(obj, "_history_user", default_user or history.get_default_history_user(obj))
        extra = {
            "history_date": getattr(obj, "_history_date", timezone.now()),
            "history_change_reason": get_change_reason_from_object(obj) or default_change_reason,
            "history_type": "+",
            "history_user_id": getattr(user, "pk", user),
        }
        rows.append(_prepared(obj, preparers, connection, extra))
    _execute(connection, history._meta.db_table, [f.column for f in fields], rows, None)


def _copy_to_history(connection, model, history, fields, objs, default_user, reason: str) -> None:
    """The history rows of just inserted ``objs`` copied by the database from the rows
    themselves: the same values the library would write, one user, reason and date for
    the batch (the library takes the time again for each row, microseconds apart)."""
    opts = model._meta
    source = {f.attname: f.column for f in opts.concrete_fields}
    user = default_user or history.get_default_history_user(objs[0])
    own = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", user),
    }
    qn = connection.ops.quote_name
    selected, params = [], []
    for f in fields:
        if f.attname in own:
            selected.append("%s")
            params.append(f.get_db_prep_save(own[f.attname], connection))
        else:
            selected.append(qn(source[f.attname]))
    head = (f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"SELECT {', '.join(selected)} FROM {qn(opts.db_table)} WHERE {qn(opts.pk.column)} IN ")
    keys = [o.pk for o in objs]
    size = max(1, _max_params(connection) - len(params))
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(keys), size):
            batch = keys[start:start + size]
            cursor.execute(head + "(" + ", ".join(["%s"] * len(batch)) + f") ORDER BY {qn(opts.pk.column)}",
                           params + batch)


_COLLECTING = threading.Lock()
_working = 0
_thresholds: tuple[int, ...] = ()


@contextmanager
def few_collections(first: int = 50_000):
    """Work that builds many objects that live until it ends (an import's rows, their
    models, their history): Python's cycle collector runs after every 700 new objects and,
    as the heap grows, walks all of it again and again (a quarter of a 10,000-row import's
    time). Inside, it waits for ``first`` new objects instead; reference counting frees
    everything else as before. Threads share the collector: the thresholds are put back when
    the last such work ends."""
    global _working, _thresholds
    with _COLLECTING:
        if _working == 0:
            _thresholds = gc.get_threshold()
            gc.set_threshold(max(first, _thresholds[0]), *_thresholds[1:])
        _working += 1
    try:
        yield
    finally:
        with _COLLECTING:
            _working -= 1
            if _working == 0:
                gc.set_threshold(*_thresholds)
