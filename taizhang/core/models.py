"""Abstract bases shared by every domain app."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Created/updated stamps; the history of each change lives in its Historical table."""

    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


_VALID_DEFAULTS: dict[type, tuple] = {}


def _valid_defaults(model) -> tuple:
    """(name, attname, value) of ``model``'s fields whose fixed default passes the field's own
    validation (checked once per model)."""
    found = _VALID_DEFAULTS.get(model)
    if found is None:
        out = []
        for f in model._meta.fields:
            if f.generated or f.is_relation or callable(f.default):
                continue
            try:
                value = f.clean(f.get_default(), None)
            except ValidationError:
                continue
            out.append((f.name, f.attname, value))
        found = _VALID_DEFAULTS[model] = tuple(out)
    return found


def at_valid_defaults(obj) -> list[str]:
    """The names of ``obj``'s fields that hold their field's default, a value already found
    valid: ``clean_fields``/``full_clean`` may leave them out (``exclude``) and validate only
    what was set. Made for many objects at once (an import), where validating every field of
    every object again costs more than the rest of the work."""
    return [name for name, attname, value in _valid_defaults(type(obj))
            if type(v := getattr(obj, attname)) is type(value) and v == value]
