"""Abstract bases shared by every domain app."""

import datetime as dt
import inspect
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, models, router
from django.db.models.base import Model, ModelState
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Created/updated stamps; the history of each change lives in its Historical table."""

    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


_VALID_DEFAULTS: dict[type, tuple] = {}
_ABSENT = object()


def _valid_defaults(model) -> tuple:
    """(name, attname, value, its type) of ``model``'s fields whose fixed default passes the
    field's own validation (checked once per model)."""
    found = _VALID_DEFAULTS.get(model)
    if found is None:
        out = []
        for f in model._meta.fields:
            if f.generated or f.is_relation or (f.has_default() and callable(f.default)):
                continue
            try:
                value = f.clean(f.get_default(), None)
            except ValidationError:
                continue
            out.append((f.name, f.attname, value, type(value)))
        found = _VALID_DEFAULTS[model] = tuple(out)
    return found


def at_valid_defaults(obj) -> list[str]:
    """The names of ``obj``'s fields that hold their field's default, a value already found
    valid: ``clean_fields``/``full_clean`` may leave them out (``exclude``) and validate only
    what was set. Made for many objects at once (an import), where validating every field of
    every object again costs more than the rest of the work."""
    values = obj.__dict__  # a field not loaded is not there: it is left to the validation
    return [name for name, attname, value, kind in _valid_defaults(type(obj))
            if type(v := values.get(attname, _ABSENT)) is kind and v == value]



def of_value_alone(validator):
    """Mark a validator function as deciding by the value alone (no database, no clock): a
    value it passed once passes again (:func:`full_clean`'s ``verdicts`` may remember it)."""
    validator.of_value_alone = True
    return validator


#: Standard fields whose validation depends on the value alone (with validators that do too).
_PURE_FIELDS = frozenset({models.CharField, models.TextField, models.DecimalField, models.IntegerField,
                          models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
                          models.BigIntegerField, models.DateField, models.BooleanField})
#: The types of value a verdict is remembered for: compared by type and value (a Decimal by
#: its digits and exponent too: 1.0 and 1.000 are equal but not equally valid).
_KEYED = frozenset({str, int, bool, Decimal, dt.date})
_REMEMBERED: dict[type, tuple] = {}


def _of_value_alone(validator) -> bool:
    if getattr(validator, "of_value_alone", False):
        return True
    return (type(validator).__module__ == "django.core.validators"
            and not callable(getattr(validator, "limit_value", None)))  # a limit asked each time (a date) may move


def _remembered(model) -> tuple:
    """(field, whether its verdicts may be remembered) for each of ``model``'s fields."""
    found = _REMEMBERED.get(model)
    if found is None:
        found = _REMEMBERED[model] = tuple(
            (f, type(f) in _PURE_FIELDS and all(_of_value_alone(v) for v in f.validators)) for f in model._meta.fields)
    return found


class Verdicts(dict):
    """Values fields have found valid, with the value validation made of each:
    ``(id(field), type, value) -> cleaned value``. The validation of a standard field is a
    function of the value alone, so a value found valid once is valid again: many objects
    validated together (an import's, in its dry run and again when it is confirmed) validate
    each distinct value once. Refusals are not remembered (their messages are in the
    language of the moment)."""


def full_clean(obj, exclude=(), verdicts: Verdicts | None = None, skip_defaults: bool = False) -> None:
    """``obj.full_clean(exclude, validate_unique=False, validate_constraints=False)``: the
    fields, then ``obj.clean()``, every error of both raised together. With ``verdicts`` a
    field given a value it found valid before takes the value its validation made of it then,
    without validating it again (fields and validators that depend on more than the value,
    such as a foreign key's, which reads the database, are validated every time).
    ``skip_defaults``: the fields :func:`at_valid_defaults` names are left out too."""
    if verdicts is None or type(obj).clean_fields is not Model.clean_fields:
        if skip_defaults:
            exclude = {*exclude, *at_valid_defaults(obj)}
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        return
    errors: dict = {}
    exclude = exclude if isinstance(exclude, set | frozenset) else set(exclude)
    try:
        clean_fields(obj, exclude, verdicts, skip_defaults)
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    try:
        obj.clean()
    except ValidationError as e:
        errors = e.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _checked_fields(model) -> tuple:
    """(field, name, attname, whether its verdicts may be remembered, its valid default and
    that default's type, or two Nones) of each of ``model``'s fields that is validated."""
    found = _CHECKED.get(model)
    if found is None:
        defaults = {attname: (value, kind) for _name, attname, value, kind in _valid_defaults(model)}
        found = _CHECKED[model] = tuple((f, f.name, f.attname, remembered, *defaults.get(f.attname, (None, None)))
                                        for f, remembered in _remembered(model) if not f.generated)
    return found


_CHECKED: dict[type, tuple] = {}


def clean_fields(obj, exclude=(), verdicts: Verdicts | None = None, skip_defaults: bool = False) -> None:
    """``obj.clean_fields(exclude)``, remembering verdicts as :func:`full_clean` says (and
    leaving out the fields at their valid defaults with ``skip_defaults``, as it says too:
    here in the same pass over the fields)."""
    if verdicts is None or type(obj).clean_fields is not Model.clean_fields:
        obj.clean_fields(exclude={*exclude, *at_valid_defaults(obj)} if skip_defaults else exclude)
        return
    errors = {}
    values = obj.__dict__
    for f, name, attname, remembered, default, default_type in _checked_fields(type(obj)):
        if name in exclude:
            continue
        raw = values.get(attname, _ABSENT)
        if raw is _ABSENT:  # not loaded: as at_valid_defaults, validated
            raw = getattr(obj, attname)
        elif skip_defaults and type(raw) is default_type and raw == default:
            continue
        if f.blank and raw in f.empty_values:
            continue
        if isinstance(raw, DatabaseDefault):
            continue
        key = None
        if remembered and (kind := type(raw)) in _KEYED:
            key = (id(f), kind, raw.as_tuple() if kind is Decimal else raw)
            value = verdicts.get(key, _ABSENT)
            if value is not _ABSENT:
                setattr(obj, f.attname, value)
                continue
        try:
            value = f.clean(raw, obj)
        except ValidationError as e:
            errors[f.name] = e.error_list
            continue
        setattr(obj, f.attname, value)
        if key is not None:
            verdicts[key] = value
    if errors:
        raise ValidationError(errors)


_LAYOUTS: dict[type, tuple] = {}


def _layout(model) -> tuple:
    layout = _LAYOUTS.get(model)
    if layout is None:
        fields = model._meta.concrete_fields
        made = tuple((i, f) for i, f in enumerate(fields) if f.has_default() and callable(f.default))
        defaults = [f.get_default() for f in fields]  # those of ``made`` are asked again for each object
        # Foreign keys to a primary key: their key is the related object's, and the object
        # is kept as the field's cached value (what the field's descriptor does on assignment).
        keys = {f.name: (i, f) for i, f in enumerate(fields)
                if f.many_to_one and f.target_field is f.remote_field.model._meta.pk}
        # What Model.__init__ leaves in a new object's __dict__ (its state first, then each
        # field's value), when every field's descriptor just stores the value there: such an
        # object can be made by copying a prototype of it.
        stored = (model.__init__ is Model.__init__ and not model._meta.abstract
                  and all(type(inspect.getattr_static(model, f.attname, None)) in _STORING for f in fields))
        prototype = {"_state": None, **{f.attname: v for f, v in zip(fields, defaults, strict=True)}} if stored else None
        layout = _LAYOUTS[model] = ({f.attname: i for i, f in enumerate(fields)}, defaults, made, keys,
                                    prototype, tuple((f.attname, f) for _, f in made))
    return layout


#: Field descriptors whose assignment to a new object only stores the value in its __dict__
#: (a foreign key's clears a cached related object first: a new object has none).
_STORING = (DeferredAttribute, ForeignKeyDeferredAttribute)


def instance(model, **values):
    """``model(**values)`` for many objects at once (an import's): each field's fixed
    default is found once per model instead of once per object and field, and a related
    object given by its field's name is set as its field's descriptor sets it (its key, the
    object kept, the object's database), without the descriptor's checks for each object.
    Where ``Model.__init__`` would only store each value in the new object's ``__dict__``
    (no receiver of ``pre_init``/``post_init`` for the model, no field with a descriptor of
    its own, no ``__init__`` of its own), the object is made by copying that ``__dict__``
    from a prototype (a third of the time of the positional path, a fifth of the keyword
    path's); else by Django's positional path.
    Anything else given by name (a property, a reverse relation) is set after, as the
    keyword path does."""
    positions, defaults, made, keys, prototype, made_names = _layout(model)
    related, other = [], []
    if prototype is not None and not ((pre_init.receivers or post_init.receivers)
                                      and (pre_init.has_listeners(model) or post_init.has_listeners(model))):
        state = ModelState()
        fields = prototype.copy()
        fields["_state"] = state
        for name, f in made_names:
            fields[name] = f.get_default()
        for name, value in values.items():
            if name in positions:
                fields[name] = value
            elif name in keys and (value is None or type(value) is keys[name][1].remote_field.model):
                f = keys[name][1]
                fields[f.attname] = None if value is None else value.pk
                related.append((f, value))
            else:
                other.append((name, value))
        obj = model.__new__(model)
        obj.__dict__ = fields
    else:
        args = list(defaults)
        for i, f in made:
            args[i] = f.get_default()
        for name, value in values.items():
            i = positions.get(name)
            if i is not None:
                args[i] = value
            elif name in keys and (value is None or type(value) is keys[name][1].remote_field.model):
                i, f = keys[name]
                args[i] = None if value is None else value.pk
                related.append((f, value))
            else:
                other.append((name, value))
        obj = model(*args)
    routed = bool(router.routers)
    for f, value in related:
        if value is not None:
            # As the descriptor routes them; without routers, the database a router would
            # answer is the related object's, or the default one.
            if obj._state.db is None:
                obj._state.db = (router.db_for_write(model, instance=value) if routed
                                 else value._state.db or DEFAULT_DB_ALIAS)
            if value._state.db is None:
                value._state.db = router.db_for_write(type(value), instance=obj) if routed else obj._state.db
            if not (router.allow_relation(value, obj) if routed else value._state.db == obj._state.db):
                raise ValueError(f"Cannot assign {value!r}: the current database router prevents this relation.")
        f.set_cached_value(obj, value)
    for name, value in other:
        setattr(obj, name, value)
    return obj
