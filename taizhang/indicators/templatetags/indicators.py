"""Template filters of the indicator pages."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def figure(value) -> str:
    """A stored value as a report would write it: 149, 13.8, 2167098.09 (no padding zeros);
    "—" for none."""
    if value is None or value == "":
        return "—"
    number = Decimal(value).normalize()
    return f"{number:f}"
