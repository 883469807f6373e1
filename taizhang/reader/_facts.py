"""A fact: one quantity a report states about a place, with its source in the text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Fact:
    doc: str
    start: int
    end: int
    quote: str
    region: str | None
    period: str | None
    subperiod: str | None
    indicator: str
    kind: str
    value: float
    unit: str
    status: str

    def as_dict(self) -> dict:
        return {
            "doc": self.doc, "start": self.start, "end": self.end, "quote": self.quote,
            "region": self.region, "period": self.period, "subperiod": self.subperiod,
            "indicator": self.indicator, "kind": self.kind,
            "value": int(self.value) if float(self.value).is_integer() else self.value,
            "unit": self.unit, "status": self.status,
        }
