"""Months: their ends, the distance between them, and the month a page is about."""

from __future__ import annotations

import calendar
import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_between(a: dt.date, year: int, month: int) -> int:
    """Whole months from the month of ``a`` to (year, month)."""
    return (year * 12 + month) - (a.year * 12 + a.month)


def last_finished_month(today: dt.date | None = None) -> tuple[int, int]:
    """Reports for a month arrive in the next one, so pages open on the month before this."""
    last = (today or timezone.localdate()).replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


def month_from_request(request) -> tuple[int, int]:
    """(year, month) from GET or POST; a malformed or impossible month is a 404."""
    default_year, default_month = last_finished_month()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or default_year)
        month = int(request.GET.get("month") or request.POST.get("month") or default_month)
    except ValueError as e:
        raise Http404(_("年月格式不正确")) from e
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404(_("年月超出范围"))
    return year, month
