"""Creating and editing projects: validation in Chinese, history, concurrent edits."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from taizhang.projects import services
from taizhang.projects.choices import ProblemStatus
from taizhang.projects.models import Problem, Project
from taizhang.projects.validators import (
    credit_code_check_char,
    validate_credit_code,
    validate_project_code,
)

pytestmark = pytest.mark.django_db


def form_data(world, **over):
    data = {
        "name": "人工智能产业园二期", "region": world.laoshan.pk, "total_investment": "150000",
        "origin": "domestic", "nature": "new", "level": "municipal", "category": "industry",
        "chain": world.vr.pk, "responsible_unit": world.ls_zs.pk, "planned_start": "2024-03-01",
        "planned_completion": "2026-12-31",
    }
    data.update(over)
    return data


def test_a_reporter_creates_a_project_and_it_is_over_100m(client, world):
    client.force_login(world.ls_editor)
    r = client.post("/projects/add/", form_data(world))
    assert r.status_code == 302
    p = Project.objects.get(name="人工智能产业园二期")
    assert p.is_over_100m and p.total_investment == Decimal("150000")
    assert p.history.get().history_user == world.ls_editor


@pytest.mark.parametrize(
    "override, field, message",
    [
        ({"total_investment": "-1"}, "total_investment", "不能为负数"),
        ({"total_investment": "一百"}, "total_investment", "数"),
        ({"planned_completion": "2023-01-01"}, "planned_completion", "不能早于"),
        ({"planned_start": "2024-02-30"}, "planned_start", "日期"),
        ({"name": ""}, "name", "必填"),
        ({"code": "2024-370212-65"}, "code", "24位"),
        ({"credit_code": "91370212MA3C123456"}, "credit_code", "校验位"),
        ({"chain": "__lc__"}, "chain", "选择"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(client, world, override, field, message):
    if override.get("chain") == "__lc__":
        override = {"chain": world.lc_chain.pk}
    client.force_login(world.ls_editor)
    before = Project.objects.count()
    r = client.post("/projects/add/", form_data(world, **override))
    assert r.status_code == 200
    errors = r.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert Project.objects.count() == before


def test_a_project_code_is_accepted_without_dashes_and_stored_in_its_24_character_form(client, world):
    client.force_login(world.ls_editor)
    r = client.post("/projects/add/", form_data(world, code="20243702126503000123"))
    assert r.status_code == 302
    assert Project.objects.get(name="人工智能产业园二期").code == "2024-370212-65-03-000123"


def test_credit_code_check_character_follows_gb_32100():
    # A real-shaped code built with the standard's weights passes; any one changed character fails.
    body = "91370212MA3C1234X"
    code = body + credit_code_check_char(body)
    validate_credit_code(code)
    for i in range(17):
        alt = "0" if code[i] != "0" else "1"
        broken = code[:i] + alt + code[i + 1:]
        with pytest.raises(ValidationError):
            validate_credit_code(broken)
    # Published example: 统一社会信用代码 of 腾讯科技(深圳)有限公司.
    validate_credit_code("9144030071526726XG")


def test_project_code_shape_is_checked():
    validate_project_code("2024-370212-65-03-000123")
    for bad in ("2024-370212-65-03-00012", "1999-370212-65-03-000123", "2024-000000-65-03-000123"):
        with pytest.raises(ValidationError):
            validate_project_code(bad)


def test_every_edit_keeps_who_when_before_and_after_and_the_page_shows_it(client, world):
    p = world.ls_project
    client.force_login(world.ls_editor)
    data = form_data(world, name=p.name, total_investment="60000", version=p.version, reason="调整投资规模")
    r = client.post(f"/projects/{p.pk}/edit/", data)
    assert r.status_code == 302, r.context["form"].errors
    latest = p.history.first()
    assert (latest.prev_record.total_investment, latest.total_investment) == (Decimal("52000"), Decimal("60000"))
    assert latest.history_user == world.ls_editor and latest.history_change_reason == "调整投资规模"
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert "调整投资规模" in page and "总投资(万元):<del>52000.00</del> → <ins>60000.00</ins>" in page


def test_the_second_of_two_concurrent_edits_is_refused(client, world):
    p = world.ls_project
    opened_version = p.version
    services.update_project(world.ls_admin, p, {"content": "第一人的修改"}, expected_version=opened_version)
    client.force_login(world.ls_editor)
    r = client.post(f"/projects/{p.pk}/edit/", form_data(world, name="第二人的修改", version=opened_version))
    assert r.status_code == 200
    assert "已被他人修改" in " ".join(r.context["form"].non_field_errors())
    p.refresh_from_db()
    assert p.name == "虚拟现实创享中心" and p.content == "第一人的修改"


def test_problems_go_from_open_to_solved_and_overdue_ones_stand_out(client, world):
    p = world.ls_project
    client.force_login(world.unit_user)
    r = client.post(f"/projects/{p.pk}/problems/add/", {
        "category": "land", "description": "用地指标未落实", "raised_on": "2024-01-05",
        "solving_unit": world.ls_fgj.pk, "deadline": "2024-02-05",
    })
    assert r.status_code == 302
    problem = Problem.objects.get()
    assert problem.is_overdue(dt.date(2024, 3, 1)) and not problem.is_overdue(dt.date(2024, 2, 1))
    assert set(Project.objects.with_overdue_problems(dt.date(2024, 3, 1))) == {p}
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert "逾期" in page
    # Solving needs a note of how.
    r = client.post(f"/projects/{p.pk}/problems/{problem.pk}/", {"status": "solved", "resolution": ""})
    assert r.status_code == 200 and "解决情况" in r.content.decode()
    r = client.post(f"/projects/{p.pk}/problems/{problem.pk}/", {"status": "solved", "resolution": "已调整用地规划"})
    assert r.status_code == 302
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SOLVED and problem.resolved_on is not None
    assert problem.history.count() == 2
    assert Problem.objects.overdue(dt.date(2024, 3, 1)).count() == 0


def test_the_list_filters_by_stage_over_100m_and_search(client, world):
    client.force_login(world.city_admin)
    r = client.get("/projects/?over_100m=true")
    assert {p.name for p in r.context["page"]} == {"中化·云谷", "虚拟现实创享中心"}
    r = client.get("/projects/?over_100m=false")
    assert {p.name for p in r.context["page"]} == {"崂山区人民医院"}
    r = client.get("/projects/?q=医院")
    assert {p.name for p in r.context["page"]} == {"崂山区人民医院"}
    r = client.get(f"/projects/?chain={world.vr.pk}")
    assert {p.name for p in r.context["page"]} == {"虚拟现实创享中心"}


def test_commands_record_their_user_and_reason(world):
    from taizhang.core.history import change_context

    with change_context(world.city_admin, "批量校正"):
        Project.objects.get(pk=world.ls_project.pk).save()
    record = world.ls_project.history.first()
    assert record.history_user == world.city_admin and record.history_change_reason == "批量校正"


def test_pages_are_chinese_by_default_and_english_on_request(client, world):
    client.force_login(world.ls_editor)
    assert "项目台账" in client.get("/projects/").content.decode()
    # An English-language browser still gets Chinese until the user chooses English.
    assert "项目台账" in client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en-US,en").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get("/projects/").content.decode()
    assert "Project ledger" in page and "Export Excel" in page
    r = client.post("/projects/add/", {"name": "", "region": world.laoshan.pk, "total_investment": "-1"})
    assert "Cannot be negative" in r.content.decode()


def test_deleting_a_project_needs_the_right_role_and_a_reason(client, world):
    p = world.ls_other
    client.force_login(world.ls_editor)
    assert client.post(f"/projects/{p.pk}/delete/", {"reason": "重复录入"}).status_code == 403
    client.force_login(world.ls_admin)
    r = client.post(f"/projects/{p.pk}/delete/", {"reason": ""})
    assert r.status_code == 200 and "须说明原因" in r.content.decode()
    assert Project.objects.filter(pk=p.pk).exists()
    assert client.post(f"/projects/{p.pk}/delete/", {"reason": "重复录入"}).status_code == 302
    assert not Project.objects.filter(pk=p.pk).exists()
    gone = Project.history.filter(id=p.pk).first()
    assert gone.history_type == "-" and gone.history_change_reason == "重复录入"
    assert gone.history_user == world.ls_admin
