"""In a real browser, at a desk and on a phone (390 px): a responsible unit updates its key task
with evidence; a leader opens the districts' comparison and clicks through to the sentence a
value was read from."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from taizhang.indicators import services
from taizhang.indicators.models import Indicator, TaskUpdate
from taizhang.regions.choices import RegionLevel
from taizhang.regions.models import Region

from .browser import login, page, phone, screenshot  # noqa: F401  (page and phone are fixtures)
from .test_browser_reporting import PNG
from .test_indicator_ingest import SEEDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not SEEDS.exists(), reason="the seed reports are not here")]


def fits(pg, name: str) -> None:
    screenshot(pg, f"indicators-{name}")
    width = pg.evaluate("document.documentElement.scrollWidth")
    viewport = pg.evaluate("window.innerWidth")
    assert width <= viewport, f"{name}: the page is {width} px wide in {viewport}"


def walk(pg, world, tmp_path, label: str) -> None:
    Region.objects.create(code="370203", name="市北区", level=RegionLevel.DISTRICT, parent=world.qingdao)
    call_command("ingest", str(SEEDS))
    last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    task = services.save_task(world.ls_admin, world.laoshan, last.year, {
        "title": "推进虚拟现实产业园二期建设", "responsible_unit": world.ls_zs,
        "deadline": dt.date(last.year, 12, 31), "cooperating_units": [world.ls_fgj]})
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)

    # the responsible unit finds its task, not updated this cycle, and updates it with evidence
    login(pg, "ls_unit")
    pg.goto(pg.base_url + f"/indicators/tasks/?year={last.year}&month={last.month}")
    fits(pg, f"{label}-1-tasks")
    pg.click(f"#tasks a:has-text('{task.title}')")
    pg.fill("#update-form textarea[name=progress]", "二期主体结构封顶")
    pg.fill("#update-form input[name=percent]", "60")
    pg.fill("#update-form input[name=evidence]", "区投促中心〔2024〕8号")
    pg.set_input_files("#update-form input[name=evidence_file]", str(photo))
    fits(pg, f"{label}-2-task")
    pg.click("#save-update")
    pg.wait_for_selector("text=进展已更新")
    assert "区投促中心〔2024〕8号" in pg.inner_text("#updates")
    update = TaskUpdate.objects.get(task=task, year=last.year, month=last.month)
    assert update.percent == 60 and update.evidence_file and update.submitted_by == world.unit_user
    pg.click("button:has-text('退出')")
    pg.wait_for_url("**/accounts/login/**")

    # a leader compares the districts on 新落地过亿元项目 and opens the sentence behind 李沧区's figure
    login(pg, "ls_viewer")
    indicator = Indicator.objects.get(code="new_over_100m")
    pg.goto(pg.base_url + f"/indicators/compare/?indicator={indicator.pk}")
    pg.wait_for_selector("#chart-compare[data-drawn='2']")
    ranking = pg.inner_text("#ranking")
    assert "李沧区" in ranking and "崂山区" in ranking
    fits(pg, f"{label}-3-compare")
    pg.click("#ranking tr:has-text('李沧区') a.source-link")
    pg.wait_for_url("**/indicators/documents/**#fact-*")
    fact_id = pg.url.rsplit("#", 1)[1]
    mark = pg.locator(f"mark#{fact_id}")
    assert "149" in mark.inner_text() and mark.is_visible()
    fits(pg, f"{label}-4-sentence")


def test_an_owner_updates_a_key_task_and_a_leader_finds_the_source(page, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    walk(page, world, tmp_path, "desk")


def test_the_same_on_a_phone(phone, world, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    walk(phone, world, tmp_path, "phone")
