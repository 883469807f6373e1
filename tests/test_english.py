"""In English no interface text is Chinese: only the data (names of regions, projects, units,
what users typed) may be.

A small world whose data is all ASCII, one user per role; every page route from the resolver
is visited in English (the language menu's cookie), with its records, after a form with a
missing field and after typical actions (their flash messages). What is left of a page once
tags and scripts are stripped, and the title/placeholder/aria-label attributes and the values
of buttons, must hold no CJK character. The language menu's "简体中文" is a language's name
in its own language, the one exception.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from taizhang.accounts.choices import Role
from taizhang.core import views as core_views
from taizhang.projects import services
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import IndustryChain, Region, Unit
from taizhang.reporting import progress, supervision
from taizhang.reporting import services as reporting_services
from taizhang.reporting.models import Attachment

from .conftest import make_project, make_user, walk
from .sheets import xlsx
from .test_access_matrix import routes

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2024, 3
MONTH_Q = {"year": YEAR, "month": MONTH}

CJK = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: a language's name in its own language, in the language menu
EXCEPTIONS = ("简体中文",)
#: headings of the uploaded sheets: the district's documents, shown back as they are (and the
#: heading a sheet must have, which the answer to a sheet without it names as the sheet writes it)
SHEET_HEADINGS = ("项目名称", "总投资(万元)", "责任单位", "2024年计划投资", "1-3月完成投资", "计划投资(万元)",
                  "年度计划(万元)", "项目阶段", "建设单位", "企业名称", "工作任务", "指标名称", "营业收入(万元)",
                  "从业人员", "税收")


def upload(name: str, rows) -> tuple:
    """A file to post, made afresh for each request."""
    return ("upload", name, xlsx(rows) if rows is not None else b"not a sheet")


#: a sheet whose rows are wrong in the usual ways
BAD_ROWS = [["项目名称", "总投资(万元)", "责任单位", "项目阶段", "2024年计划投资", "1-3月完成投资"],
            ["Broken Lab", -5, "No Such Unit", "Halfway", "abc", 10],
            ["Broken Lab", 100, "Laoshan DRC", "started", 10, 1],
            ["", 100, "Laoshan DRC", "", 1, 1],
            ["Late Lab", "1e99", "Laoshan DRC", "", 10, 5]]
#: a sheet with two columns that could be the annual plan: the user is asked
AMBIGUOUS = [["项目名称", "计划投资(万元)", "年度计划(万元)", "1-3月完成投资"], ["VR Hub", 1, 2, 3]]
#: a department's figures: by name, a near-match, a new firm and a bad cell
FIGURES = xlsx([["企业名称", "营业收入(万元)", "从业人员"], ["Lemon Bean Tech", 4200, 30], ["Lemon Bean Technology", 10, 3],
                ["Star Robotics", 100, "many"]])
FIGURES_OK = [["企业名称", "营业收入(万元)", "从业人员"], ["Lemon Bean Tech", 4300, 31]]
#: a sheet without project names
NO_NAMES = [["建设单位", "总投资(万元)"], ["Someone", 1]]


class English:
    """The ASCII world."""


@pytest.fixture
def english(db, django_user_model, client):
    from taizhang.reporting.choices import RuleKind
    from taizhang.reporting.models import ValidationRule

    w = English()
    w.province = Region.objects.create(code="370000", name="Shandong", level=RegionLevel.PROVINCE)
    w.city = Region.objects.create(code="370200", name="Qingdao", level=RegionLevel.CITY, parent=w.province)
    w.laoshan = Region.objects.create(code="370212", name="Laoshan District", short_name="Laoshan",
                                      level=RegionLevel.DISTRICT, parent=w.city)
    w.licang = Region.objects.create(code="370213", name="Licang District", short_name="Licang",
                                     level=RegionLevel.DISTRICT, parent=w.city)
    w.park = Region.objects.create(code="P37021201", name="Qingdao VR Park", level=RegionLevel.PARK, parent=w.laoshan)
    w.ls_drc = Unit.objects.create(name="Laoshan DRC", region=w.laoshan)
    w.ls_inv = Unit.objects.create(name="Laoshan Investment Centre", region=w.laoshan)
    w.lc_drc = Unit.objects.create(name="Licang DRC", region=w.licang)
    w.vr = IndustryChain.objects.create(region=w.laoshan, name="Virtual reality")
    w.digital = IndustryChain.objects.create(region=w.licang, name="Digital economy")
    for region in (w.laoshan, w.licang):
        ValidationRule.objects.create(region=region, kind=RuleKind.NOT_STARTED, active=False)

    w.users = {
        "city_admin": make_user(django_user_model, "city_admin", Role.CITY_ADMIN, w.city),
        "district_admin": make_user(django_user_model, "ls_admin", Role.DISTRICT_ADMIN, w.laoshan),
        "district_reporter": make_user(django_user_model, "ls_editor", Role.DISTRICT_REPORTER, w.laoshan),
        "unit_user": make_user(django_user_model, "ls_unit", Role.UNIT_USER, w.laoshan, w.ls_inv),
        "leader": make_user(django_user_model, "ls_leader", Role.LEADER, w.laoshan),
    }
    admin = w.users["district_admin"]
    lc_admin = make_user(django_user_model, "lc_admin", Role.DISTRICT_ADMIN, w.licang)

    w.hub = make_project(admin, w.laoshan, "VR Hub", "52000", unit=w.ls_inv, chain=w.vr)
    w.hospital = make_project(admin, w.laoshan, "Laoshan Hospital", "8000", unit=w.ls_drc)
    w.lab = make_project(admin, w.laoshan, "AI Lab", "3000", unit=w.ls_inv, chain=w.vr)
    w.cloud = make_project(lc_admin, w.licang, "Cloud Valley", "521200", unit=w.lc_drc, chain=w.digital)
    for user, project in ((admin, w.hub), (admin, w.hospital), (admin, w.lab), (lc_admin, w.cloud)):
        walk(user, project, "negotiating", "signed", "registered", "started")
        services.save_plan(user, project, YEAR, {"planned_investment": D("1000")})

    # Laoshan's March: a draft, a submitted and an approved report; February returned
    w.draft = progress.save_progress(admin, w.hub, YEAR, MONTH, {"investment": D("77")})
    submitted = progress.save_progress(admin, w.hospital, YEAR, MONTH, {"investment": D("12")})
    w.submitted = progress.submit_report(admin, submitted)
    approved = progress.submit_report(admin, progress.save_progress(admin, w.lab, YEAR, MONTH,
                                                                    {"investment": D("5")}))
    w.approved = progress.approve_report(admin, approved, approved.version)
    returned = progress.submit_report(admin, progress.save_progress(admin, w.hub, YEAR, MONTH - 1,
                                                                    {"investment": D("3")}))
    w.returned = progress.return_report(admin, returned, "Figures do not add up")
    attachment = Attachment(report=w.draft, original_name="site.pdf", kind="pdf", size=4, uploaded_by=admin)
    attachment.file.save("site.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    w.attachment = attachment

    w.problem = services.raise_problem(admin, w.hub, {"category": "land", "description": "Land quota missing"})
    w.order = supervision.issue_order(admin, unit=w.ls_inv, project=w.hub, problem=w.problem,
                                      content="Solve the land quota", deadline=dt.date(2024, 6, 1),
                                      source="other", today=dt.date(2024, 4, 1))

    # Licang's March: approved, submitted, locked and corrected
    lc_report = progress.save_progress(lc_admin, w.cloud, YEAR, MONTH, {"investment": D("40")})
    lc_report = progress.submit_report(lc_admin, lc_report)
    progress.approve_report(lc_admin, lc_report, lc_report.version)
    period = reporting_services.period_for(w.licang, YEAR, MONTH)
    reporting_services.submit_period(lc_admin, period)
    reporting_services.lock_period(w.users["city_admin"], period)
    w.locked = progress.correct_locked(lc_admin, w.cloud.progress_reports.get(year=YEAR, month=MONTH), D("41"),
                                       "Late invoice").report
    w.lc_admin = lc_admin
    english_parks(w, admin)

    # the registry: a firm with a tier, figures against a rule set, a planned visit, a 诉求 to a unit
    from taizhang.enterprises import services as firm_services
    from taizhang.enterprises.models import Criterion, RuleSet

    w.firm = firm_services.create_enterprise(admin, {"name": "Lemon Bean Tech", "region": w.laoshan,
                                                     "chain": w.vr, "industry": "Software"})
    firm_services.recognise(admin, w.firm, {"kind": "high_tech", "level": "national", "year": 2022,
                                            "effective": dt.date(2022, 12, 1), "batch": "Batch 1"})
    gazelle = RuleSet.objects.create(kind="gazelle", level="city", name="Gazelle rules", first_year=2020)
    Criterion.objects.create(ruleset=gazelle, metric="revenue", threshold=D("5000"))
    Criterion.objects.create(ruleset=gazelle, metric="rd_intensity", threshold=D("3"))
    firm_services.record_figure(admin, w.firm, 2023, "revenue", "4000", department="Statistics")
    w.visit = firm_services.log_visit(admin, w.firm, {"date": dt.date(2099, 1, 5), "purpose": "Policy talk"})
    firm_services.log_visit(w.users["unit_user"], w.firm, {"date": dt.date(2099, 1, 7), "purpose": "Hiring"})
    w.demand = firm_services.raise_demand(admin, w.firm, {"category": "finance", "content": "Needs a loan",
                                                          "unit": w.ls_inv})
    firm_services.assign_commissioner(admin, w.firm, w.users["unit_user"])
    w.strategy = firm_services.save_strategy(admin, w.firm, YEAR, "High-tech status this year")
    w.measure = firm_services.save_measure(admin, w.strategy, {"content": "Bank credit line", "unit": w.ls_inv,
                                                                "deadline": dt.date(2024, 6, 30),
                                                                "demands": [w.demand]})
    firm_services.save_measure(admin, w.strategy, {"content": "Lab space", "unit": w.ls_drc,
                                                   "deadline": dt.date(2099, 6, 30), "status": "done"})
    w.service_level = firm_services.save_service_level(admin, w.laoshan, {"name": "Urgent", "acknowledge_hours": 1,
                                                                          "answer_days": 1, "resolve_days": 5})
    # indicators: an ASCII catalogue, values, a target, a report and a key task with an update
    from taizhang.indicators import services as indicators
    from taizhang.indicators.models import Indicator

    w.indicator = Indicator.objects.create(code="gdp", name="GDP", unit="bn", kind="level", aggregation="sum")
    growth = Indicator.objects.create(code="gdp_growth", name="GDP growth", unit="%", kind="growth",
                                      synonyms="GDP growth rate")
    indicators.save_value(admin, w.indicator, w.laoshan, YEAR, "cumulative", MONTH, "120")
    indicators.save_value(admin, growth, w.laoshan, YEAR, "cumulative", MONTH, "5.5")
    indicators.save_value(lc_admin, w.indicator, w.licang, YEAR, "cumulative", MONTH, "80")
    indicators.save_target(admin, w.indicator, w.laoshan, YEAR, "600")
    w.document, _ = indicators.ingest_document(admin, text="Laoshan District report\nGDP grew 5.5 percent.",
                                               filename="report.txt")
    w.task = indicators.save_task(admin, w.laoshan, YEAR, {"title": "Build the VR park", "responsible_unit": w.ls_inv,
                                                           "deadline": dt.date(2024, 2, 1),
                                                           "milestones": "Foundations\nRoof",
                                                           "cooperating_units": [w.ls_drc]})
    indicators.update_task(admin, w.task, YEAR, MONTH, progress="Walls up", percent=40, evidence="Photo 12")

    # an import preview: a sheet in the district's format with ASCII rows
    client.force_login(admin)
    sheet = xlsx([["项目名称", "总投资(万元)", "责任单位", "2024年计划投资", "1-3月完成投资"],
                  ["VR Hub", 52000, "Laoshan Investment Centre", 1000, 90],
                  ["Marine Lab", 900, "Laoshan DRC", 100, 10]])
    r = client.post(reverse("projects:project_import"),
                    {"file": ContentFile(sheet, name="march.xlsx"), "year": YEAR, "month": MONTH})
    assert r.status_code == 302, r.content.decode()[:2000]
    w.batch = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    names = xlsx([["企业名称", "统一社会信用代码"], ["Lemon Bean Technology", ""], ["Star Robotics", ""],
                  ["Lemon Bean Tech", ""], ["Bad Code Co", "123"]])
    r = client.post(reverse("enterprises:list_import"), {"file": ContentFile(names, name="gazelles.xlsx"),
                                                         "region": w.laoshan.pk, "kind": "gazelle", "level": "city",
                                                         "year": YEAR})
    assert r.status_code == 302, r.content.decode()[:2000]
    w.list_import = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    r = client.post(reverse("enterprises:figure_import"), {"file": ContentFile(FIGURES, name="figures.xlsx"),
                                                           "region": w.laoshan.pk, "year": 2023,
                                                           "department": "Statistics"})
    assert r.status_code == 302, r.content.decode()[:2000]
    w.figure_import = r["Location"].rstrip("/").rsplit("/", 1)[-1]
    client.logout()
    return w


def english_parks(w, admin):
    """A building with a tenant, and a published evaluation with a T firm and an objection."""
    import io

    from taizhang.enterprises.services import create_enterprise
    from taizhang.parks import evaluation as pev
    from taizhang.parks import services as parks
    from taizhang.projects.validators import credit_code_check_char

    def code(n):
        first = f"91370212{n:09d}"
        return first + credit_code_check_char(first)

    firms = [create_enterprise(admin, {"name": name, "credit_code": code(i), "region": w.laoshan, "park": w.park,
                                       "chain": w.vr}) for i, name in enumerate(("Acme Robotics", "Blue Optics",
                                                                                 "Cedar Labs"), start=1)]
    w.building = parks.create_building(admin, {"region": w.laoshan, "park": w.park, "name": "VR Tower",
                                               "kind": "industrial", "floor_load_kn": D("8"), "ceiling_m": D("5")})
    unit = parks.add_unit(admin, w.building, {"floor": 1, "code": "101", "area_m2": D("500"), "asking_rent": D("40")})
    parks.add_unit(admin, w.building, {"floor": 2, "code": "201", "area_m2": D("500")})
    parks.lease(admin, unit, firms[0], dt.date(2023, 1, 1))
    w.space_unit = unit
    w.tax_import = parks.start_tax_import(admin, w.laoshan, 2024, 2, io.BytesIO(xlsx([
        ["企业名称", "统一社会信用代码", "税收"], [firms[0].name, code(1), 12.5], [firms[1].name, code(2), 3]])),
        "tax.xlsx").token
    scheme = pev.save_scheme(admin, w.laoshan, {"name": "Mu-yield method", "source_doc": "Rules 2022",
                                                "min_pool_for_d": 0}, {"below_large": {
        "a_share": D("25"), "ab_share": D("70"), "d_share": D("5"),
        "indicators": [{"key": "tax_per_mu", "weight": D("100"), "fixed_value": D("10")},
                       {"key": "tax_per_kwh", "weight": D("10"), "fixed_value": D("1"), "missing": "pool_average"}]}})
    sheet = xlsx([["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "用电量"],
                  [firms[0].name, code(1), 5, 50, 100], [firms[1].name, code(2), 4, 80, None],
                  [firms[2].name, code(3), None, 10, 5]])
    batch = pev.import_figures(admin, w.laoshan, 2023, "tax", io.BytesIO(sheet), "tax.xlsx")
    pev.review_batch(admin, batch, accept=True)
    stats = xlsx([["企业名称", "统一社会信用代码", "年平均职工人数"], [firms[0].name, code(1), 12]])
    pev.import_figures(admin, w.laoshan, 2023, "stats", io.BytesIO(stats), "stats.xlsx")  # left pending
    w.evaluation = pev.create_evaluation(admin, w.laoshan, 2023, scheme)
    pev.run_evaluation(admin, w.evaluation)
    pev.publish(admin, w.evaluation, dt.date(2024, 3, 1), dt.date(2099, 12, 31), note="First list")
    pev.lodge_objection(admin, w.evaluation, firms[1], {"metric": "tax", "claimed_value": D("90"),
                                                        "content": "Tax of the branch left out"})
    w.rated_firm = firms[1]
    w.scheme, w.scheme_v2 = scheme, pev.new_version(admin, scheme)  # the first is published: read only
    w.mujun_indicator = w.scheme_v2.pools.get().indicators.first()
    pev.exempt(admin, w.evaluation, firms[2], "New plant", "transition")


# --- what a page says ---------------------------------------------------------------------------

TAG = re.compile(r"<[^>]+>")
DROP = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
ATTRS = re.compile(r'\b(title|placeholder|aria-label|alt|data-confirm)\s*=\s*"([^"]*)"', re.I)
BUTTON_VALUES = re.compile(r'<(?:button|input)\b[^>]*\btype="(?:submit|button|reset)"[^>]*\bvalue="([^"]*)"'
                           r'|<button\b[^>]*\bvalue="([^"]*)"', re.I)


def chinese_in(page: str, allowed=()) -> list[str]:
    """Snippets of interface text with CJK characters in an HTML page."""
    texts = []
    for m in ATTRS.finditer(page):
        texts.append(f"[{m.group(1)}] {html.unescape(m.group(2))}")
    for m in BUTTON_VALUES.finditer(page):
        texts.append(f"[value] {html.unescape(m.group(1) or m.group(2) or '')}")
    visible = html.unescape(TAG.sub("\n", DROP.sub(" ", page)))
    texts.extend(line.strip() for line in visible.splitlines() if line.strip())
    found = []
    for text in texts:
        clean = text
        for ok in (*EXCEPTIONS, *allowed):
            clean = clean.replace(ok, "")
        if CJK.search(clean) and text not in found:
            found.append(text[:160])
    return found


def english_client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- the pages ----------------------------------------------------------------------------------

#: each page route: kwargs and query naming the world's records; downloads and the API are not pages
PAGES = {
    "home": {},
    "todos": {},
    "accounts:login": {},
    "accounts:password_change": {},
    "accounts:password_change_done": {},
    "projects:project_list": {"query": {"region": "laoshan"}},
    "projects:project_add": {},
    "projects:project_import": {},
    "projects:import_batch": {"kwargs": {"token": "batch"}},
    "projects:import_confirm": {"kwargs": {"token": "batch"}},
    "projects:project_detail": {"kwargs": {"pk": "hub"}},
    "projects:project_edit": {"kwargs": {"pk": "hub"}},
    "projects:project_delete": {"kwargs": {"pk": "hospital"}},
    "projects:stage_move": {"kwargs": {"pk": "hub"}},
    "projects:stage_correct": {"kwargs": {"pk": "hub", "change_pk": "stage_change"}},
    "projects:progress_add": {"kwargs": {"pk": "hub"}},
    "projects:plan_save": {"kwargs": {"pk": "hub"}},
    "projects:problem_add": {"kwargs": {"pk": "hub"}},
    "projects:problem_edit": {"kwargs": {"pk": "hub", "problem_pk": "problem"}},
    "monitoring:dashboard": {"query": MONTH_Q},
    "monitoring:drill": {"query": {"metric": "key_projects", **MONTH_Q}},
    "monitoring:rules": {},
    "reporting:period": {"query": {"region": "laoshan", **MONTH_Q}},
    "reporting:report": {"kwargs": {"pk": "submitted"}},
    "reporting:orders": {},
    "reporting:order_new": {"query": {"problem": "problem"}},
    "reporting:order": {"kwargs": {"pk": "order"}},
    "reporting:rules": {"query": {"region": "laoshan"}},
    "enterprises:enterprise_list": {},
    "enterprises:enterprise_add": {},
    "enterprises:enterprise_detail": {"kwargs": {"pk": "firm"}},
    "enterprises:enterprise_edit": {"kwargs": {"pk": "firm"}},
    "enterprises:tiers": {"query": {"date": "2024-12-31", "year": "2024"}},
    "enterprises:list_import": {},
    "enterprises:list_preview": {"kwargs": {"token": "list_import"}},
    "enterprises:demand_list": {},
    "enterprises:demand_detail": {"kwargs": {"pk": "demand"}},
    "enterprises:visits": {},
    "enterprises:figure_import": {},
    "enterprises:figure_preview": {"kwargs": {"token": "figure_import"}},
    "enterprises:measure_edit": {"kwargs": {"pk": "measure"}},
    "enterprises:service_levels": {"query": {"region": "laoshan", "year": "2024"}},
    "indicators:catalogue": {},
    "indicators:period": {"query": {"region": "laoshan", **MONTH_Q}},
    "indicators:compare": {"query": {"indicator": "indicator"}},
    "indicators:crosscheck": {},
    "indicators:documents": {},
    "indicators:document": {"kwargs": {"pk": "document"}},
    "indicators:review": {},
    "indicators:tasks": {"query": MONTH_Q},
    "indicators:task": {"kwargs": {"pk": "task"}},
    "parks:park_list": {},
    "parks:building_detail": {"kwargs": {"pk": "building"}},
    "parks:vacant": {},
    "parks:tax": {"query": {"year": "2024"}},
    "parks:evaluation_list": {},
    "parks:evaluation_detail": {"kwargs": {"pk": "evaluation"}},
    "parks:result_detail": {"kwargs": {"pk": "evaluation", "firm_pk": "rated_firm"}},
    "parks:park_edit": {"kwargs": {"pk": "park"}},
    "parks:building_add": {},
    "parks:building_edit": {"kwargs": {"pk": "building"}},
    "parks:unit_add": {"kwargs": {"pk": "building"}},
    "parks:unit_edit": {"kwargs": {"pk": "space_unit"}},
    "parks:tax_import": {},
    "parks:tax_preview": {"kwargs": {"token": "tax_import"}},
    "parks:scheme_list": {},
    "parks:scheme_detail": {"kwargs": {"pk": "scheme"}},
    "parks:indicator_edit": {"kwargs": {"pk": "mujun_indicator"}},
    "parks:exemptions": {"kwargs": {"pk": "evaluation"}},
}
#: not pages: JSON, redirects, file downloads (their HTML, if any, is checked by the pages that link them)
NOT_PAGES = {"healthz", "favicon", "set_language", "accounts:logout", "projects:project_export", "projects:import_template",
             "monitoring:monthly_workbook", "reporting:attachment",
             # forms posted from the firm's and the 诉求's pages (visited in BAD_POSTS and ACTIONS)
             "enterprises:recognition_add", "enterprises:visit_add", "enterprises:demand_add",
             "enterprises:commissioner_set", "enterprises:demand_step", "enterprises:visit_merge",
             "enterprises:strategy_save", "enterprises:measure_add", "enterprises:service_level_edit",
             "indicators:evidence", "parks:data_import", "parks:batch_review", "parks:evaluation_add",
             "parks:objection_review", "parks:evaluation_workbook", "parks:tenancy_end", "parks:scheme_version"}
#: more visits: other states of the same pages
MORE = [
    ("todos", {"query": {"show": "待审核"}}),
    ("reporting:order_new", {"query": {"unit": "unit", "source": "late_report", **MONTH_Q}}),
    ("projects:project_list", {"query": {"sort": "-rate", "per": "20"}}),
    ("reporting:report", {"kwargs": {"pk": "draft"}}),
    ("reporting:report", {"kwargs": {"pk": "approved"}}),
    ("reporting:report", {"kwargs": {"pk": "returned"}}),
    ("reporting:report", {"kwargs": {"pk": "locked"}}),
    ("reporting:period", {"query": {"region": "licang", **MONTH_Q}}),
    ("reporting:period", {}),
    ("monitoring:dashboard", {"query": {"region": "laoshan", **MONTH_Q}}),
    ("monitoring:drill", {"query": {"region": "laoshan", "metric": "warn_yellow", **MONTH_Q}}),
    ("projects:project_detail", {"kwargs": {"pk": "cloud"}}),
    ("projects:project_list", {"query": {"q": "nothing matches this"}}),
    ("projects:project_list", {"query": {"stage": "started", "chain": "vr"}}),
    ("reporting:order_new", {"query": {"project": "hub"}}),
    ("enterprises:enterprise_list", {"query": {"tier": "high_tech", "expiring": "true", "q": "Lemon"}}),
    ("enterprises:enterprise_list", {"query": {"q": "nothing matches this"}}),
    ("enterprises:tiers", {"query": {"region": "laoshan", "date": "2024-06-30", "year": "2023"}}),
    ("indicators:period", {"query": {"region": "laoshan", "year": YEAR, "month": 12}}),
    ("indicators:period", {"query": {"region": "licang", **MONTH_Q}}),
    ("indicators:tasks", {"query": {"state": "late", **MONTH_Q}}),
    ("indicators:tasks", {"query": {"year": YEAR, "month": 12}}),
    ("indicators:review", {"query": {"state": "unmapped"}}),
    ("indicators:compare", {}),
    ("parks:vacant", {"query": {"area_min": "100", "load_min": "5"}}),
    ("parks:evaluation_detail", {"kwargs": {"pk": "evaluation"}, "query": {"pool": "T"}}),
    ("parks:scheme_detail", {"kwargs": {"pk": "scheme_v2"}}),
]


def drills(w) -> list:
    """The drill page of every figure the dashboard opens."""
    from taizhang.monitoring.checks import HEALTH_LABELS
    from taizhang.monitoring.registry import METRICS
    from taizhang.projects.choices import Stage

    metrics = [m.key for m in METRICS] + [f"stage_{s}" for s in Stage.values] + [
        f"health_{k}" for k in HEALTH_LABELS] + [f"chain_{w.vr.pk}", "chain_0", f"region_{w.laoshan.pk}"]
    return [("monitoring:drill", {"query": {"metric": m, **MONTH_Q}}) for m in metrics]


def ids_of(w) -> dict:
    return {"laoshan": w.laoshan.pk, "licang": w.licang.pk, "hub": w.hub.pk, "hospital": w.hospital.pk,
            "cloud": w.cloud.pk, "vr": w.vr.pk, "stage_change": w.hub.stage_changes.first().pk,
            "problem": w.problem.pk, "order": w.order.pk, "submitted": w.submitted.pk, "draft": w.draft.pk,
            "approved": w.approved.pk, "returned": w.returned.pk, "locked": w.locked.pk, "batch": w.batch,
            "unit": w.ls_inv.pk, "firm": w.firm.pk, "demand": w.demand.pk, "visit": w.visit.pk,
            "list_import": w.list_import, "indicator": w.indicator.pk, "document": w.document.pk, "task": w.task.pk,
            "building": w.building.pk, "evaluation": w.evaluation.pk, "rated_firm": w.rated_firm.pk,
            "strategy": w.strategy.pk, "measure": w.measure.pk, "service_level": w.service_level.pk,
            "figure_import": w.figure_import,
            "park": w.park.pk, "space_unit": w.space_unit.pk, "tax_import": w.tax_import, "scheme": w.scheme.pk,
            "scheme_v2": w.scheme_v2.pk, "mujun_indicator": w.mujun_indicator.pk,
            "tenancy": w.space_unit.tenancies.get().pk, "rated_code": w.rated_firm.credit_code}


def url_of(name, spec, ids):
    kwargs = {k: ids.get(v, v) for k, v in spec.get("kwargs", {}).items()}
    query = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in spec.get("query", {}).items()}
    return reverse(name, kwargs=kwargs), query


def test_every_page_route_is_visited():
    found = {name for name, pattern in routes() if not pattern.startswith(("admin/", "api/"))}
    missing = sorted(found - set(PAGES) - NOT_PAGES)
    assert not missing, f"page routes not visited in English: {missing}"


def materialize(data: dict, ids: dict) -> dict:
    out = {}
    for k, v in data.items():
        if isinstance(v, tuple) and v[0] == "upload":
            v = ContentFile(v[2], name=v[1])
        elif isinstance(v, str):
            v = ids.get(v, v)
        out[k] = v
    return out


def check(response, where, problems, allowed=()):
    """``allowed``: the uploaded sheets' headings, shown back on the import pages only (the
    ledger's import, the 认定名单's, and the sheets of key tasks and of indicator values)."""
    if not response.request["PATH_INFO"].startswith(("/projects/import/", "/enterprises/import/", "/indicators/tasks/",
                                                      "/indicators/period/", "/parks/tax/import/")):
        allowed = ()
    if response.get("Content-Type", "").startswith("text/html"):
        found = chinese_in(response.content.decode("utf-8", "replace"), allowed)
        if found:
            problems.append(f"{where} ({response.status_code}):\n    " + "\n    ".join(found))


ROLES = ["city_admin", "district_admin", "district_reporter", "unit_user", "leader"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_in_english(client, english, role):
    client = english_client(client)
    client.force_login(english.users[role])
    ids = ids_of(english)
    problems: list[str] = []
    for name, spec in [*PAGES.items(), *MORE, *drills(english)]:
        url, query = url_of(name, spec, ids)
        response = client.get(url, query, follow=True)
        assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
        check(response, f"{role} GET {url} {query or ''}", problems, SHEET_HEADINGS)
    assert not problems, "Chinese in English pages:\n" + "\n".join(problems)


def rules_formset(**extra) -> dict:
    from taizhang.reporting.choices import RuleKind

    data = {"form-TOTAL_FORMS": len(RuleKind.choices), "form-INITIAL_FORMS": len(RuleKind.choices)}
    for i, (kind, _label) in enumerate(RuleKind.choices):
        data.update({f"form-{i}-kind": kind, f"form-{i}-active": "on", f"form-{i}-severity": "hard",
                     f"form-{i}-threshold": ""})
    data.update(extra)
    return data


RULES = rules_formset()
#: forms sent with a field missing or wrong, and what they answer
BAD_POSTS = [
    ("accounts:password_change", {}, {"old_password": "x"}),
    ("projects:project_add", {}, {"name": "", "total_investment": "-1"}),
    ("projects:project_edit", {"kwargs": {"pk": "hub"}}, {"name": "", "total_investment": "abc"}),
    ("projects:project_delete", {"kwargs": {"pk": "hospital"}}, {"reason": ""}),
    ("projects:project_delete", {"kwargs": {"pk": "cloud"}}, {"reason": "Duplicate"}),  # a locked month
    ("projects:stage_move", {"kwargs": {"pk": "hub"}}, {"to_stage": "", "date": ""}),
    ("projects:stage_move", {"kwargs": {"pk": "hub"}}, {"to_stage": "lead", "date": "2024-05-01"}),
    ("projects:stage_correct", {"kwargs": {"pk": "hub", "change_pk": "stage_change"}}, {"action": "remove"}),
    ("projects:stage_correct", {"kwargs": {"pk": "hub", "change_pk": "stage_change"}}, {"date": "x"}),
    ("projects:progress_add", {"kwargs": {"pk": "hub"}}, {"year": YEAR, "month": ""}),
    ("projects:progress_add", {"kwargs": {"pk": "hub"}}, {"year": YEAR, "month": MONTH + 1, "investment": "-5"}),
    ("projects:progress_add", {"kwargs": {"pk": "cloud"}}, {"year": YEAR, "month": MONTH, "investment": "5"}),
    ("projects:plan_save", {"kwargs": {"pk": "hub"}}, {"year": "", "planned_investment": ""}),
    ("projects:problem_add", {"kwargs": {"pk": "hub"}}, {"category": "", "description": ""}),
    ("projects:problem_edit", {"kwargs": {"pk": "hub", "problem_pk": "problem"}}, {"status": ""}),
    ("projects:project_import", {}, {}),
    ("projects:project_import", {}, {"file": upload("x.txt", None)}),
    ("projects:project_import", {}, {"file": upload("bad.xlsx", BAD_ROWS), "year": YEAR, "month": MONTH}),
    ("projects:project_import", {}, {"file": upload("ambiguous.xlsx", AMBIGUOUS), "year": YEAR, "month": MONTH}),
    ("projects:project_import", {}, {"file": upload("no-names.xlsx", NO_NAMES)}),
    ("projects:project_import", {}, {"file": upload("no-year.xlsx", [["项目名称", "1-3月完成投资"], ["VR Hub", 1]])}),
    ("projects:import_batch", {"kwargs": {"token": "batch"}}, {"year": "abc", "month": "13"}),
    ("monitoring:rules", {}, {"x": "1"}),
    ("reporting:period", {"query": {"region": "laoshan", **MONTH_Q}}, {"region": "laoshan", "action": "submit",
                                                                         **MONTH_Q}),
    ("reporting:period", {"query": {"region": "laoshan", **MONTH_Q}}, {"region": "laoshan", "action": "lock",
                                                                         **MONTH_Q}),
    ("reporting:report", {"kwargs": {"pk": "submitted"}}, {"action": "return", "reason": ""}),
    ("reporting:report", {"kwargs": {"pk": "submitted"}}, {"action": "upload"}),
    ("reporting:report", {"kwargs": {"pk": "approved"}}, {"action": "approve", "version": "0"}),
    ("reporting:report", {"kwargs": {"pk": "locked"}}, {"action": "correct", "investment": ""}),
    ("reporting:report", {"kwargs": {"pk": "draft"}}, {"action": "correct", "investment": "3", "reason": "x"}),
    ("reporting:order_new", {}, {"content": ""}),
    ("reporting:order", {"kwargs": {"pk": "order"}}, {"action": "answer", "answer": ""}),
    ("reporting:order", {"kwargs": {"pk": "order"}}, {"action": "escalate"}),
    ("reporting:rules", {"query": {"region": "laoshan"}}, {"region": "laoshan", "deadline_day": "99", **RULES}),
    ("enterprises:enterprise_add", {}, {"name": "", "credit_code": "123", "region": "laoshan"}),
    ("enterprises:enterprise_add", {}, {"name": "Lemon Bean Tech", "region": "laoshan"}),
    ("enterprises:enterprise_edit", {"kwargs": {"pk": "firm"}}, {"name": "Lemon Bean Tech", "region": "laoshan",
                                                                 "established": "2999-01-01"}),
    ("enterprises:recognition_add", {"kwargs": {"pk": "firm"}}, {"kind": "high_tech", "level": "national",
                                                                 "year": "2022", "effective": "2023-01-01"}),
    ("enterprises:recognition_add", {"kwargs": {"pk": "firm"}}, {"kind": "listed", "level": "national",
                                                                 "year": "2024"}),
    ("enterprises:visit_add", {"kwargs": {"pk": "firm"}}, {"date": "2999-01-01", "done": "on", "purpose": "x"}),
    ("enterprises:demand_add", {"kwargs": {"pk": "firm"}}, {"category": "", "content": ""}),
    ("enterprises:commissioner_set", {"kwargs": {"pk": "firm"}}, {"commissioner": "999999"}),
    ("enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "answer"}}, {"answer": ""}),
    ("enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "resolve"}}, {"rating": "9"}),
    ("enterprises:list_import", {}, {}),
    ("enterprises:list_import", {}, {"file": upload("no-names.xlsx", NO_NAMES), "region": "laoshan",
                                     "kind": "gazelle", "level": "city", "year": YEAR}),
    ("enterprises:list_preview", {"kwargs": {"token": "list_import"}}, {}),
    ("enterprises:figure_import", {}, {}),
    ("enterprises:figure_import", {}, {"file": upload("no-figures.xlsx", [["企业名称"], ["Lemon Bean Tech"]]),
                                       "region": "laoshan", "year": "2023", "department": "Statistics"}),
    ("enterprises:figure_preview", {"kwargs": {"token": "figure_import"}}, {}),
    ("enterprises:strategy_save", {"kwargs": {"pk": "firm"}}, {"year": "", "goal": ""}),
    ("enterprises:measure_add", {"kwargs": {"pk": "strategy"}}, {"content": "", "unit": "", "deadline": "2020-01-01"}),
    ("enterprises:measure_edit", {"kwargs": {"pk": "measure"}}, {"content": "x", "unit": "unit",
                                                                 "deadline": "2020-01-01", "status": "done"}),
    ("enterprises:service_levels", {"query": {"region": "laoshan"}},
     {"region": "laoshan", "name": "Slow", "acknowledge_hours": "1", "answer_days": "9", "resolve_days": "2"}),
    ("enterprises:service_level_edit", {"kwargs": {"pk": "service_level"}}, {"name": ""}),
    ("indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "import", **MONTH_Q,
      "file": upload("values.xlsx", [["指标名称", "数值", "年度目标"], ["GDP", "abc", ""], ["Nothing", "1", ""],
                                     ["GDP growth", "5", "NaN"]])}),
    ("indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "import", **MONTH_Q, "file": upload("values.xlsx", None)}),
    ("indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "value", "indicator": "indicator", "value": "", **MONTH_Q}),
    ("indicators:task", {"kwargs": {"pk": "task"}}, {"action": "update", "progress": "", "percent": "x"}),
    ("indicators:review", {}, {"fact": "999999", "action": "accept"}),
    ("indicators:tasks", {"query": MONTH_Q},
     {"file": upload("tasks.xlsx", [["序号", "工作任务", "牵头单位", "完成时限"], [1, "Roads", "Nobody", "2024-05-01"],
                                    [2, "Parks", "Laoshan DRC", "soon"], [3, "", "Laoshan DRC", "2024-05-01"]])}),
    ("indicators:tasks", {"query": MONTH_Q}, {"file": upload("tasks.xlsx", [["工作任务"], ["Roads"]])}),
    ("parks:building_add", {}, {"region": "laoshan", "name": "VR Tower", "gross_area_m2": "-1", "kind": "featured"}),
    ("parks:unit_add", {"kwargs": {"pk": "building"}}, {"floor": "3", "code": "101", "area_m2": "NaN"}),
    ("parks:unit_add", {"kwargs": {"pk": "building"}}, {"floor": "3", "code": "101", "area_m2": "5"}),
    ("parks:unit_edit", {"kwargs": {"pk": "space_unit"}}, {"floor": "1", "code": "101", "area_m2": "1"}),
    ("parks:park_edit", {"kwargs": {"pk": "park"}}, {"planned_area_m2": "-3"}),
    ("parks:building_detail", {"kwargs": {"pk": "building"}}, {"unit": "space_unit", "credit_code": "x",
                                                                "start": "2023-06-01"}),
    ("parks:tenancy_end", {"kwargs": {"pk": "tenancy"}}, {"end": "2000-01-01"}),
    ("parks:tax_import", {}, {}),
    ("parks:tax_import", {}, {"region": "laoshan", "year": YEAR, "month": MONTH,
                              "file": upload("tax.xlsx", [["统一社会信用代码", "税收"], ["123", "NaN"], ["", 5]])}),
    ("parks:tax_preview", {"kwargs": {"token": "tax_import"}}, {}),
    ("parks:tax_preview", {"kwargs": {"token": "tax_import"}}, {}),
    ("parks:scheme_list", {}, {"region": "laoshan", "name": ""}),
    ("parks:scheme_detail", {"kwargs": {"pk": "scheme"}}, {"action": "pool", "pool_key": "above"}),
    ("parks:scheme_detail", {"kwargs": {"pk": "scheme_v2"}},
     {"action": "pool", "pool_key": "below_large", "pool-below_large-a_share": "80",
      "pool-below_large-ab_share": "60", "pool-below_large-d_share": "5"}),
    ("parks:scheme_detail", {"kwargs": {"pk": "scheme_v2"}},
     {"action": "indicator", "indicator_pool": "below_large", "ind-below_large-key": "va_per_mu",
      "ind-below_large-weight": "NaN"}),
    ("parks:scheme_detail", {"kwargs": {"pk": "scheme_v2"}},
     {"action": "indicator", "indicator_pool": "above", "ind-above-key": "va_per_mu"}),
    ("parks:indicator_edit", {"kwargs": {"pk": "mujun_indicator"}},
     {"key": "tax_per_mu", "direction": "higher", "weight": "5", "benchmark": "fixed", "factor": "1",
      "missing": "zero"}),
    ("parks:scheme_version", {"kwargs": {"pk": "scheme"}}, {}),
    ("parks:exemptions", {"kwargs": {"pk": "evaluation"}}, {"credit_code": "nobody", "kind": "exempt",
                                                            "reason": ""}),
]


@pytest.mark.parametrize("role", ROLES)
def test_form_errors_and_refusals_are_in_english(client, english, role):
    client = english_client(client)
    client.force_login(english.users[role])
    ids = ids_of(english)
    problems: list[str] = []
    for name, spec, data in BAD_POSTS:
        url, query = url_of(name, spec, ids)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        data = materialize(data, ids)
        response = client.post(url, data, follow=True)
        assert response.status_code < 500, f"{role} POST {url}: {response.status_code}"
        check(response, f"{role} POST {url} {data}", problems, SHEET_HEADINGS)
    assert not problems, "Chinese in English pages:\n" + "\n".join(problems)


#: typical actions of a district's month, in order, with the flash messages they leave
ACTIONS = [
    ("district_admin", "projects:project_add", {}, {
        "name": "Marine Lab", "region": "laoshan", "total_investment": "900", "responsible_unit": "unit",
        "origin": "domestic", "nature": "new", "level": "district", "category": "industry"}),
    ("district_admin", "projects:project_edit", {"kwargs": {"pk": "hub"}}, {
        "name": "VR Hub", "region": "laoshan", "total_investment": "53000", "responsible_unit": "unit",
        "origin": "domestic", "nature": "new", "level": "district", "category": "industry", "reason": "New budget"}),
    ("district_admin", "projects:stage_move", {"kwargs": {"pk": "hub"}}, {"to_stage": "completed",
                                                                            "date": "2024-05-01"}),
    ("district_admin", "projects:plan_save", {"kwargs": {"pk": "hub"}}, {"year": YEAR + 1,
                                                                          "planned_investment": "900"}),
    ("unit_user", "projects:progress_add", {"kwargs": {"pk": "hub"}}, {"year": YEAR, "month": MONTH + 1,
                                                                        "investment": "9"}),
    ("district_admin", "projects:problem_add", {"kwargs": {"pk": "hub"}}, {"category": "land",
                                                                            "description": "Power line"}),
    ("district_admin", "projects:problem_edit", {"kwargs": {"pk": "hub", "problem_pk": "problem"}},
     {"status": "solved", "reason": "Quota granted"}),
    ("unit_user", "reporting:report", {"kwargs": {"pk": "draft"}}, {"action": "submit"}),
    ("unit_user", "reporting:report", {"kwargs": {"pk": "draft"}},
     {"action": "upload", "file": ContentFile(b"%PDF-1.4 x", name="photo.pdf")}),
    ("unit_user", "reporting:report", {"kwargs": {"pk": "draft"}},
     {"action": "upload", "file": ContentFile(b"MZ not a picture", name="photo.png")}),
    ("district_admin", "reporting:report", {"kwargs": {"pk": "submitted"}}, {"action": "return",
                                                                              "reason": "Too low"}),
    ("district_admin", "reporting:report", {"kwargs": {"pk": "draft"}}, {"action": "approve"}),
    ("district_admin", "reporting:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "submit", **MONTH_Q}),
    ("city_admin", "reporting:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "lock", **MONTH_Q}),
    ("district_admin", "reporting:report", {"kwargs": {"pk": "draft"}},
     {"action": "correct", "investment": "78", "reason": "Late invoice"}),
    ("district_admin", "reporting:order_new", {}, {"unit": "unit", "project": "hub", "content": "Speed up",
                                                   "deadline": "2024-06-01", "source": "other"}),
    ("unit_user", "reporting:order", {"kwargs": {"pk": "order"}}, {"action": "answer", "answer": "Working on it"}),
    ("district_admin", "reporting:order", {"kwargs": {"pk": "order"}}, {"action": "escalate", "reason": "Slow"}),
    ("district_admin", "reporting:order", {"kwargs": {"pk": "order"}}, {"action": "close"}),
    ("district_admin", "reporting:rules", {"query": {"region": "laoshan"}}, {"region": "laoshan",
                                                                              "deadline_day": "9", **RULES}),
    ("district_admin", "projects:import_batch", {"kwargs": {"token": "batch"}}, {"year": YEAR, "month": MONTH}),
    ("district_admin", "projects:import_confirm", {"kwargs": {"token": "batch"}}, {"totals_checked": "1"}),
    ("district_admin", "projects:project_delete", {"kwargs": {"pk": "hospital"}}, {"reason": "Duplicate"}),
    ("district_admin", "enterprises:enterprise_add", {}, {"name": "Star Robotics", "region": "laoshan"}),
    ("district_admin", "enterprises:recognition_add", {"kwargs": {"pk": "firm"}},
     {"kind": "gazelle", "level": "city", "year": "2024", "effective": "2024-05-01"}),
    ("unit_user", "enterprises:visit_add", {"kwargs": {"pk": "firm"}}, {"date": "2024-05-02", "done": "on",
                                                                        "purpose": "Site visit"}),
    ("unit_user", "enterprises:demand_add", {"kwargs": {"pk": "firm"}}, {"category": "talent",
                                                                         "content": "Needs engineers",
                                                                         "unit": "unit"}),
    ("district_admin", "enterprises:commissioner_set", {"kwargs": {"pk": "firm"}}, {"commissioner": ""}),
    ("district_admin", "enterprises:visit_merge", {"kwargs": {"pk": "visit"}}, {"other": "visit"}),
    ("unit_user", "enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "acknowledge"}}, {}),
    ("unit_user", "enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "answer"}},
     {"answer": "Bank meeting set"}),
    ("district_admin", "enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "escalate"}}, {}),
    ("district_admin", "enterprises:demand_step", {"kwargs": {"pk": "demand", "step": "resolve"}}, {"rating": "4"}),
    ("district_admin", "enterprises:list_preview", {"kwargs": {"token": "list_import"}},
     {"row_2": "firm", "row_4": "skip"}),
    ("district_admin", "enterprises:figure_import", {}, {"file": upload("figures.xlsx", FIGURES_OK),
                                                         "region": "laoshan", "year": "2024",
                                                         "department": "Statistics"}),
    ("district_admin", "enterprises:strategy_save", {"kwargs": {"pk": "firm"}}, {"year": "2025", "goal": "Listing"}),
    ("unit_user", "enterprises:measure_add", {"kwargs": {"pk": "strategy"}},
     {"content": "Patent filing help", "unit": "unit", "deadline": "2024-11-30", "status": "planned"}),
    ("district_admin", "enterprises:measure_edit", {"kwargs": {"pk": "measure"}},
     {"content": "Bank credit line", "unit": "unit", "deadline": "2024-06-30", "status": "done",
      "progress": "Granted"}),
    ("district_admin", "enterprises:service_levels", {"query": {"region": "laoshan"}},
     {"region": "laoshan", "name": "Normal", "acknowledge_hours": "4", "answer_days": "3", "resolve_days": "15"}),
    ("district_admin", "enterprises:service_level_edit", {"kwargs": {"pk": "service_level"}},
     {"l{service_level}-name": "Urgent", "l{service_level}-acknowledge_hours": "2",
      "l{service_level}-answer_days": "1", "l{service_level}-resolve_days": "5"}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "value", "indicator": "indicator", "value": "NaN", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "value", "indicator": "indicator", "value": "900", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "value", "indicator": "indicator", "value": "130", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "target", "indicator": "indicator", "target": "700", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "ledger", **MONTH_Q}),
    ("city_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "lock", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "approve", **MONTH_Q}),
    ("city_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "lock", **MONTH_Q}),
    ("district_admin", "indicators:period", {"query": {"region": "laoshan", **MONTH_Q}},
     {"region": "laoshan", "action": "value", "indicator": "indicator", "value": "131", **MONTH_Q}),
    ("unit_user", "indicators:task", {"kwargs": {"pk": "task"}},
     {"action": "update", "progress": "Roof on", "percent": "70", "evidence": "Photo 13"}),
    ("district_admin", "indicators:task", {"kwargs": {"pk": "task"}},
     {"action": "update", "progress": "", "percent": "500", "evidence": ""}),
    ("district_admin", "indicators:task", {"kwargs": {"pk": "task"}},
     {"action": "escalate", "content": "Report the walls", "deadline": "2099-01-01"}),
    ("district_admin", "indicators:documents", {}, {"public": "on"}),
    ("district_admin", "parks:building_add", {}, {"region": "laoshan", "name": "Lab Tower", "kind": "industrial",
                                                  "floor_load_kn": "10"}),
    ("district_admin", "parks:unit_edit", {"kwargs": {"pk": "space_unit"}}, {"floor": "1", "code": "101",
                                                                             "area_m2": "500", "asking_rent": "42"}),
    ("district_admin", "parks:park_edit", {"kwargs": {"pk": "park"}}, {"planned_area_m2": "90000"}),
    ("district_admin", "parks:tax_preview", {"kwargs": {"token": "tax_import"}}, {}),
    ("district_admin", "parks:tenancy_end", {"kwargs": {"pk": "tenancy"}}, {"end": "2024-06-30"}),
    ("district_admin", "parks:scheme_detail", {"kwargs": {"pk": "scheme_v2"}},
     {"action": "pool", "pool_key": "below_large", "pool-below_large-a_share": "20",
      "pool-below_large-ab_share": "60", "pool-below_large-d_share": "5"}),
    ("district_admin", "parks:exemptions", {"kwargs": {"pk": "evaluation"}},
     {"credit_code": "rated_code", "kind": "exempt", "reason": "Closed"}),
    ("district_admin", "parks:scheme_version", {"kwargs": {"pk": "scheme_v2"}}, {}),
    ("district_reporter", "accounts:password_change", {}, {"old_password": "pw", "new_password1": "Lao-shan-2026!",
                                                           "new_password2": "Lao-shan-2026!"}),
]


def test_flash_messages_after_typical_actions_are_in_english(client, english):
    client = english_client(client)
    ids = ids_of(english)
    problems: list[str] = []
    for role, name, spec, data in ACTIONS:
        client.force_login(english.users[role])
        url, query = url_of(name, spec, ids)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        # a form's prefix may name a record ("l{service_level}-name")
        data = materialize({k.format(**ids): v for k, v in data.items()}, ids)
        response = client.post(url, data, follow=True)
        assert response.status_code < 500, f"{role} POST {url}: {response.status_code}"
        check(response, f"{role} POST {url} {data}", problems, SHEET_HEADINGS)
        # the pages the action leads to, with what changed
        for page in ("home", "projects:project_list"):
            check(client.get(reverse(page)), f"{role} GET {page} after {name}", problems)
    assert not problems, "Chinese in English pages:\n" + "\n".join(problems)


def test_the_login_page_and_errors_are_in_english(client, english):
    client = english_client(client)
    problems: list[str] = []
    check(client.get(reverse("accounts:login")), "login", problems)
    check(client.post(reverse("accounts:login"), {"username": "ls_admin", "password": "wrong"}), "bad login",
          problems)
    check(client.get(reverse("home"), follow=True), "home, anonymous", problems)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("handler, args", [
    (core_views.bad_request, (Exception(),)),
    (core_views.permission_denied, (PermissionDenied(),)),
    (core_views.page_not_found, (Exception(),)),
    (core_views.server_error, ()),
])
def test_error_pages_are_in_english(handler, args):
    with translation.override("en"):
        response = handler(RequestFactory().get("/x/"), *args)
    assert not chinese_in(response.content.decode()), chinese_in(response.content.decode())


def test_a_missing_page_and_a_refusal_are_in_english(client, english):
    client = english_client(client)
    client.force_login(english.users["leader"])
    problems: list[str] = []
    for url in ("/no-such-page/", reverse("projects:project_add"), reverse("reporting:order_new"),
                reverse("projects:project_detail", kwargs={"pk": 999999})):
        r = client.get(url)
        assert r.status_code in (403, 404), url
        check(r, url, problems)
    assert not problems, "\n".join(problems)


def test_chinese_pages_stay_chinese(client, english):
    client.force_login(english.users["district_admin"])
    body = client.get(reverse("projects:project_list")).content.decode()
    assert "项目台账" in body


def test_a_background_import_answers_in_the_language_it_was_confirmed_in(client, english, settings, held_jobs):

    settings.TAIZHANG_IMPORT_BACKGROUND_ROWS = 0
    started = held_jobs
    client = english_client(client)
    client.force_login(english.users["district_admin"])
    client.get(reverse("projects:import_batch", kwargs={"token": english.batch}))  # the preview counts the rows
    page = client.post(reverse("projects:import_confirm", kwargs={"token": english.batch}), {"totals_checked": "1"},
                       follow=True)
    problems: list[str] = []
    check(page, "import running", problems)
    (target, args), = started
    from taizhang.projects import import_views
    from taizhang.projects.models import ImportBatch

    import_views._path(ImportBatch.objects.get(token=english.batch)).unlink()  # the job fails, and says why
    with translation.override("zh-hans"):  # a worker thread starts in the default language
        target(args[0], True, *args[2:])
    check(client.get(reverse("projects:import_batch", kwargs={"token": english.batch})), "import done", problems,
          SHEET_HEADINGS)
    assert not problems, "\n".join(problems)


def test_what_the_system_records_reads_in_each_readers_language(client, english):
    """The change log keeps the system's own reasons in Chinese, whoever acted in which language;
    each reader sees them in their own."""
    from taizhang.projects.models import Project

    client = english_client(client)
    client.force_login(english.users["district_admin"])
    client.post(reverse("projects:project_add"), {
        "name": "Marine Lab", "region": english.laoshan.pk, "total_investment": "900", "origin": "domestic",
        "nature": "new", "level": "district", "category": "industry"})
    project = Project.objects.get(name="Marine Lab")
    assert project.history.first().history_change_reason == "新建项目"
    url = reverse("projects:project_detail", kwargs={"pk": project.pk})
    english_page = client.get(url).content.decode()
    assert "Record created" in english_page and not chinese_in(english_page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese_page = client.get(url).content.decode()
    assert "建档" in chinese_page and "Record created" not in chinese_page
