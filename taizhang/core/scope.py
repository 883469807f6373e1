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
    APPROVE = "approve"  # approve or return a unit's report; submit the district's month
    LOCK = "lock"  # lock a district's submitted month (the city)
    CORRECT = "correct"  # correct a locked month: a new numbered revision
    SUPERVISE = "supervise"  # issue, close and escalate 督办单
    ANSWER = "answer"  # answer a 督办单 addressed to one's unit
    SET_RULES = "set_rules"  # a district's check rules, warning rules and deadline


# Which actions each role may take inside its region subtree.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CITY_ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.REPORT, Action.DELETE, Action.LOCK,
                                Action.CORRECT, Action.SUPERVISE}),
    Role.DISTRICT_ADMIN: frozenset({Action.VIEW, Action.CHANGE, Action.REPORT, Action.DELETE, Action.APPROVE,
                                    Action.CORRECT, Action.SUPERVISE, Action.SET_RULES}),
    Role.DISTRICT_REPORTER: frozenset({Action.VIEW, Action.CHANGE, Action.REPORT}),
    # A responsible unit reports on its own projects only (see ``scope_q``).
    Role.UNIT_USER: frozenset({Action.VIEW, Action.REPORT, Action.ANSWER}),
    # A leader reads; 督办单 escalated to the district's leaders are theirs to close.
    Role.LEADER: frozenset({Action.VIEW}),
}

#: actions about records (projects and what hangs off them), scoped by ``scope_q``
RECORD_ACTIONS = frozenset({Action.VIEW, Action.CHANGE, Action.REPORT, Action.DELETE})


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


def districts_of(user):
    """The districts (区/县) in the user's scope, by code."""
    from taizhang.regions.choices import RegionLevel
    from taizhang.regions.models import Region

    return restrict_regions(Region.objects.filter(level=RegionLevel.DISTRICT), user).order_by("code")


def _within(user, region) -> bool:
    return (user.region is not None and region is not None
            and region.path.startswith(user.region.path))


def region_of(obj):
    """The region an object belongs to: a region itself, or the region of its project."""
    from taizhang.regions.models import Region

    if obj is None or isinstance(obj, Region):
        return obj
    for path in ("region", "project.region", "report.project.region"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
            if target is None:
                break
        if isinstance(target, Region):
            return target
    return None


def _project_of(obj):
    from taizhang.projects.models import Project

    if isinstance(obj, Project):
        return obj
    project = getattr(obj, "project", None)
    if project is None and getattr(obj, "report", None) is not None:
        project = obj.report.project
    return project


def home_region(user):
    """The region a user works in: their own, or for a 责任单位 user the unit's."""
    if getattr(user, "region_id", None) is not None:
        return user.region
    return user.unit.region if getattr(user, "unit_id", None) is not None else None


def ancestor_paths(path: str) -> list[str]:
    """``"37/3702/370212/"`` -> ``["37/", "37/3702/", "37/3702/370212/"]``: the region and those above it."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts) + 1)]


def supervised_levels(user) -> frozenset[str]:
    """The 督办单 levels a user closes and escalates (inside their region): a district's own
    orders its admin or the city; orders escalated to the district leaders, those leaders or
    the district admin; city orders, the city."""
    from taizhang.reporting.choices import OrderLevel

    if user.is_superuser:
        return frozenset(OrderLevel.values)
    return {
        Role.CITY_ADMIN: frozenset({OrderLevel.DISTRICT, OrderLevel.CITY}),
        Role.DISTRICT_ADMIN: frozenset({OrderLevel.DISTRICT, OrderLevel.LEADER}),
        Role.LEADER: frozenset({OrderLevel.LEADER}),
    }.get(user.role, frozenset())


def _may_order(user, action: Action, order) -> bool:
    """A 督办单: seen by the unit it is addressed to and by its region; answered by that unit;
    closed and escalated by whoever its level belongs to. Nothing else is done to an order."""
    if action == Action.VIEW:
        if user.role == Role.UNIT_USER:
            return user.unit_id is not None and order.unit_id == user.unit_id
        return _within(user, order.region)
    if action == Action.ANSWER:
        return user.unit_id is not None and order.unit_id == user.unit_id
    if action == Action.SUPERVISE:
        return order.level in supervised_levels(user) and _within(user, order.region)
    return False


def _may_enterprise(user, action: Action, obj) -> bool:
    """A firm, or a record of it (a tier, a figure, a visit): everyone working in its district
    sees it; those who change the ledger change it; a 责任单位's staff (often the firm's
    服务专员) also log visits and raise 诉求 for it."""
    region, own = obj.region if hasattr(obj, "region_id") else obj.enterprise.region, home_region(user)
    if own is None or region is None or not region.path.startswith(own.path):
        return False
    if user.role == Role.UNIT_USER:
        return action in (Action.VIEW, Action.REPORT)
    return True


def _may_demand(user, action: Action, demand) -> bool:
    """A 诉求: seen, acknowledged, answered and resolved by the unit it is addressed to; seen by
    its district, which raises it, rates the answer and escalates it to a 督办单."""
    if action in (Action.VIEW, Action.ANSWER) and user.unit_id is not None and demand.unit_id == user.unit_id:
        return True
    if action == Action.ANSWER or user.role == Role.UNIT_USER:
        return False
    return _within(user, demand.region)


def demand_scope_q(user, action: Action) -> Q | None:
    """The 诉求 for which :func:`may` answers yes, as a filter."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    unit_q = Q(unit_id=user.unit_id) if user.unit_id is not None else Q(pk__in=[])
    if action == Action.ANSWER or user.role == Role.UNIT_USER:
        return unit_q if action in (Action.VIEW, Action.ANSWER) and can(user, Action.ANSWER) else Q(pk__in=[])
    if not can(user, action) or user.region_id is None:
        return Q(pk__in=[])
    return Q(region__path__startswith=user.region.path)


def _may_strategy(user, action: Action, obj) -> bool:
    """A firm's 一企一策 (the plan or one of its measures): its district's staff see it and, if
    they serve firms (``REPORT``), edit it; the firm's 服务专员 edits it, whichever unit they are
    of; a 责任单位's staff see the measures their unit is responsible for, and nothing else."""
    firm = obj.enterprise if hasattr(obj, "enterprise_id") else obj.strategy.enterprise
    if not _may_enterprise(user, Action.VIEW, firm):
        return False
    if user.role != Role.UNIT_USER or firm.commissioner_id == user.pk:
        return action in (Action.VIEW, Action.REPORT)
    if action != Action.VIEW or user.unit_id is None:
        return False
    if hasattr(obj, "unit_id"):
        return obj.unit_id == user.unit_id
    return obj.measures.filter(unit_id=user.unit_id).exists()


def strategy_scope_q(user, action: Action, prefix: str = "") -> Q | None:
    """The 一企一策 (``prefix`` "") or measures (``prefix`` "strategy__") for which :func:`may`
    answers yes, as a filter."""
    if not can(user, action) or action not in (Action.VIEW, Action.REPORT):
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    own = home_region(user)
    if own is None:
        return Q(pk__in=[])
    firm = f"{prefix}enterprise__"
    q = Q(**{f"{firm}region__path__startswith": own.path})
    if user.role != Role.UNIT_USER:
        return q
    mine = Q(**{f"{firm}commissioner_id": user.pk})
    if action == Action.VIEW and user.unit_id is not None:
        from taizhang.enterprises.models import Measure

        if prefix:
            mine |= Q(unit_id=user.unit_id)
        else:
            mine |= Q(pk__in=Measure.objects.filter(unit_id=user.unit_id).values("strategy_id"))
    return q & mine


def may(user, action: Action | str, obj=None) -> bool:
    """The one permission policy: whether ``user`` may take ``action`` on ``obj``.

    ``obj`` is a region, a project, or a record that belongs to one (a monthly report,
    a reporting period, a 督办单, an attachment). Without ``obj``: whether the user may
    take the action anywhere. Services refuse what this refuses; views and templates
    show a button only where it allows; ``restrict(user, action)`` on the scoped
    querysets selects exactly the records for which this is true.
    """
    from taizhang.reporting.models import ReportingPeriod, SupervisionOrder

    action = Action(action)
    if not can(user, action):
        # A 督办单 escalated to the district's leaders is theirs to close or escalate.
        leaders_order = (action == Action.SUPERVISE and isinstance(obj, SupervisionOrder)
                         and can(user, Action.VIEW) and user.role == Role.LEADER)
        if not leaders_order:
            return False
    if user.is_superuser or obj is None:
        return True
    if isinstance(obj, SupervisionOrder):
        return _may_order(user, action, obj)
    from taizhang.enterprises.models import Demand

    if isinstance(obj, Demand):
        return _may_demand(user, action, obj)
    if getattr(obj, "is_enterprise_record", False):
        return _may_enterprise(user, action, obj)
    if getattr(obj, "is_strategy_record", False):
        return _may_strategy(user, action, obj)
    if action == Action.ANSWER:
        return False  # only a 督办单 is answered
    if user.role == Role.UNIT_USER:
        project = _project_of(obj)
        if project is not None:
            return (action in RECORD_ACTIONS and user.unit_id is not None
                    and project.responsible_unit_id == user.unit_id)
        region, own = region_of(obj), home_region(user)
        if action != Action.VIEW or region is None or own is None:
            return False
        if isinstance(obj, ReportingPeriod):  # the month of the district the unit is in
            return own.path.startswith(region.path)
        return region.path.startswith(own.path)
    region = region_of(obj)
    if action == Action.SET_RULES:
        from taizhang.regions.choices import RegionLevel

        return region is not None and region.level == RegionLevel.DISTRICT and _within(user, region)
    return _within(user, region)


def may_each(user, action: Action | str, projects) -> list[bool]:
    """:func:`may` for each of many projects (an import's new ones, not saved yet): what
    it answers for a project depends only on its district and its responsible unit, so it
    is asked once for each such pair."""
    asked: dict[tuple, bool] = {}
    out = []
    for p in projects:
        key = (p.region_id, p.responsible_unit_id)
        if key not in asked:
            asked[key] = may(user, action, p)
        out.append(asked[key])
    return out


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to limit itself to one user's scope."""

    #: lookup from this model to the project ("" when this *is* the project)
    scope_prefix = ""

    def restrict(self, user, action: Action | str = Action.VIEW):
        q = scope_q(user, action, self.scope_prefix)
        return self if q is None else self.filter(q)


class ProjectChildQuerySet(RestrictedQuerySet):
    scope_prefix = "project__"
