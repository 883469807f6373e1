"""Reports into facts into values: ``taizhang ingest``, synonym mapping, the review queue,
and a report's claims against the ledger's own figures."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from taizhang.indicators import services
from taizhang.indicators.catalogue import ensure_standard_catalogue
from taizhang.indicators.choices import FactState, Kind, Source
from taizhang.indicators.figures import comparison, cross_check
from taizhang.indicators.models import Document, Fact, Indicator, IndicatorValue, Target
from taizhang.reader import read_path
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region

from .test_indicators import make_ledger

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")


@pytest.fixture
def shibei(world):
    world.shibei = Region.objects.create(code="370203", name="市北区", level=RegionLevel.DISTRICT,
                                         parent=world.qingdao)
    world.jimo = Region.objects.create(code="370215", name="即墨区", level=RegionLevel.DISTRICT,
                                       parent=world.qingdao)
    return world


def value_of(code, region, year):
    return {(v.period_kind, v.period_no): v.value for v in IndicatorValue.objects.filter(
        indicator__code=code, region=region, year=year)}


@pytest.mark.skipif(not SEEDS.exists(), reason="the seed reports are not here")
def test_ingest_stores_the_seeds_facts_and_maps_the_common_indicators(shibei, capsys):
    w = shibei
    call_command("ingest", str(SEEDS))
    files = sorted(SEEDS.glob("*.txt"))
    assert Document.objects.count() == len(files) == 5
    assert Fact.objects.count() == sum(len(read_path(f)) for f in files)
    for fact in Fact.objects.select_related("document")[:400]:
        assert fact.document.text[fact.start:fact.end] == fact.quote  # provenance holds
    # the indicators the three districts' reports share
    assert value_of("industry_va_growth", w.laoshan, 2024)[("cumulative", 9)] == D("13.8")
    assert value_of("new_over_100m", w.licang, 2022)[("year", 0)] == D("149")
    assert value_of("new_over_100m", w.laoshan, 2024)[("year", 0)] == D("107")
    assert value_of("trade_growth", w.licang, 2022)[("year", 0)] == D("30")
    assert value_of("illegal_demolition", w.shibei, 2023)[("year", 0)] == D("43.2")
    assert value_of("key_project_done", w.shibei, 2023)[("year", 0)] == D("2750000")  # 275亿元 in 万元
    value = IndicatorValue.objects.get(indicator__code="key_project_rate", region=w.shibei)
    assert value.source == Source.REPORT and value.public and "120%" in value.fact.quote
    # what is not catalogued waits for review
    assert Fact.objects.filter(state=FactState.UNMAPPED).count() > 100
    # the comparison sets the three side by side, each value with its sentence
    ind = Indicator.objects.get(code="new_over_100m")
    rows = comparison(ind, [w.laoshan, w.licang, w.shibei], IndicatorValue.objects.all(), Target.objects.all())
    assert [(r.region.name, r.resolved.value, r.rank) for r in rows[:2]] == [
        ("李沧区", D("149"), 1), ("崂山区", D("107"), 2)]
    assert rows[0].resolved.record.fact.document.filename == "002_1efeef788511bbb6.txt"
    # a second run stores nothing twice
    call_command("ingest", str(SEEDS))
    assert Document.objects.count() == 5
    assert "已导入过" in capsys.readouterr().out


def test_synonyms_map_a_reports_name_to_the_catalogue(world):
    ensure_standard_catalogue()
    names = services._catalogue_names()
    assert [i.code for i in services.match("规模以上工业增加值", Kind.GROWTH, "%", names)] == ["industry_va_growth"]
    assert [i.code for i in services.match("带动货物进出口总额", Kind.GROWTH, "%", names)] == ["trade_growth"]
    # the same words in the middle of another measure are not it
    assert services.match("4个市级海洋领域重点项目总投资额达", Kind.LEVEL, "个", names) == []
    # a count is not an amount, a growth is not a level
    assert services.match("省市区重点项目完成年度投资", Kind.LEVEL, "个", names) == []
    assert services.match("规上工业增加值", Kind.LEVEL, "亿元", names) == []


def test_an_ambiguous_fact_waits_and_is_taken_with_the_indicator_chosen(world):
    ensure_standard_catalogue()
    Indicator.objects.create(code="va_other", name="工业增加值增速(另一口径)", unit="%", kind=Kind.GROWTH,
                             synonyms="规上工业增加值")
    doc, created = services.ingest_document(world.ls_editor, text="崂山区2024年规模以上工业增加值增长13.8%。",
                                            filename="a.txt", public=False)
    fact = doc.facts.get()
    assert created and fact.state == FactState.AMBIGUOUS and len(fact.candidates) == 2
    assert doc.region == world.laoshan
    value = services.accept_fact(world.ls_editor, fact, Indicator.objects.get(code="industry_va_growth"))
    fact.refresh_from_db()
    assert fact.state == FactState.ACCEPTED and value.fact == fact and value.value == D("13.8")
    assert value.source == Source.REPORT and not value.public  # an internal document stays the district's
    with pytest.raises(ValidationError, match="已采用"):
        services.accept_fact(world.ls_editor, fact)


def test_an_unmapped_fact_can_be_rejected_and_a_wrong_unit_refused(world):
    ensure_standard_catalogue()
    doc, _ = services.ingest_document(world.ls_editor, text="2024年,崂山区新建口袋公园10处。", filename="b.txt")
    fact = doc.facts.get()
    assert fact.state == FactState.UNMAPPED
    with pytest.raises(ValidationError, match="不能换算"):
        services.accept_fact(world.ls_editor, fact, Indicator.objects.get(code="gdp"))
    services.reject_fact(world.ls_editor, fact)
    assert Fact.objects.get().state == FactState.REJECTED


def test_a_district_cannot_take_another_districts_fact(world):
    ensure_standard_catalogue()
    doc, _ = services.ingest_document(None, text="李沧区2022年民间投资增长44.7%。", filename="c.txt", accept=False)
    fact = doc.facts.get()
    assert fact.state == FactState.MAPPED
    with pytest.raises(PermissionDenied):
        services.accept_fact(world.ls_editor, fact)
    services.accept_fact(world.lc_editor, fact)
    assert IndicatorValue.objects.get().region == world.licang


def test_a_target_in_a_report_becomes_the_years_target_when_taken(world):
    ensure_standard_catalogue()
    doc, _ = services.ingest_document(world.ls_editor, text="2024年,崂山区力争城镇新增就业3万人。", filename="d.txt")
    fact = doc.facts.get()
    assert fact.status == "target" and fact.state == FactState.MAPPED  # targets are taken by hand
    target = services.accept_fact(world.ls_editor, fact)
    assert isinstance(target, Target) and target.value == D("3") and target.fact == fact


def test_a_reports_claim_is_checked_against_the_ledger(world, no_start_rule):
    w = make_ledger(world)
    ensure_standard_catalogue()
    text = "2024年1-3月,崂山区省市区重点项目完成年度投资0.08亿元,年度投资完成率17.3%。"
    doc, _ = services.ingest_document(w.ls_admin, text=text, filename="claim.txt")
    claims = {c.indicator.code: c for c in cross_check(doc.facts.all())}
    done, rate = claims["key_project_done"], claims["key_project_rate"]
    # ledger: 727万元 approved of a 4200万元 plan = 17.31%
    assert (done.claimed, done.ledger, done.difference, done.agrees) == (D("800"), D("727"), D("73"), False)
    assert (rate.claimed, rate.ledger, rate.agrees) == (D("17.3"), D("17.31"), True)
    assert done.month == 3


def test_a_published_report_about_another_district_keeps_its_region_but_not_its_values(world):
    ensure_standard_catalogue()
    doc, _ = services.ingest_document(world.ls_editor, text="李沧区2022年民间投资增长44.7%。", filename="lc.txt")
    assert doc.region == world.licang and doc.public
    fact = doc.facts.get()
    assert fact.state == FactState.MAPPED  # 崂山区 may not write 李沧区's figures: it waits for 李沧区
    assert not IndicatorValue.objects.exists()


def test_an_unreadable_file_is_refused_by_name_and_nothing_is_kept(world, tmp_path):
    bad = tmp_path / "扫描件.pdf"
    bad.write_bytes(b"%PDF-1.4\x00\x01\x02\x00" * 100)
    with pytest.raises(CommandError, match="1 个文件未能导入"):
        call_command("ingest", str(bad))
    assert not Document.objects.exists() and not Fact.objects.exists()
