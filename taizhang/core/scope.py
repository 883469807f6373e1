"""Who may see and do what: the one door every queryset goes through.

``restrict(user, action)`` on a scoped queryset is applied by the list and detail
views, forms' choice fields, exports and (later) the API and dashboards alike, with
descendant regions included. A record outside the user's scope is never fetched,
so there is nothing to leak.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.db.models import Q

from taizhang.accounts.choices import Role


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # edit the record itself (project fields, stage)
    REPORT = "report"  # report progress, raise and work on problems
    DELETE = "delete"


# Which actions each role may take inside its region subtree.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CITY_ADMIN: frozenset(Action),
    Role.DISTRICT_ADMIN: frozenset(Action),
    Role.DISTRICT_REPORTER: frozenset({Action.VIEW, Action.CHANGE, Action.REPORT}),
    # A responsible unit reports on its own projects only (see ``unit_q``).
    Role.UNIT_USER: frozenset({Action.VIEW, Action.REPORT}),
    Role.LEADER: frozenset({Action.VIEW}),
}


def can(user, action: Action | str) -> bool:
    """Whether the user's role allows ``action`` anywhere at all."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Action(action) in ROLE_ACTIONS.get(user.role, frozenset())


def scope_q(user, action: Action | str, prefix: str = "") -> Q | None:
    """A filter selecting the records ``user`` may take ``action`` on.

    ``prefix`` leads from the queried model to the project ("" for a project,
    "project__" for its progress, problems ...). ``None`` means "everything".
    """
    if not can(user, action):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    if user.role == Role.UNIT_USER:
        if user.unit_id is None:
            return Q(pk__in=[])
        return Q(**{f"{prefix}responsible_unit_id": user.unit_id})
    if user.region_id is None:
        return Q(pk__in=[])
    return Q(**{f"{prefix}region__path__startswith": user.region.path})


def region_scope_q(user, field: str = "") -> Q | None:
    """Regions (or region-owned catalogue rows via ``field``) inside the user's subtree."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    region = user.region or (user.unit.region if user.unit_id else None)
    if region is None:
        return Q(pk__in=[])
    return Q(**{f"{field}path__startswith": region.path})


def restrict_regions(queryset, user, field: str = ""):
    """Regions, or region-owned rows (units, chains: ``field="region__"``), in the user's subtree."""
    q = region_scope_q(user, field)
    return queryset if q is None else queryset.filter(q)


def is_admin_of(user, region, role) -> bool:
    """Whether ``user`` is a ``role`` administrator whose region contains ``region``."""
    if user.is_superuser:
        return True
    return (user.role == role and user.region is not None and region is not None
            and region.path.startswith(user.region.path))


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to limit itself to one user's scope."""

    #: lookup from this model to the project ("" when this *is* the project)
    scope_prefix = ""

    def restrict(self, user, action: Action | str = Action.VIEW):
        q = scope_q(user, action, self.scope_prefix)
        return self if q is None else self.filter(q)


class ProjectChildQuerySet(RestrictedQuerySet):
    scope_prefix = "project__"
