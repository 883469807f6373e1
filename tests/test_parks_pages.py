"""The parks pages end to end as a district administrator would use them: buildings and the
vacant-space search, then the evaluation from a department's sheet to the final workbook."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from taizhang.enterprises.services import create_enterprise
from taizhang.parks import evaluation as ev
from taizhang.parks import services
from taizhang.parks.models import Evaluation, Objection, Publication, Tenancy

from .sheets import xlsx
from .test_mujun import HUANGYAN_2022, code

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(world):
    w = world
    w.building = services.create_building(w.ls_editor, {"region": w.laoshan, "park": w.vr_park, "name": "智造楼",
                                                        "floor_load_kn": D("8"), "ceiling_m": D("5")})
    w.unit = services.add_unit(w.ls_editor, w.building, {"floor": 1, "code": "101", "area_m2": D("800"),
                                                         "asking_rent": D("40")})
    services.add_unit(w.ls_editor, w.building, {"floor": 2, "code": "201", "area_m2": D("800")})
    w.firm = create_enterprise(w.ls_editor, {"name": "入驻公司", "credit_code": code(50), "region": w.laoshan})
    w.scheme = ev.save_scheme(w.ls_admin, w.laoshan, {"name": "黄岩区工业企业综合评价(2022年度)",
                                                      "min_pool_for_d": 0}, HUANGYAN_2022)
    return w


def test_buildings_pages_and_a_lease_through_the_page(client, site):
    w = site
    client.force_login(w.ls_admin)
    r = client.get(reverse("parks:park_list"))
    assert r.status_code == 200 and "智造楼" in r.content.decode() and "chart-buildings" in r.content.decode()
    url = reverse("parks:building_detail", args=[w.building.pk])
    r = client.post(url, {"unit": w.unit.pk, "credit_code": code(50).lower(), "start": "2024-01-01"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert Tenancy.objects.get().enterprise == w.firm
    r = client.post(url, {"unit": w.unit.pk, "credit_code": code(50), "start": "2024-02-01"})
    assert "租期不能重叠" in r.content.decode()
    r = client.get(reverse("parks:vacant"), {"area_min": "500", "load_min": "8", "day": "2024-03-01"})
    assert "201" in r.content.decode() and ">101<" not in r.content.decode()
    assert client.get(reverse("parks:tax"), {"year": "2024"}).status_code == 200
    client.force_login(w.lc_editor)
    assert client.get(url).status_code == 404
    assert "智造楼" not in client.get(reverse("parks:park_list")).content.decode()


def test_the_evaluation_from_sheet_to_final_workbook_through_the_pages(client, site):
    w = site
    client.force_login(w.ls_editor)
    sheet = xlsx([["企业名称", "统一社会信用代码", "证载用地面积", "实缴税收", "用电量"],
                  *[[f"{n}公司", code(i), a, t, p] for i, (n, a, t, p) in enumerate(
                      [("子", 8, 100, 400), ("丑", 5, 30, 150), ("寅", 4, 60, 300), ("卯", 6, 20, 200)], start=20)]])
    r = client.post(reverse("parks:data_import"), {"region": w.laoshan.pk, "year": 2022, "department": "tax",
                                                   "file": ContentFile(sheet, name="税务局.xlsx")})
    assert r.status_code == 302, r.content.decode()[:3000]
    bad = xlsx([["企业名称", "统一社会信用代码", "实缴税收"], ["坏公司", code(60), "inf"]])
    r = client.post(reverse("parks:data_import"), {"region": w.laoshan.pk, "year": 2022, "department": "tax",
                                                   "file": ContentFile(bad, name="坏.xlsx")})
    assert r.status_code == 400 and "第2行" in r.content.decode()
    client.force_login(w.ls_admin)
    batch = w.laoshan.mujun_batches.get()
    client.post(reverse("parks:batch_review", args=[batch.pk]), {"accept": "1"})
    r = client.post(reverse("parks:evaluation_add"), {"region": w.laoshan.pk, "year": 2022, "scheme": w.scheme.pk})
    evaluation = Evaluation.objects.get()
    detail = reverse("parks:evaluation_detail", args=[evaluation.pk])
    client.post(detail, {"action": "run"})
    client.post(detail, {"action": "publish", "published_on": "2023-09-25", "objections_until": "2099-12-31"})
    page = client.get(detail).content.decode()
    assert "寅公司" in page and "A" in page
    mao = evaluation.results.get(enterprise__name="卯公司")
    client.force_login(w.ls_editor)
    r = client.post(reverse("parks:result_detail", args=[evaluation.pk, mao.enterprise_id]),
                    {"metric": "tax", "claimed_value": "60", "content": "漏报一笔税款"})
    assert r.status_code == 302
    client.force_login(w.ls_admin)
    objection = Objection.objects.get()
    client.post(reverse("parks:objection_review", args=[objection.pk]),
                {"accept": "1", "corrected_value": "60", "review_note": "已核实"})
    client.post(detail, {"action": "run"})
    client.post(detail, {"action": "publish", "published_on": "2023-10-08", "objections_until": "2099-12-31"})
    client.post(detail, {"action": "final", "published_on": "2023-10-12"})
    assert Publication.objects.filter(evaluation=evaluation).count() == 3
    r = client.get(reverse("parks:evaluation_workbook", args=[evaluation.pk]))
    assert r.status_code == 200 and "filename*" in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb["规下企业(3亩及以上)"].iter_rows(min_row=3, values_only=True))
    # 卯 corrected to 60: 60/6=10 → 43.13, 60/200=0.3 → 63.78: 106.91 (B); 丑 68.40 now last → D
    assert [(row[1], row[-1]) for row in rows] == [("寅公司", "A类"), ("子公司", "B类"), ("卯公司", "C类"),
                                                  ("丑公司", "D类")]
    breakdown = client.get(reverse("parks:result_detail", args=[evaluation.pk, mao.enterprise_id])).content.decode()
    assert "43.13" in breakdown and "63.78" in breakdown and "第1次公示" in breakdown
    for name in ("parks:evaluation_list",):
        assert client.get(reverse(name)).status_code == 200
    api = client.get("/api/mujun-results/", {"evaluation": evaluation.pk}).json()
    assert api["count"] == 4 if isinstance(api, dict) else len(api) == 4
    client.force_login(w.lc_editor)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("parks:evaluation_workbook", args=[evaluation.pk])).status_code == 404
    assert dt.date
