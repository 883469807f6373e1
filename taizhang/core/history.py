"""Who changed what, also outside web requests.

django-simple-history takes the user from the request. Commands, imports and
services run without one, so :func:`change_context` sets the acting user and the
reason for every historical record written inside it (NetBox's change log
"bails if no request" and misses them; we don't).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


@dataclass(frozen=True)
class _Context:
    user: object | None
    reason: str


_current: contextvars.ContextVar[_Context | None] = contextvars.ContextVar(
    "taizhang_change_context", default=None
)


@contextmanager
def change_context(user=None, reason: str = "") -> Iterator[None]:
    """Attribute every change made inside the block to ``user`` with ``reason``."""
    outer = _current.get()
    if user is None and outer is not None:
        user = outer.user
    token = _current.set(_Context(user=user, reason=reason or (outer.reason if outer else "")))
    try:
        yield
    finally:
        _current.reset(token)


def history_user(instance, request=None, **kwargs):
    """``get_user`` for HistoricalRecords: the change context first, then the request."""
    ctx = _current.get()
    if ctx is not None and ctx.user is not None:
        return ctx.user
    explicit = getattr(instance, "_history_user", None)
    if explicit is not None:
        return explicit
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


@receiver(pre_create_historical_record)
def _attach_reason(sender, instance, history_instance, **kwargs):
    ctx = _current.get()
    if ctx is not None and ctx.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = ctx.reason


#: bookkeeping fields that change on every save and say nothing to a reader
_QUIET_FIELDS = {"id", "created", "updated", "version"}


def history_rows(records, model, limit: int = 200, group_by: str | None = None):
    """Turn a history queryset (newest first) into rows with before/after per field.

    Each row: {"when", "user", "type", "reason", "changes": [(label, old, new), ...]}.
    ``group_by`` names the field whose equal values make one record's history
    (e.g. ``"id"`` when several records' histories are listed together).
    """
    records = list(records.select_related("history_user")[: limit + 1])
    fields = {f.name: f for f in model._meta.fields if f.name not in _QUIET_FIELDS}
    seen: dict = {}  # related objects already named: a page of history looks each up once
    linked = _linked(records, seen)
    rows = []
    for i, record in enumerate(records[:limit]):
        previous = None
        for older in records[i + 1:]:
            if group_by is None or getattr(older, group_by) == getattr(record, group_by):
                previous = older
                break
        changes = []
        if previous is not None and record.history_type == "~":
            # Compared by hand: simple-history's diff_against skips non-editable fields
            # such as the stage, which is exactly what a reader wants to see change.
            for field in fields.values():
                old, new = getattr(previous, field.attname, None), getattr(record, field.attname, None)
                if old != new:
                    changes.append((str(field.verbose_name), _shown(field, old, seen), _shown(field, new, seen)))
            for field, sets in linked:  # the records a many-to-many field links, as each record kept them
                old, new = sets.get(previous.pk, set()), sets.get(record.pk, set())
                if old != new:
                    changes.append((str(field.verbose_name), _names(field, old, seen), _names(field, new, seen)))
        rows.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "type": record.get_history_type_display(),
                "reason": record.history_change_reason or "",
                "changes": changes,
                "record": record,
            }
        )
    return rows


def _linked(records, seen: dict) -> list[tuple]:
    """For each many-to-many field the history keeps (simple-history's ``m2m_fields``): the ids it
    linked at each record, read in one query per field; the linked records' names looked up once."""
    if not records:
        return []
    out = []
    for field in getattr(records[0], "_history_m2m_fields", ()):
        rows = getattr(records[0], field.name).model  # the history of the links
        target = field.m2m_reverse_field_name()
        sets: dict = {}
        for history_id, linked_id in rows.objects.filter(history__in=[r.pk for r in records]).values_list(
                "history_id", f"{target}_id"):
            sets.setdefault(history_id, set()).add(linked_id)
        wanted = {pk for ids in sets.values() for pk in ids} - {pk for m, pk in seen if m is field.related_model}
        for obj in field.related_model._default_manager.filter(pk__in=wanted):
            seen[(field.related_model, obj.pk)] = str(obj)
        out.append((field, sets))
    return out


def _names(field, ids: set, seen: dict) -> str:
    return "、".join(str(seen.get((field.related_model, pk), pk)) for pk in sorted(ids))


def _shown(field, value, seen: dict):
    if value in (None, ""):
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        key = (field.related_model, value)
        if key not in seen:
            related = field.related_model._default_manager.filter(pk=value).first()
            seen[key] = str(related) if related is not None else value
        return seen[key]
    return value
