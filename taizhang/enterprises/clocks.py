"""How the 诉求 keep their clocks: of a set of 诉求, how many of each step (响应, 答复, 办结) were
done in time, how many late, how many are still running, by unit or by channel.

A step is late when it was done after its deadline, or is not done and its deadline has passed
(the rule of :func:`services.overdue_steps`, which marks one 诉求); in time when it was done by
its deadline; running otherwise. The rate is in time over in time and late: a step still
running is neither. Counted in one grouped query, whatever the number of 诉求.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

#: each step: its label, when it was done (a 诉求 answered without a separate 响应 was
#: acknowledged by its answer), and its deadline
STEPS = {
    "acknowledge": (_("响应"), Coalesce("acknowledged_at", "answered_at"), "acknowledge_due"),
    "answer": (_("答复"), F("answered_at"), "answer_due"),
    "resolve": (_("办结"), F("resolved_at"), "resolve_due"),
}
BY = {"unit": ("unit_id", "unit__name"), "channel": ("channel", "channel")}


@dataclass
class Clock:
    in_time: int
    late: int
    running: int

    @property
    def rate(self) -> float | None:
        """In time, in percent of the steps decided (None when none is)."""
        decided = self.in_time + self.late
        return round(100 * self.in_time / decided, 1) if decided else None


@dataclass
class Row:
    key: object
    label: str
    total: int
    clocks: dict[str, Clock]


def on_time(demands, by: str, now: dt.datetime) -> list[Row]:
    """Each unit's (``by="unit"``) or channel's (``by="channel"``) 诉求 and their clocks, most
    诉求 first; a last row sums them all."""
    key, label = BY[by]
    annotations = {f"{step}_done": done for step, (_label, done, _due) in STEPS.items()}
    counts = {"total": Count("pk")}
    for step, (_label, _done, due) in STEPS.items():
        done = f"{step}_done"
        counts[f"{step}_in"] = Count("pk", filter=Q(**{f"{done}__lte": F(due)}))
        counts[f"{step}_late"] = Count("pk", filter=Q(**{f"{done}__gt": F(due)})
                                       | Q(**{f"{done}__isnull": True, f"{due}__lt": now}))
    grouped = (demands.order_by().annotate(**annotations).values(key, label).annotate(**counts)
               .order_by("-total", label))
    rows = [_row(g[key], g[label] or "", g) for g in grouped]
    if rows:
        sums = {"total": sum(r.total for r in rows)}
        for step in STEPS:
            sums[f"{step}_in"] = sum(r.clocks[step].in_time for r in rows)
            sums[f"{step}_late"] = sum(r.clocks[step].late for r in rows)
        rows.append(_row(None, str(_("合计")), sums))
    return rows


def _row(key, label: str, g: dict) -> Row:
    clocks = {}
    for step in STEPS:
        in_time, late = g[f"{step}_in"], g[f"{step}_late"]
        clocks[step] = Clock(in_time, late, g["total"] - in_time - late)
    return Row(key, label, g["total"], clocks)
