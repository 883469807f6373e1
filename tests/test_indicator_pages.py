"""The indicator pages and API: the same writer and checks behind every path, scope on every
list, and each value linking to where it came from."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.indicators import services
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.choices import FactState
from taizhang.indicators.models import Indicator, IndicatorValue, TaskUpdate

pytestmark = pytest.mark.django_db

Y = 2024


@pytest.fixture
def cat(world):
    ensure_standard_catalogue()
    return {i.code: i for i in Indicator.objects.all()}


def period_url(region, month=10):
    return reverse("indicators:period") + f"?region={region.pk}&year={Y}&month={month}"


@pytest.mark.parametrize("raw, message", [("NaN", "非数字或无穷大"), ("1e30", "超出允许范围"), ("104", "超过100%")])
def test_every_path_refuses_the_same_value_with_the_same_message(client, world, cat, raw, message):
    share = cat["rd_intensity"]
    # the page
    client.force_login(world.ls_editor)
    page = client.post(period_url(world.laoshan), {"action": "value", "indicator": share.pk, "value": raw,
                                                   "region": world.laoshan.pk}, follow=True)
    assert message in page.content.decode()
    # the API
    api = client.post(reverse("indicatorvalue-list"), json.dumps({
        "indicator": share.pk, "region": world.laoshan.pk, "year": Y, "period_kind": "cumulative", "period_no": 10,
        "value": raw}), content_type="application/json")
    assert api.status_code == 400 and message in api.content.decode()
    assert not IndicatorValue.objects.exists()
    # and a good value goes through both the same way
    client.post(period_url(world.laoshan), {"action": "value", "indicator": share.pk, "value": "4.79",
                                            "region": world.laoshan.pk})
    assert IndicatorValue.objects.get().value == D("4.79")


def test_a_soft_finding_on_the_page_asks_for_confirmation(client, world, cat):
    services.save_value(world.ls_editor, cat["gdp"], world.laoshan, Y - 1, "cumulative", 10, "100")
    client.force_login(world.ls_editor)
    data = {"action": "value", "indicator": cat["gdp"].pk, "value": "400", "region": world.laoshan.pk}
    body = client.post(period_url(world.laoshan), data, follow=True).content.decode()
    assert "较上年同期" in body and "确认无误" in body
    assert not IndicatorValue.objects.filter(year=Y).exists()
    client.post(period_url(world.laoshan), {**data, "confirm": "on", "note": "并入园区"})
    assert IndicatorValue.objects.get(year=Y).value == D("400")


def test_the_period_page_shows_status_and_the_narrative(client, world, cat):
    services.save_value(world.ls_editor, cat["gdp"], world.laoshan, Y, "cumulative", 10, "500")
    services.save_target(world.ls_admin, cat["gdp"], world.laoshan, Y, "1000")
    client.force_login(world.ls_viewer)
    body = client.get(period_url(world.laoshan)).content.decode()
    assert "完成年度目标的50.00%" in body and 'class="tag red"' in body  # 50% against 时序 83.33%
    assert client.get(period_url(world.licang)).status_code == 404


def test_the_comparison_shows_public_figures_of_peers_and_links_each_to_its_sentence(client, world, cat):
    doc, _ = services.ingest_document(None, text="2022年,李沧区落地过亿元项目149个。", filename="lc.txt")
    services.save_value(world.ls_editor, cat["new_high_tech"], world.laoshan, Y, "year", 0, "30")
    services.save_value(world.lc_editor, cat["new_high_tech"], world.licang, Y, "year", 0, "8765")  # not public
    client.force_login(world.ls_viewer)
    body = client.get(reverse("indicators:compare") + f"?indicator={cat['new_over_100m'].pk}").content.decode()
    fact = doc.facts.get()
    assert fact.state == FactState.ACCEPTED
    assert f'href="/indicators/documents/{doc.pk}/#fact-{fact.pk}"' in body and "李沧区" in body
    page = client.get(reverse("indicators:compare") + f"?indicator={cat['new_high_tech'].pk}").content.decode()
    assert "30" in page and "8765" not in page and "李沧区" not in page
    sentence = client.get(reverse("indicators:document", kwargs={"pk": doc.pk})).content.decode()
    assert f'<mark id="fact-{fact.pk}"' in sentence and "落地过亿元项目149个" in sentence


def test_the_review_queue_takes_a_fact_and_is_closed_to_readers(client, world, cat):
    doc, _ = services.ingest_document(world.ls_editor, text="2024年,崂山区新建口袋公园10处。", filename="p.txt")
    fact = doc.facts.get()
    client.force_login(world.ls_viewer)
    assert client.get(reverse("indicators:review")).status_code == 403
    client.force_login(world.ls_editor)
    assert "口袋公园" in client.get(reverse("indicators:review")).content.decode()
    client.post(reverse("indicators:review"), {"fact": fact.pk, "action": "reject"})
    fact.refresh_from_db()
    assert fact.state == FactState.REJECTED


def test_an_owner_updates_a_task_with_a_file_and_only_its_district_opens_it(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = services.save_task(world.ls_admin, world.laoshan, Y, {"title": "园区建设", "responsible_unit": world.ls_zs,
                                                                  "deadline": dt.date(Y, 12, 31)})
    client.force_login(world.unit_user)
    url = reverse("indicators:task", kwargs={"pk": task.pk}) + f"?year={Y}&month=5"
    client.post(url, {"action": "update", "progress": "完成60%", "percent": "60", "evidence": "",
                      "evidence_file": SimpleUploadedFile("照片.pdf", b"%PDF-1.4")})
    update = TaskUpdate.objects.get()
    assert update.month == 5 and update.evidence_file
    evidence = reverse("indicators:evidence", kwargs={"pk": update.pk})
    assert client.get(evidence).status_code == 200
    client.force_login(world.lc_editor)
    assert client.get(evidence).status_code == 404
    assert client.get(url).status_code == 404


def test_a_district_escalates_a_task_from_its_page(client, world):
    task = services.save_task(world.ls_admin, world.laoshan, Y, {"title": "园区建设", "responsible_unit": world.ls_zs,
                                                                  "deadline": dt.date(Y, 3, 31)})
    client.force_login(world.ls_admin)
    r = client.post(reverse("indicators:task", kwargs={"pk": task.pk}),
                    {"action": "escalate", "content": "逾期未完成", "deadline": "2099-01-01"})
    order = task.orders.get()
    assert r["Location"] == reverse("reporting:order", kwargs={"pk": order.pk}) and order.unit == world.ls_zs
    client.force_login(world.ls_editor)  # a reporter does not 督办
    assert client.post(reverse("indicators:task", kwargs={"pk": task.pk}),
                       {"action": "escalate", "content": "x", "deadline": "2099-01-01"}).status_code == 403


def test_the_api_lists_only_what_the_user_may_see(client, world, cat):
    own = services.save_value(world.ls_editor, cat["gdp"], world.laoshan, Y, "year", 0, "700")
    services.save_value(world.lc_editor, cat["gdp"], world.licang, Y, "year", 0, "300")
    client.force_login(world.ls_viewer)
    rows = client.get(reverse("indicatorvalue-list")).json()
    rows = rows.get("results", rows)
    assert [r["id"] for r in rows] == [own.pk]


def test_a_sheet_of_values_goes_through_the_writer_all_or_nothing(client, world, cat):
    from django.core.files.base import ContentFile

    from taizhang.indicators.choices import Source
    from taizhang.indicators.models import Target

    from .sheets import xlsx

    client.force_login(world.ls_editor)
    bad = xlsx([["指标名称", "数值", "年度目标"], ["规模以上工业增加值", "13.8", "10"], ["研发投入强度", "104", ""],
                ["没有的指标", "1", ""]])
    body = client.post(period_url(world.laoshan), {"action": "import", "region": world.laoshan.pk,
                                                   "file": ContentFile(bad, name="1-10月.xlsx")}, follow=True)
    text = body.content.decode()
    assert "第3行 数值" in text and "超过100%" in text and "第4行 指标名称" in text
    assert not IndicatorValue.objects.exists() and not Target.objects.exists()
    good = xlsx([["指标名称", "数值", "年度目标"], ["规模以上工业增加值", "13.8", "10"], ["研发投入强度", "4.79", ""]])
    client.post(period_url(world.laoshan), {"action": "import", "region": world.laoshan.pk,
                                            "file": ContentFile(good, name="1-10月.xlsx")})
    value = IndicatorValue.objects.get(indicator=cat["industry_va_growth"])
    assert (value.value, value.source, value.period_no) == (D("13.8"), Source.IMPORTED, 10)
    assert Target.objects.get().value == D("10")
