"""Figures kept between requests, as long as the ledger has not changed.

A city's snapshot reads 10,000 projects, their stage histories and five years of reports;
computing it takes seconds. Leaders open the same dashboards many times between two
writes, so a snapshot is kept in this process under the ledger's stamp (``stamp``: moved
by the database on every write to any table the figures are read from) together with
everything else it depends on: the scope's own SQL, the period, which reports count, the
revision, today's date and the language. The first request after a write computes the
figures afresh; the next ones take them as they are. Nothing is kept inside a
transaction, where a reader sees writes that might yet be rolled back.

Kept ahead: a thread of the serving process (``TAIZHANG_KEEP_AHEAD``) looks at the stamp
every ``QUIET`` seconds; once it has moved and then stayed still for one look (the writes
have paused), it computes again the figures asked for in the last ``RECENT`` seconds, most
recent first, with the documents made from them, so the leader who opens the dashboard
after the units have reported finds the figures ready.

Bounded: at most ``TAIZHANG_KEPT_LINES`` project lines in all (a city is 10,000), the
least recently used dropped first; entries under an older stamp are dropped when a newer
one is stored.

Computed once: a request that asks for figures another request (or the keeper) is computing
waits for those instead of computing the same again beside it (after a write, the leaders
who open the city dashboard at once share one computation, and one who arrives while the
keeper computes gets the keeper's).
"""

from __future__ import annotations

import functools
import gc
import logging
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.utils import timezone, translation

from taizhang.projects.choices import Stage

from . import stamp
from .metrics import ALL, Snapshot

log = logging.getLogger(__name__)

QUIET = 2.0  # seconds between two looks at the stamp
RECENT = 900  # figures asked for within this many seconds are kept ahead
AHEAD = 4  # at most this many snapshots computed again after a write

_lock = threading.Lock()
_keeper: threading.Thread | None = None
_stop = threading.Event()
_kept: OrderedDict = OrderedDict()
_computing: dict = {}  # key -> _Pending: figures one thread computes, that others wait for
WAIT = 60  # seconds a request waits for figures another is computing before computing them itself
_complete: dict = {}  # per database alias: whether every ledger table carries its trigger


def _limit() -> int:
    return getattr(settings, "TAIZHANG_KEPT_LINES", 20000)


_TABLES = re.compile(r'(?:FROM|JOIN)\s+["`]?(\w+)', re.I)


@functools.cache
def _stamped() -> frozenset[str]:
    return frozenset(stamp.ledger_tables())


def _triggers_complete(using: str = "default") -> bool:
    """Whether every ledger table carries its trigger, looked at again each minute (a migrate
    reinstalls them and draws a new epoch)."""
    from django.db import connections

    connection = connections[using]
    key = (using, connection.settings_dict.get("NAME"))
    seen = _complete.get(key)
    if seen is None or time.monotonic() - seen[1] > 60:
        seen = _complete[key] = (stamp.complete(connection), time.monotonic())
    return seen[0]


def snapshot(projects, year: int, month: int, basis: str = ALL, as_of=None) -> Snapshot:
    """The figures for ``projects`` (a scoped queryset) in (year, month): kept ones while the
    ledger is unchanged, else computed (and kept)."""
    today = timezone.localdate()
    key, position = _key(projects, year, month, basis, as_of, today)
    if key is None:
        return Snapshot(projects, year, month, basis=basis, as_of=as_of, today=today)
    with _lock:
        snap = _kept.get(key)
        if snap is not None:
            _kept.move_to_end(key)
            snap.asked = time.monotonic()
            return snap
        pending = _computing.get(key)
        mine = pending is None
        if mine:
            pending = _computing[key] = _Pending()
    if not mine:
        # The same figures are being computed (another request, or the keeper): take theirs.
        if pending.done.wait(WAIT) and pending.snap is not None:
            pending.snap.asked = time.monotonic()
            return pending.snap
        return Snapshot(projects, year, month, basis=basis, as_of=as_of, today=today)
    try:
        snap = _compute(key, projects, year, month, basis, as_of, today)
        snap.asked, snap.position = time.monotonic(), position
        _keep(key, snap)
        pending.snap = snap
    finally:
        _finish(key, pending)
    _start_keeper()
    return snap


class _Pending:
    """Figures being computed under a key: whoever asks for them meanwhile waits for them."""

    def __init__(self):
        self.done = threading.Event()
        self.snap: Snapshot | None = None  # None when computing them failed: each asks again


def _finish(key, pending: _Pending) -> None:
    with _lock:
        if _computing.get(key) is pending:
            del _computing[key]
    pending.done.set()


def _key(projects, year, month, basis, as_of, today):
    """The key figures are kept under, and the position of the ledger's touches it stands at
    (``stamp.read``); (None, None) when such figures are not kept."""
    if not _triggers_complete(projects.db):
        return None, None
    found = stamp.read(projects.db)
    if found is None:
        return None, None
    current, position = found
    try:
        sql, params = projects.query.sql_with_params()
    except EmptyResultSet:  # a scope that can hold nothing (a user with no district): nothing to keep
        return None, None
    if not set(_TABLES.findall(sql)) <= _stamped():
        return None, None  # the scope reads a table no trigger watches: its result could change unseen
    key = (current, projects.db, sql, repr(params), year, month, basis, as_of, today, translation.get_language())
    return key, position


def _compute(key, projects, year, month, basis, as_of, today) -> Snapshot:
    """The figures to keep under ``key``: kept ones brought up to date, or computed afresh."""
    return _brought_up_to_date(key) or Snapshot(projects, year, month, basis=basis, as_of=as_of, today=today)


PATCH_SHARE = 5  # figures are brought up to date while at most a fifth of their projects changed
PATCH_MIN = 100  # (or this many)


def _brought_up_to_date(key) -> Snapshot | None:
    """The same figures kept under an older stamp, brought up to date project by project
    (``Snapshot.patched``) when the ledger can tell which projects were written to since;
    else None (they are computed afresh)."""
    with _lock:
        older = [snap for k, snap in _kept.items()
                 if k[1:] == key[1:] and k[0][0] == key[0][0] and k[0][1] < key[0][1]]
    if not older or older[-1].as_of is not None or getattr(older[-1], "position", None) is None:
        return None
    base = older[-1]
    changed = stamp.changed_since(base.position, key[1], limit=max(PATCH_MIN, len(base.lines) // PATCH_SHARE))
    if changed is None:
        return None
    return base.patched(changed)


MAX_ENTRIES = 64  # however small each: an empty scope still holds its figures


def _weight(snap: Snapshot) -> int:
    return max(1, len(snap.lines))


def _keep(key, snap: Snapshot) -> None:
    if _weight(snap) > _limit():
        return
    with _lock:
        if any(k[1:] == key[1:] and k[0][0] == key[0][0] and k[0][1] > key[0][1] for k in _kept):
            return  # the same figures under a newer stamp are kept already: these will not be asked for
        for old in [k for k in _kept if k[1] == key[1] and (k[0][0] != key[0][0] or k[1:] == key[1:])]:
            # the same figures under an older stamp, or the database under another epoch, are
            # never asked for again; other figures under an older stamp stay (least recently used
            # first out), to be brought up to date from when next asked for
            del _kept[old]
        _kept[key] = snap
        while len(_kept) > MAX_ENTRIES or sum(_weight(s) for s in _kept.values()) > _limit():
            _kept.popitem(last=False)


def document(snap: Snapshot, name: tuple, make) -> bytes:
    """A document made from ``snap`` by ``make(snap)`` (the monthly workbook), made once while
    ``snap`` is kept: it depends on nothing but the snapshot and ``name``."""
    made = snap.__dict__.setdefault("_documents", {})
    if name not in made:
        made[name] = (make, make(snap))
    return made[name][1]


def warm(snap: Snapshot) -> Snapshot:
    """Compute every figure a page asks of ``snap`` (each is kept inside it)."""
    from . import registry

    for metric in registry.METRICS:
        registry.figure(snap, metric.key).last_year  # noqa: B018  (同比 too)
    snap.funnel()
    snap.flows()
    snap.health_checks()
    snap.problems_by("category")
    snap.problems_by("unit")
    snap.overdue_problems()
    snap.monthly_curve()
    snap.ranking("region" if len({p.region_id for p in snap.projects}) > 1 else "chain")
    snap.by_district()
    snap.median_days(Stage.SIGNED, Stage.STARTED)
    snap.conversion(Stage.NEGOTIATING, Stage.SIGNED)
    return snap


def refresh(now: float | None = None) -> int:
    """Compute again, under the current stamp, the figures asked for recently under an older
    one (and the documents made from them); returns how many."""
    done = _refresh(now)
    if done:
        _settle()  # once ``_refresh`` has returned: nothing holds the figures it replaced
    return done


def _refresh(now: float | None) -> int:
    from django.db import connection

    found = stamp.read(connection.alias)
    if found is None or not _triggers_complete(connection.alias):
        return 0
    current, position = found
    now = time.monotonic() if now is None else now
    with _lock:
        stale = [(key, snap) for key, snap in reversed(_kept.items())
                 if key[1] == connection.alias and key[0] != current and now - snap.asked <= RECENT][:AHEAD]
    done = 0
    for key, old in stale:
        language = key[-1]
        with translation.override(language):
            today = timezone.localdate()  # the day the figures are computed for, and filed under
            # filed under the stamp read before computing: the figures are at least that new
            new = (current,) + key[1:-2] + (today, language)
            with _lock:
                if new in _kept or new in _computing:
                    continue  # a request has them, or is computing them
                pending = _computing[new] = _Pending()
            try:
                snap = _compute(new, old._scope.all(), old.year, old.month, old.basis, old.as_of, today)
                snap.asked, snap.position = old.asked, position
                warm(snap)
                for name, (make, _content) in old.__dict__.get("_documents", {}).items():
                    document(snap, name, make)
                _keep(new, snap)
                pending.snap = snap
            finally:
                _finish(new, pending)
        done += 1
    return done


def _settle() -> None:
    """The keeper's collection after it computed figures: a full one, here rather than in the
    next request, and then what survives is left out of later collections.

    Snapshots are built with few collections (``metrics``), and a city's leaves some 250,000
    objects that live as long as it is kept. Collected young (as this did before), they were
    pushed into the oldest generation, whose next full collection (0.1-0.3 s for a few kept
    snapshots) then fell in the next request. Frozen, they are not walked again by the
    collections requests set off; the keeper thaws them before each of its own, so whatever
    has become garbage since (snapshots dropped) is still reclaimed."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _keep_ahead() -> None:
    from django.db import connection

    seen = None
    while not _stop.wait(QUIET):
        try:
            now = stamp.current()
            if now is not None and now == seen:
                refresh()
            seen = now
        except Exception:  # the keeper must never stop serving; the next request computes
            log.exception("keeping figures ahead failed")
        finally:
            connection.close_if_unusable_or_obsolete()  # kept for CONN_MAX_AGE, as a request's


def _start_keeper() -> None:
    global _keeper
    if not getattr(settings, "TAIZHANG_KEEP_AHEAD", True):
        return
    with _lock:
        if _keeper is None or not _keeper.is_alive():
            _stop.clear()
            _keeper = threading.Thread(target=_keep_ahead, name="taizhang-keep-ahead", daemon=True)
            _keeper.start()


def stop() -> None:
    """Stop the keeper thread (tests; a process about to change databases)."""
    global _keeper
    _stop.set()
    if _keeper is not None:
        _keeper.join(timeout=30)
        _keeper = None


def clear() -> None:
    """Forget everything kept (tests; a process that changes databases)."""
    gc.unfreeze()  # what the keeper left out of collections (``_settle``) is collected again
    with _lock:
        _kept.clear()
        _complete.clear()
        _computing.clear()
