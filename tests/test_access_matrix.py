"""The access matrix: every route, for every role, tried with records of another district,
another unit and another city; nothing outside the user's scope is shown or changed.

Routes come from the URL resolver, so a new page or API route without an entry in ``ROUTES``
fails ``test_every_route_is_in_the_matrix``. For each request the test checks the answer
(403/404, a redirect to the login page, or a page without a word of the foreign records) and
that no table changed (a digest of every row, before and after).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from taizhang.accounts.choices import Role
from taizhang.indicators import services as indicators
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.models import Indicator
from taizhang.projects import services
from taizhang.projects.models import ImportBatch
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit
from taizhang.reporting import progress, supervision
from taizhang.reporting import services as reporting_services
from taizhang.reporting.models import Attachment

from .conftest import make_project, make_user, walk

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2024, 3


# --- the routes -------------------------------------------------------------------------------

@dataclass
class Route:
    """How to reach one route with foreign records.

    ``kwargs`` and the values of ``query``/``post`` name a kind of record (``"project"``,
    ``"report"`` …) that is replaced by the foreign record's id, or are literal values.
    ``methods`` lists the write methods to try besides GET. ``public`` routes are open to
    everyone and hold no records; ``own`` routes name no record (they act on the user's own
    account or scope), so a foreign record cannot be asked for: they must still show none.
    """

    kwargs: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    post: dict | None = None
    methods: tuple[str, ...] = ()
    public: bool = False
    own: bool = False


MONTH_Q = {"year": YEAR, "month": MONTH}

ROUTES: dict[str, Route] = {
    # pages
    "home": Route(own=True),
    "todos": Route(own=True, query={"show": "待审核"}),
    "healthz": Route(public=True),
    "favicon": Route(public=True),
    "set_language": Route(public=True),
    "accounts:login": Route(public=True),
    "accounts:logout": Route(own=True),
    "accounts:password_change": Route(own=True, post={"old_password": "x"}, methods=("post",)),
    "accounts:password_change_done": Route(own=True),
    "projects:project_list": Route(query={"region": "region", "chain": "chain", "responsible_unit": "unit"}),
    "projects:project_export": Route(kwargs={"fmt": "csv"}, query={"region": "region"}),
    "projects:project_add": Route(post={"name": "越界新建项目", "region": "region", "total_investment": "100",
                                        "responsible_unit": "unit", "chain": "chain", "origin": "domestic",
                                        "nature": "new", "level": "district", "category": "industry"},
                                  methods=("post",)),
    "projects:project_import": Route(post={"region": "region"}, methods=("post",)),
    "projects:import_batch": Route(kwargs={"token": "batch"}, post={"year": YEAR, "month": MONTH},
                                   methods=("post",)),
    "projects:import_confirm": Route(kwargs={"token": "batch"}, post={"totals_checked": "1"}, methods=("post",)),
    "projects:import_template": Route(own=True),
    "projects:project_detail": Route(kwargs={"pk": "project"}),
    "projects:project_edit": Route(kwargs={"pk": "project"}, post={"name": "改名", "total_investment": "1"},
                                   methods=("post",)),
    "projects:project_delete": Route(kwargs={"pk": "project"}, post={"reason": "越界删除"}, methods=("post",)),
    "projects:stage_move": Route(kwargs={"pk": "project"}, post={"to_stage": "completed", "date": "2024-05-01"},
                                 methods=("post",)),
    "projects:stage_correct": Route(kwargs={"pk": "project", "change_pk": "stage_change"},
                                    post={"action": "remove", "reason": "越界更正"}, methods=("post",)),
    "projects:progress_add": Route(kwargs={"pk": "project"},
                                   post={"year": YEAR, "month": MONTH + 1, "investment": "9"}, methods=("post",)),
    "projects:plan_save": Route(kwargs={"pk": "project"}, post={"year": YEAR, "planned_investment": "9"},
                                methods=("post",)),
    "projects:problem_add": Route(kwargs={"pk": "project"}, post={"category": "land", "description": "越界问题"},
                                  methods=("post",)),
    "projects:problem_edit": Route(kwargs={"pk": "project", "problem_pk": "problem"},
                                   post={"status": "solved", "reason": "越界"}, methods=("post",)),
    "monitoring:dashboard": Route(query={"region": "region", **MONTH_Q}),
    "monitoring:drill": Route(query={"region": "region", "metric": "all", **MONTH_Q}),
    "monitoring:monthly_workbook": Route(query={"region": "region", **MONTH_Q}),
    "monitoring:rules": Route(own=True, post={}, methods=("post",)),
    "reporting:period": Route(query={"region": "region", **MONTH_Q},
                              post={"region": "region", "action": "submit", **MONTH_Q}, methods=("post",)),
    "reporting:report": Route(kwargs={"pk": "report"}, post={"action": "approve"}, methods=("post",)),
    "reporting:attachment": Route(kwargs={"pk": "attachment"}),
    "reporting:orders": Route(query={"region": "region"}),
    "reporting:order_new": Route(query={"project": "project", "problem": "problem"},
                                 post={"unit": "unit", "project": "project", "content": "越界督办",
                                       "deadline": "2024-06-01", "source": "other"}, methods=("post",)),
    "reporting:order": Route(kwargs={"pk": "order"}, post={"action": "close"}, methods=("post",)),
    "reporting:rules": Route(query={"region": "region"}, post={"region": "region", "deadline_day": "9"},
                             methods=("post",)),
    "enterprises:enterprise_list": Route(query={"region": "region", "chain": "chain", "q": "越界"}),
    "enterprises:enterprise_add": Route(post={"name": "越界新建企业", "region": "region", "chain": "chain"},
                                        methods=("post",)),
    "enterprises:enterprise_detail": Route(kwargs={"pk": "firm"}),
    "enterprises:enterprise_edit": Route(kwargs={"pk": "firm"}, post={"name": "改名企业", "region": "region"},
                                         methods=("post",)),
    "enterprises:recognition_add": Route(kwargs={"pk": "firm"}, post={"kind": "gazelle", "level": "city",
                                                                      "year": YEAR}, methods=("post",)),
    "enterprises:visit_add": Route(kwargs={"pk": "firm"}, post={"date": "2024-03-01", "purpose": "越界走访"},
                                   methods=("post",)),
    "enterprises:demand_add": Route(kwargs={"pk": "firm"}, post={"category": "other", "content": "越界诉求",
                                                                 "unit": "unit"}, methods=("post",)),
    "enterprises:commissioner_set": Route(kwargs={"pk": "firm"}, post={"commissioner": ""}, methods=("post",)),
    "enterprises:tiers": Route(query={"region": "region", "date": "2024-12-31"}),
    "enterprises:list_import": Route(post={"region": "region", "kind": "gazelle", "level": "city", "year": YEAR},
                                     methods=("post",)),
    "enterprises:list_preview": Route(kwargs={"token": "list_import"}, post={}, methods=("post",)),
    "enterprises:figure_import": Route(post={"region": "region", "year": YEAR, "department": "越界部门"},
                                       methods=("post",)),
    "enterprises:figure_preview": Route(kwargs={"token": "figure_import"}, post={}, methods=("post",)),
    "enterprises:strategy_save": Route(kwargs={"pk": "firm"}, post={"year": YEAR, "goal": "越界目标"}, methods=("post",)),
    "enterprises:measure_add": Route(kwargs={"pk": "strategy"}, post={"content": "越界措施", "unit": "unit",
                                                                     "deadline": "2024-12-31", "status": "planned"},
                                     methods=("post",)),
    "enterprises:measure_edit": Route(kwargs={"pk": "measure"}, post={"content": "越界修改", "unit": "unit",
                                                                     "deadline": "2024-12-31", "status": "done"},
                                      methods=("post",)),
    "enterprises:service_levels": Route(query={"region": "region"},
                                        post={"region": "region", "name": "越界时限", "acknowledge_hours": "1",
                                              "answer_days": "1", "resolve_days": "2"}, methods=("post",)),
    "enterprises:service_level_edit": Route(kwargs={"pk": "service_level"},
                                            post={"name": "越界时限", "acknowledge_hours": "1", "answer_days": "1",
                                                  "resolve_days": "2"}, methods=("post",)),
    "enterprises:demand_list": Route(own=True, query={"status": "received"}),
    "enterprises:demand_detail": Route(kwargs={"pk": "demand"}),
    "enterprises:demand_step": Route(kwargs={"pk": "demand", "step": "escalate"}, post={}, methods=("post",)),
    "enterprises:visits": Route(own=True),
    "enterprises:visit_merge": Route(kwargs={"pk": "visit"}, post={"other": "visit"}, methods=("post",)),
    "indicators:catalogue": Route(own=True),
    "indicators:period": Route(query={"region": "region", **MONTH_Q},
                               post={"region": "region", "action": "value", "indicator": "indicator", "value": "5",
                                     **MONTH_Q}, methods=("post",)),
    "indicators:compare": Route(query={"indicator": "indicator"}),
    "indicators:crosscheck": Route(own=True),
    "indicators:documents": Route(own=True, post={"public": "on"}, methods=("post",)),
    "indicators:document": Route(kwargs={"pk": "document"}),
    "indicators:review": Route(own=True, post={"fact": "fact", "action": "accept", "indicator": "indicator"},
                               methods=("post",)),
    "indicators:tasks": Route(query=MONTH_Q, post={"year": YEAR}, methods=("post",)),
    "indicators:task": Route(kwargs={"pk": "task"}, post={"action": "update", "progress": "越界进展", "percent": "10",
                                                         "evidence": "越界佐证"}, methods=("post",)),
    "indicators:evidence": Route(kwargs={"pk": "task_update"}),
    # API
    "api-root": Route(own=True),
    "api_token": Route(public=True),
    "schema": Route(public=True),
    "api_docs": Route(public=True),
    "region-list": Route(query={"parent": "region"}),
    "region-detail": Route(kwargs={"pk": "region"}),
    "unit-list": Route(query={"region": "region"}),
    "unit-detail": Route(kwargs={"pk": "unit"}),
    "chain-list": Route(query={"region": "region"}),
    "chain-detail": Route(kwargs={"pk": "chain"}),
    "project-list": Route(query={"region": "region"},
                          post={"name": "越界新建项目", "region": "region", "total_investment": "100"},
                          methods=("post",)),
    "project-detail": Route(kwargs={"pk": "project"}, post={"name": "改名", "total_investment": "1"},
                            methods=("put", "patch", "delete")),
    "project-move-stage": Route(kwargs={"pk": "project"}, post={"to_stage": "completed", "date": "2024-05-01"},
                                methods=("post",)),
    "stagechange-list": Route(query={"project": "project"}),
    "stagechange-detail": Route(kwargs={"pk": "stage_change"}, post={"date": "2024-01-02", "reason": "越界"},
                                methods=("put", "patch", "delete")),
    "plan-list": Route(query={"project": "project"},
                       post={"project": "project", "year": YEAR + 1, "planned_investment": "9"}, methods=("post",)),
    "plan-detail": Route(kwargs={"pk": "plan"}, post={"planned_investment": "9"}, methods=("put", "patch")),
    "progress-list": Route(query={"project": "project"},
                           post={"project": "project", "year": YEAR, "month": MONTH + 1, "investment": "9"},
                           methods=("post",)),
    "progress-detail": Route(kwargs={"pk": "report"}, post={"investment": "9"}, methods=("put", "patch")),
    "problem-list": Route(query={"project": "project"},
                          post={"project": "project", "category": "land", "description": "越界问题"},
                          methods=("post",)),
    "problem-detail": Route(kwargs={"pk": "problem"}, post={"status": "solved"}, methods=("put", "patch")),
    "enterprise-list": Route(query={"region": "region"}, post={"name": "越界新建企业", "region": "region"},
                             methods=("post",)),
    "enterprise-detail": Route(kwargs={"pk": "firm"}, post={"name": "改名企业"}, methods=("put", "patch")),
    "recognition-list": Route(query={"enterprise": "firm"}),
    "recognition-detail": Route(kwargs={"pk": "recognition"}),
    "demand-list": Route(own=True),
    "annualfigure-list": Route(query={"enterprise": "firm"}),
    "annualfigure-detail": Route(kwargs={"pk": "annual_figure"}),
    "strategy-list": Route(query={"enterprise": "firm"}),
    "strategy-detail": Route(kwargs={"pk": "strategy"}),
    "measure-list": Route(query={"strategy": "strategy"}),
    "measure-detail": Route(kwargs={"pk": "measure"}),
    "demand-detail": Route(kwargs={"pk": "demand"}),
    "indicator-list": Route(own=True),
    "indicator-detail": Route(kwargs={"pk": 1}),  # the catalogue is shared by every region
    "indicatorvalue-list": Route(query={"region": "region"},
                                 post={"indicator": "indicator", "region": "region", "year": YEAR,
                                       "period_kind": "year", "period_no": 0, "value": "5"}, methods=("post",)),
    "indicatorvalue-detail": Route(kwargs={"pk": "value"}),
    "keytask-list": Route(query={"region": "region"}),
    "keytask-detail": Route(kwargs={"pk": "task"}),
    # parks, buildings and the 亩均效益评价
    "parks:park_list": Route(own=True),
    "parks:building_detail": Route(kwargs={"pk": "building"},
                                   post={"unit": "space_unit", "credit_code": "x", "start": "2024-06-01"},
                                   methods=("post",)),
    "parks:park_edit": Route(kwargs={"pk": "park"}, post={"planned_area_m2": "1", "chain": "chain"},
                             methods=("post",)),
    "parks:building_add": Route(post={"region": "region", "park": "park", "name": "越界新建楼宇", "kind": "featured"},
                                methods=("post",)),
    "parks:building_edit": Route(kwargs={"pk": "building"}, post={"region": "region", "name": "越界改名",
                                                                  "kind": "featured"}, methods=("post",)),
    "parks:unit_add": Route(kwargs={"pk": "building"}, post={"floor": "9", "code": "901", "area_m2": "1"},
                            methods=("post",)),
    "parks:unit_edit": Route(kwargs={"pk": "space_unit"}, post={"floor": "1", "code": "101", "area_m2": "100",
                                                                "asking_rent": "1"}, methods=("post",)),
    "parks:tenancy_end": Route(kwargs={"pk": "tenancy"}, post={"end": "2024-02-01"}, methods=("post",)),
    "parks:tax_import": Route(post={"region": "region", "year": YEAR, "month": MONTH}, methods=("post",)),
    "parks:tax_preview": Route(kwargs={"token": "tax_import"}, post={}, methods=("post",)),
    "parks:scheme_list": Route(own=True, post={"region": "region", "name": "越界办法", "classify_by": "shares",
                                               "small_land_mu": "3", "transition_years": "0", "min_pool_for_d": "0",
                                               "d_surcharge_1": "0", "d_surcharge_2": "0", "d_surcharge_3": "0"},
                               methods=("post",)),
    "parks:scheme_detail": Route(kwargs={"pk": "draft_scheme"}, post={"action": "remove_pool",
                                                                      "pool_key": "below_large"},
                                 methods=("post",)),
    "parks:scheme_version": Route(kwargs={"pk": "scheme"}, post={}, methods=("post",)),
    "parks:indicator_edit": Route(kwargs={"pk": "mujun_indicator"}, post={"action": "remove"}, methods=("post",)),
    "parks:exemptions": Route(kwargs={"pk": "evaluation"}, post={"credit_code": "x", "kind": "exempt",
                                                                 "reason": "越界免评"}, methods=("post",)),
    "parks:vacant": Route(own=True, query={"area_min": "1"}),
    "parks:tax": Route(own=True, query={"year": YEAR}),
    "parks:evaluation_list": Route(own=True),
    "parks:data_import": Route(post={"region": "region", "year": 2023, "department": "tax"}, methods=("post",)),
    "parks:batch_review": Route(kwargs={"pk": "mujun_batch"}, post={"accept": "0", "note": "越界退回"},
                                methods=("post",)),
    "parks:evaluation_add": Route(post={"region": "region", "year": 2020, "scheme": "scheme"}, methods=("post",)),
    "parks:evaluation_detail": Route(kwargs={"pk": "evaluation"}, post={"action": "run"}, methods=("post",)),
    "parks:result_detail": Route(kwargs={"pk": "evaluation", "firm_pk": "firm"}, post={"content": "越界异议"},
                                 methods=("post",)),
    "parks:evaluation_workbook": Route(kwargs={"pk": "evaluation"}),
    "parks:objection_review": Route(kwargs={"pk": "objection"}, post={"accept": "1", "review_note": "越界"},
                                    methods=("post",)),
    "building-list": Route(query={"region": "region"}, post={"region": "region", "name": "越界新建楼宇"},
                           methods=("post",)),
    "building-detail": Route(kwargs={"pk": "building"}, post={"name": "越界改名"}, methods=("put", "patch")),
    "spaceunit-list": Route(query={"building": "building"},
                            post={"building": "building", "floor": 9, "code": "901", "area_m2": "1"},
                            methods=("post",)),
    "spaceunit-detail": Route(kwargs={"pk": "space_unit"}, post={"area_m2": "99"}, methods=("put", "patch")),
    "tenancy-list": Route(query={"unit": "space_unit"},
                          post={"unit": "draft_unit", "enterprise": "firm", "start": "2024-06-01"}, methods=("post",)),
    "tenancy-detail": Route(kwargs={"pk": "tenancy"}),
    "tenancy-end": Route(kwargs={"pk": "tenancy"}, post={"end": "2024-02-01"}, methods=("post",)),
    "mujun-evaluation-list": Route(query={"region": "region"}),
    "mujun-evaluation-detail": Route(kwargs={"pk": "evaluation"}),
    "mujun-result-list": Route(query={"evaluation": "evaluation"}),
    "mujun-result-detail": Route(kwargs={"pk": "mujun_result"}),
}


def routes():
    """Every (name, pattern) the resolver knows, admin apart; format-suffix variants share a name."""
    def walk_patterns(patterns, prefix="", namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace) or namespace
                yield from walk_patterns(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = f"{namespace}:{p.name}" if namespace and p.name else p.name
                yield name, prefix + str(p.pattern)

    return list(walk_patterns(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix():
    found = {name for name, pattern in routes() if not pattern.startswith("admin/")}
    assert None not in found, "every route needs a name to be in the access matrix"
    missing = sorted(found - set(ROUTES))
    assert not missing, f"routes without an entry in the access matrix: {missing}"
    stale = sorted(set(ROUTES) - found)
    assert not stale, f"entries for routes that no longer exist: {stale}"


# --- the records ------------------------------------------------------------------------------

@dataclass
class Foreign:
    """Records a user must neither see nor change, and words that betray them on a page."""

    label: str
    ids: dict
    markers: list[str]


def children(owner, project, unit, tag: str) -> dict:
    """A stage entry, plan, reported month, problem, evidence file, 督办单 and import batch of a project."""
    services.save_plan(owner, project, YEAR, {"planned_investment": D("1000")})
    report = progress.save_progress(owner, project, YEAR, MONTH, {"investment": D("77")})
    problem = services.raise_problem(owner, project, {"category": "land", "description": f"{tag}用地问题"})
    attachment = Attachment(report=report, original_name=f"{tag}.pdf", kind="pdf", size=4, uploaded_by=owner)
    attachment.file.save("evidence.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    order = supervision.issue_order(owner, unit=unit, project=project, problem=problem, content=f"{tag}督办事项",
                                    deadline=dt.date(2024, 6, 1), source="other", today=dt.date(2024, 4, 1))
    batch = ImportBatch.objects.create(token=f"t{project.pk}x{tag.encode().hex()[:8]}", user=owner,
                                       filename=f"{tag}.xlsx", options={"year": YEAR, "month": MONTH})
    project.refresh_from_db()
    firm_records = firms(owner, project.region, unit, tag, project.pk, shared=tag == "他单位越界")
    return {**firm_records, "project": project.pk, "stage_change": project.stage_changes.first().pk,
            "plan": project.plans.get(year=YEAR).pk, "report": report.pk, "problem": problem.pk,
            "attachment": attachment.pk, "order": order.pk, "batch": batch.token}


def firms(owner, region, unit, tag: str, n: int, shared: bool = False) -> dict:
    """A firm of the district with a tier, a planned visit, a 诉求 to ``unit`` and a 认定名单 upload.
    ``shared``: the firm is one every unit of the district serves; only its 诉求 is the unit's."""
    from taizhang.enterprises import services as firm_services
    from taizhang.enterprises.models import FigureImport, ListImport
    from taizhang.projects.validators import credit_code_check_char

    first = f"91{region.code}{n + 500000:09d}"  # apart from the codes parks_children gives
    unit_tag = tag  # what only the unit's records carry (a 诉求, a measure of a 一企一策)
    demand_text, tag = f"{tag}诉求", ("本区共享" if shared else tag)
    firm = firm_services.create_enterprise(owner, {"name": f"{tag}梯度企业", "region": region,
                                                   "credit_code": first + credit_code_check_char(first)})
    rec = firm_services.recognise(owner, firm, {"kind": "high_tech", "level": "national", "year": YEAR,
                                                "effective": dt.date(YEAR, 2, 1), "batch": f"{tag}批次"})
    visit = firm_services.log_visit(owner, firm, {"date": dt.date(2099, 1, 5), "purpose": f"{tag}走访",
                                                  "unit": unit})
    demand = firm_services.raise_demand(owner, firm, {"category": "other", "content": demand_text, "unit": unit})
    upload = ListImport.objects.create(token=f"l{n}x{tag.encode().hex()[:8]}", user=owner, region=region,
                                       filename=f"{tag}名单.xlsx", kind="gazelle", level="city", year=YEAR,
                                       rows=[{"row": 2, "name": f"{tag}名单企业", "credit_code": "", "errors": [],
                                              "match": "new", "firm": None, "candidates": [],
                                              "certificate_no": "", "region": "", "effective": None}])
    figure = firm_services.record_figure(owner, firm, YEAR, "revenue", "8888", department=f"{tag}部门")
    strategy = firm_services.save_strategy(owner, firm, YEAR, f"{unit_tag}目标")
    measure = firm_services.save_measure(owner, strategy, {"content": f"{unit_tag}措施", "unit": unit,
                                                           "deadline": dt.date(YEAR, 12, 31), "demands": [demand]})
    figures = FigureImport.objects.create(
        token=f"f{n}x{tag.encode().hex()[:8]}", user=owner, region=region, filename=f"{tag}数据.xlsx", year=YEAR,
        department=f"{tag}部门", columns=[{"metric": "revenue", "title": "营业收入", "unit": ""}],
        rows=[{"row": 2, "name": f"{tag}数据企业", "credit_code": "", "values": {"revenue": "1"}, "errors": [],
               "match": "new", "firm": None, "candidates": []}])
    return {"firm": firm.pk, "recognition": rec.pk, "visit": visit.pk, "demand": demand.pk,
            "list_import": upload.token, "annual_figure": figure.pk, "strategy": strategy.pk, "measure": measure.pk,
            "service_level": demand.service_level_id, "figure_import": figures.token}


def parks_children(admin, region, tag: str, n: int) -> dict:
    """A building with a unit let to a firm, a department's batch, and a published evaluation
    of the district with an objection on it."""
    import io

    from taizhang.enterprises.services import create_enterprise
    from taizhang.parks import evaluation as ev
    from taizhang.parks import services as parks
    from taizhang.parks.models import Indicator as MujunIndicator
    from taizhang.projects.validators import credit_code_check_char

    from .sheets import xlsx

    first = f"91{region.code}{n:09d}"
    code = first + credit_code_check_char(first)
    firm = create_enterprise(admin, {"name": f"{tag}企业", "credit_code": code, "region": region})
    park = Region.objects.create(code=f"P{region.code}{n:02d}", name=f"{tag}园区", level=RegionLevel.PARK,
                                 parent=region)
    building = parks.create_building(admin, {"region": region, "park": park, "name": f"{tag}楼宇"})
    unit = parks.add_unit(admin, building, {"floor": 1, "code": "101", "area_m2": D("100")})
    empty_unit = parks.add_unit(admin, building, {"floor": 2, "code": "201", "area_m2": D("100")})
    tenancy = parks.lease(admin, unit, firm, dt.date(2024, 1, 1))
    tax = parks.start_tax_import(admin, region, 2024, 2, io.BytesIO(xlsx([["统一社会信用代码", "税收"], [code, 7]])),
                                 f"{tag}税收.xlsx")
    scheme = ev.save_scheme(admin, region, {"name": f"{tag}评价办法"}, {"below_large": {
        "a_share": D("25"), "ab_share": D("70"), "d_share": D("5"),
        "indicators": [{"key": "tax_per_mu", "weight": D("100"), "fixed_value": D("10")}]}})
    sheet = xlsx([["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收"], [firm.name, code, 5, 50]])
    batch = ev.import_figures(admin, region, 2023, "tax", io.BytesIO(sheet), f"{tag}.xlsx")
    ev.review_batch(admin, batch, accept=True)
    evaluation = ev.create_evaluation(admin, region, 2023, scheme)
    ev.run_evaluation(admin, evaluation)
    ev.publish(admin, evaluation, dt.date(2024, 3, 1), dt.date(2099, 12, 31))
    objection = ev.lodge_objection(admin, evaluation, firm, {"content": f"{tag}异议"})
    pending = ev.import_figures(admin, region, 2023, "tax", io.BytesIO(sheet), f"{tag}二.xlsx")
    draft = ev.new_version(admin, scheme)
    return {"building": building.pk, "space_unit": unit.pk, "tenancy": tenancy.pk, "mujun_batch": pending.pk,
            "scheme": scheme.pk, "evaluation": evaluation.pk, "firm": firm.pk, "objection": objection.pk,
            "mujun_result": evaluation.results.get().pk, "park": park.pk, "draft_unit": empty_unit.pk,
            "tax_import": tax.token, "draft_scheme": draft.pk,
            "mujun_indicator": MujunIndicator.objects.filter(pool__scheme=draft).first().pk}


@pytest.fixture
def matrix(world, django_user_model):
    """``world`` plus 烟台市 (another city) and the child records of one project per place."""
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    w = world
    w.yantai = Region.objects.create(code="370600", name="烟台市", level=RegionLevel.CITY, parent=w.shandong)
    w.zhifu = Region.objects.create(code="370602", name="芝罘区", level=RegionLevel.DISTRICT, parent=w.yantai)
    w.zf_unit = Unit.objects.create(name="芝罘区发展和改革局", region=w.zhifu)
    w.zf_chain = IndustryChain.objects.create(region=w.zhifu, name="海洋经济")
    lc_admin = make_user(django_user_model, "lc_admin", Role.DISTRICT_ADMIN, w.licang)
    w.zf_admin = make_user(django_user_model, "zf_admin", Role.DISTRICT_ADMIN, w.zhifu)
    w.yt_admin = make_user(django_user_model, "yt_admin", Role.CITY_ADMIN, w.yantai)
    w.zf_project = make_project(w.zf_admin, w.zhifu, "芝罘海洋牧场基地", "9000", unit=w.zf_unit, chain=w.zf_chain)
    for region in (w.laoshan, w.licang, w.zhifu):
        ValidationRule.objects.create(region=region, kind=RuleKind.NOT_STARTED, active=False)
    for user, project in ((w.ls_admin, w.ls_project), (w.ls_admin, w.ls_other), (lc_admin, w.lc_project),
                          (w.zf_admin, w.zf_project)):
        walk(user, project, "negotiating", "signed", "registered", "started", start=dt.date(2024, 1, 10))

    lc = children(lc_admin, w.lc_project, w.lc_fgj, "李沧越界")
    ls = children(w.ls_admin, w.ls_project, w.ls_zs, "崂山越界")
    ls_other = children(w.ls_admin, w.ls_other, w.ls_fgj, "他单位越界")
    zf = children(w.zf_admin, w.zf_project, w.zf_unit, "芝罘越界")
    # Licang's month approved, submitted, locked and corrected, so a revision exists too
    period = reporting_services.period_for(w.licang, YEAR, MONTH)
    report = progress.submit_report(lc_admin, w.lc_project.progress_reports.get())
    progress.approve_report(lc_admin, report, report.version)
    reporting_services.submit_period(lc_admin, period)
    reporting_services.lock_period(w.city_admin, period)
    progress.correct_locked(lc_admin, w.lc_project.progress_reports.get(), D("78"), "李沧越界更正")

    lc_parks = parks_children(lc_admin, w.licang, "李沧越界", 1)
    ls_parks = parks_children(w.ls_admin, w.laoshan, "崂山越界", 2)
    zf_parks = parks_children(w.zf_admin, w.zhifu, "芝罘越界", 3)

    def place(region, unit, chain):
        return {"region": region.pk, "unit": unit.pk, "chain": chain.pk}

    # indicators: an entered value, an internal report and its fact, a key task with an update
    ensure_standard_catalogue()
    gdp = Indicator.objects.get(code="gdp")

    def indicator_children(owner, region, unit, tag, number):
        value = indicators.save_value(owner, gdp, region, YEAR, "cumulative", MONTH, number, note=f"{tag}指标")
        doc, _ = indicators.ingest_document(owner, text=f"{region.name}{YEAR}年民间投资增长12.5%。{tag}报告",
                                            filename=f"{tag}.txt", public=False)
        return {"value": value.pk, "document": doc.pk, "fact": doc.facts.first().pk, "indicator": gdp.pk,
                **key_task(owner, region, unit, tag)}

    def key_task(owner, region, unit, tag):
        task = indicators.save_task(owner, region, YEAR, {"title": f"{tag}重点工作", "responsible_unit": unit,
                                                          "deadline": dt.date(2024, 12, 31)})
        update = indicators.update_task(owner, task, YEAR, MONTH, progress=f"{tag}进展", percent=10,
                                        evidence=f"{tag}佐证", evidence_file=ContentFile(b"%PDF", name="e.pdf"))
        return {"task": task.pk, "task_update": update.pk}

    lc.update(indicator_children(lc_admin, w.licang, w.lc_fgj, "李沧越界", "7771.2345"))
    ls.update(indicator_children(w.ls_admin, w.laoshan, w.ls_zs, "崂山越界", "7772.2345"))
    zf.update(indicator_children(w.zf_admin, w.zhifu, w.zf_unit, "芝罘越界", "7773.2345"))
    # another unit's task in the user's own district; the values and reports are 李沧区's
    ls_other.update({**lc, **key_task(w.ls_admin, w.laoshan, w.ls_fgj, "他单位越界")})

    w.foreign = {
        "licang": Foreign("李沧区的记录", {**lc, **lc_parks, **place(w.licang, w.lc_fgj, w.lc_chain)},
                          ["中化·云谷", "李沧越界", "7771.2345"]),
        "laoshan": Foreign("崂山区的记录", {**ls, **ls_parks, **place(w.laoshan, w.ls_zs, w.vr)},
                           ["虚拟现实创享中心", "崂山越界", "7772.2345"]),
        # another unit's project in the user's own district; the district's catalogue is shared
        # (buildings and evaluations are the district's, seen by its units: another district's stand in);
        # a unit's staff see and serve every firm of their district; only 诉求 belong to a unit
        "other_unit": Foreign("本区其他单位的记录", {**ls_other, **lc_parks, **place(w.licang, w.lc_fgj, w.lc_chain),
                                                    **{k: lc[k] for k in ("firm", "recognition", "visit",
                                                                          "list_import", "annual_figure",
                                                                          "figure_import")}},
                              ["崂山区人民医院", "他单位越界"]),
        "zhifu": Foreign("另一个市的记录", {**zf, **zf_parks, **place(w.zhifu, w.zf_unit, w.zf_chain)},
                         ["芝罘海洋牧场基地", "芝罘越界"]),
    }
    return w


#: who is tried against what
CASTS = [
    ("ls_editor", "licang"), ("ls_admin", "licang"), ("ls_viewer", "licang"),
    ("unit_user", "other_unit"), ("unit_user", "licang"),
    ("lc_editor", "laoshan"),
    ("city_admin", "zhifu"),
    (None, "licang"),  # anonymous
]


# --- the check --------------------------------------------------------------------------------

SKIP_TABLES = {"django_session", "taizhang_cache"}


def digest() -> dict[str, str]:
    """A digest of every row of every table (sessions and the cache aside)."""
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in SKIP_TABLES:
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            rows = sorted(repr(row) for row in cursor.fetchall())
            out[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return out


def resolve(value, ids):
    return ids.get(value, value) if isinstance(value, str) else value


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    content = response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook
        wb = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    return content.decode("utf-8", "replace")


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login/" in response.get("Location", "")


def attempt(client, method, url, query, data, is_api):
    if method == "get":
        return client.get(url, query)
    if is_api:
        return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")
    return client.post(url, data or {})


def problems_for(client, user, foreign: Foreign) -> list[str]:
    found = []
    for name, route in ROUTES.items():
        if route.public:
            continue
        is_api = not name.startswith(("accounts:", "projects:", "monitoring:", "reporting:",
                                      "enterprises:", "indicators:", "parks:")) and name not in (
            "home",)
        kwargs = {k: resolve(v, foreign.ids) for k, v in route.kwargs.items()}
        url = reverse(name, kwargs=kwargs)
        query = {k: resolve(v, foreign.ids) for k, v in route.query.items()}
        data = {k: resolve(v, foreign.ids) for k, v in (route.post or {}).items()}
        for method in ("get", *route.methods):
            if user is not None and name == "accounts:logout":
                continue  # would end the session the rest of the matrix runs in
            before = digest()
            response = attempt(client, method, url, query, data, is_api)
            where = f"{user or 'anonymous'} {method.upper()} {url} ({foreign.label})"
            changed = [t for t, h in digest().items() if before.get(t) != h]
            if changed:
                found.append(f"{where}: changed {changed}")
            status = response.status_code
            if user is None:
                if not (is_login_redirect(response) or status in (401, 403, 405)):
                    found.append(f"{where}: anonymous got {status}")
                continue
            if status >= 500:
                found.append(f"{where}: {status}")
                continue
            if route.kwargs and any(v in foreign.ids for v in route.kwargs.values()) and status not in (403, 404, 405):
                found.append(f"{where}: a foreign record answered {status}, not 403/404")
                continue
            if status in (403, 404, 405):  # 405: the method is refused before any record is looked up
                continue
            text = body_of(response)
            leaked = [m for m in foreign.markers if m in text]
            if leaked:
                found.append(f"{where}: shows {leaked}")
    return found


@pytest.mark.parametrize("username,place", CASTS, ids=[f"{u or 'anonymous'}-{p}" for u, p in CASTS])
def test_nothing_outside_scope_is_shown_or_changed(client, matrix, username, place):
    user = getattr(matrix, username) if username else None
    if user is not None:
        client.force_login(user)
    problems = problems_for(client, user, matrix.foreign[place])
    assert not problems, "\n".join(problems)


def test_the_admin_is_for_superusers_only(client, matrix):
    """Every admin route, for every role (staff flag or not): the admin login, never a page."""
    admin_routes = [(name, pattern) for name, pattern in routes() if pattern.startswith("admin/") and name]
    assert len(admin_routes) > 20
    before = digest()
    for username in ("ls_editor", "ls_admin", "ls_viewer", "unit_user", "city_admin"):
        user = getattr(matrix, username)
        user.is_staff = True  # even a staff flag set by mistake opens nothing
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        for name, pattern in admin_routes:
            from django.urls import NoReverseMatch

            url = None
            pk = matrix.foreign["zhifu"].ids["project"]
            for args, kwargs in (((), {}), ((), {"object_id": pk}), ((), {"app_label": "projects"}),
                                 ((), {"id": user.pk}), ((), {"content_type_id": 1, "object_id": pk}),
                                 ((pk,), {}), ((pk, 1), {})):
                try:
                    url = reverse(name, args=args, kwargs=kwargs)
                    break
                except NoReverseMatch:
                    continue
            assert url, f"cannot build {name} ({pattern})"
            for method in ("get", "post"):
                r = getattr(client, method)(url)
                if name == "admin:login":  # says the user may not use the admin, and offers another login
                    assert r.status_code in (200, 302) and b"<table" not in r.content
                    continue
                assert r.status_code in (302, 403), f"{username} {method} {url}: {r.status_code}"
                if r.status_code == 302:
                    assert "/admin/login/" in r["Location"] or name == "admin:logout", (username, url)
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        client.logout()
    after = digest()
    changed = [t for t in after if after[t] != before[t] and t != "accounts_user"]
    assert not changed
