import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from taizhang.projects import services
from taizhang.projects.choices import Stage
from taizhang.projects.models import StageChange

from .conftest import walk

pytestmark = pytest.mark.django_db

D = dt.date


def test_a_new_project_starts_as_a_lead_with_its_first_move_kept(world):
    p = world.ls_project
    assert p.stage == Stage.LEAD
    first = p.stage_changes.get()
    assert (first.from_stage, first.to_stage) == ("", Stage.LEAD)


def test_it_moves_forward_one_stage_at_a_time_without_a_reason(world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED, Stage.REGISTERED, Stage.STARTED)
    assert p.stage == Stage.STARTED
    assert p.actual_start == D(2024, 1, 31)
    moves = list(p.stage_changes.values_list("from_stage", "to_stage", "user__username"))
    assert moves[-1] == (Stage.REGISTERED, Stage.STARTED, "ls_editor")
    assert len(moves) == 5


@pytest.mark.parametrize("to_stage", [Stage.SIGNED, Stage.STARTED, Stage.SUSPENDED, Stage.TERMINATED])
def test_skipping_or_pausing_needs_a_reason(world, to_stage):
    p = world.ls_project
    with pytest.raises(ValidationError) as e:
        services.move_stage(world.ls_editor, p, to_stage, D(2024, 1, 10))
    assert "原因" in str(e.value)
    assert p.stage_changes.count() == 1
    services.move_stage(world.ls_editor, p, to_stage, D(2024, 1, 10), reason="区领导协调,直接签约")
    p.refresh_from_db()
    assert p.stage == to_stage
    assert p.stage_changes.last().reason == "区领导协调,直接签约"


def test_moving_back_needs_a_reason_and_clears_the_start(world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED, Stage.REGISTERED, Stage.STARTED)
    with pytest.raises(ValidationError):
        services.move_stage(world.ls_editor, p, Stage.SIGNED, D(2024, 3, 1))
    services.move_stage(world.ls_editor, p, Stage.SIGNED, D(2024, 3, 1), reason="开工填报有误")
    p.refresh_from_db()
    assert p.stage == Stage.SIGNED and p.actual_start is None


def test_no_completion_before_the_start(world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED, Stage.REGISTERED, Stage.STARTED)
    # A date before the last move is refused outright.
    with pytest.raises(ValidationError) as e:
        services.move_stage(world.ls_editor, p, Stage.COMPLETED, D(2024, 1, 20))
    assert "早于" in str(e.value)
    services.move_stage(world.ls_editor, p, Stage.COMPLETED, D(2024, 6, 30))
    p.refresh_from_db()
    assert (p.actual_start, p.actual_completion) == (D(2024, 1, 31), D(2024, 6, 30))


def test_no_move_into_the_future(world):
    with pytest.raises(ValidationError):
        services.move_stage(world.ls_editor, world.ls_project, Stage.NEGOTIATING, D(2999, 1, 1))


def test_a_terminated_project_stays_terminated(world):
    p = world.ls_project
    services.move_stage(world.ls_editor, p, Stage.TERMINATED, D(2024, 2, 1), reason="投资方撤回")
    with pytest.raises(ValidationError):
        services.move_stage(world.ls_editor, p, Stage.NEGOTIATING, D(2024, 3, 1), reason="重启")


def test_resuming_to_the_stage_before_the_pause_needs_no_reason(world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING)
    services.move_stage(world.ls_editor, p, Stage.SUSPENDED, D(2024, 2, 1), reason="投资方资金调整")
    services.move_stage(world.ls_editor, p, Stage.NEGOTIATING, D(2024, 3, 1))
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING
    with pytest.raises(ValidationError):
        services.move_stage(world.ls_editor, p, Stage.SUSPENDED, D(2024, 3, 2))


def test_a_viewer_and_another_district_cannot_move_a_stage(world):
    for user in (world.ls_viewer, world.lc_editor, world.unit_user):
        with pytest.raises(PermissionDenied):
            services.move_stage(user, world.ls_project, Stage.NEGOTIATING, D(2024, 1, 10))
    assert StageChange.objects.filter(project=world.ls_project).count() == 1


def test_each_move_leaves_a_history_record_with_its_author_and_reason(world):
    p = world.ls_project
    services.move_stage(world.ls_editor, p, Stage.SIGNED, D(2024, 1, 10), reason="跨越在谈")
    record = p.history.first()
    assert record.stage == Stage.SIGNED
    assert record.history_user == world.ls_editor
    assert record.history_change_reason == "跨越在谈"


def test_a_past_start_recorded_later_goes_in_its_place(world):
    """Entered in November with 线索 at an unknown date, started on 15 October: recorded in its place."""
    p = services.create_project(world.ls_editor, {"name": "十一月建档项目", "region": world.laoshan,
                                                  "total_investment": 100})
    assert list(p.stage_changes.values_list("date", flat=True)) == [None]  # not invented as today
    services.move_stage(world.ls_editor, p, Stage.SIGNED, D(2024, 11, 2), reason="直接签约")
    services.move_stage(world.ls_editor, p, Stage.STARTED, D(2024, 10, 15), reason="补录:10月已开工")
    p.refresh_from_db()
    # By date: 线索(不详) → 开工 10-15 → 签约 11-02, so the project is at 签约 and the start is undone.
    assert list(p.stage_changes.values_list("to_stage", "from_stage")) == [
        (Stage.LEAD, ""), (Stage.STARTED, Stage.LEAD), (Stage.SIGNED, Stage.STARTED)]
    assert (p.stage, p.actual_start) == (Stage.SIGNED, None)
    wrong = p.stage_changes.get(to_stage=Stage.SIGNED)
    services.correct_stage_change(world.ls_editor, wrong, "签约日期记错", date=D(2024, 9, 1))
    p.refresh_from_db()
    assert (p.stage, p.actual_start) == (Stage.STARTED, D(2024, 10, 15))
    assert wrong.history.count() >= 2 and wrong.history.first().history_change_reason == "签约日期记错"


def test_a_lead_date_when_known_bounds_the_history_and_can_be_set(world):
    p = world.ls_project  # 线索 on 2024-01-01
    with pytest.raises(ValidationError, match="建档日期"):
        services.move_stage(world.ls_editor, p, Stage.NEGOTIATING, D(2023, 12, 1))
    lead = p.stage_changes.get()
    with pytest.raises(ValidationError, match="原因"):
        services.correct_stage_change(world.ls_editor, lead, "", date=D(2023, 11, 1))
    services.correct_stage_change(world.ls_editor, lead, "线索日期以招商台账为准", date=D(2023, 11, 1))
    services.move_stage(world.ls_editor, p, Stage.NEGOTIATING, D(2023, 12, 1))
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING


def test_a_wrong_entry_is_removed_with_a_reason_and_kept_in_history(world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED)
    signed = p.stage_changes.get(to_stage=Stage.SIGNED)
    with pytest.raises(ValidationError):
        services.remove_stage_change(world.ls_editor, signed, "")
    services.remove_stage_change(world.ls_editor, signed, "误录签约")
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING
    assert StageChange.history.filter(id=signed.pk, history_type="-").get().history_change_reason == "误录签约"
    with pytest.raises(PermissionDenied):
        services.remove_stage_change(world.ls_viewer, p.stage_changes.last(), "试试")


def test_the_project_page_corrects_and_removes_an_entry(client, world):
    p = walk(world.ls_editor, world.ls_project, Stage.NEGOTIATING, Stage.SIGNED)
    signed = p.stage_changes.get(to_stage=Stage.SIGNED)
    client.force_login(world.ls_editor)
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert f"/projects/{p.pk}/stage/{signed.pk}/" in page and "2024-01-01" in page
    url = f"/projects/{p.pk}/stage/{signed.pk}/"
    r = client.post(url, {"action": "correct", "to_stage": Stage.SIGNED, "date": "2024-01-20", "precision": "day",
                          "reason": ""})
    assert r.status_code == 400  # a correction needs a reason
    r = client.post(url, {"action": "correct", "to_stage": Stage.SIGNED, "date": "2024-01-20", "precision": "day",
                          "reason": "签约日期以合同为准"})
    assert r.status_code == 302
    signed.refresh_from_db()
    assert signed.date == D(2024, 1, 20)
    r = client.post(url, {"action": "remove", "reason": "误录签约"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.stage == Stage.NEGOTIATING
    # A leader reads the page without the forms and cannot post them.
    client.force_login(world.ls_viewer)
    assert "stage-correct" not in client.get(f"/projects/{p.pk}/").content.decode()
    neg = p.stage_changes.get(to_stage=Stage.NEGOTIATING)
    r = client.post(f"/projects/{p.pk}/stage/{neg.pk}/", {"action": "remove", "reason": "试试"})
    assert r.status_code == 403 and p.stage_changes.filter(pk=neg.pk).exists()


def test_a_history_found_right_before_gives_the_same_entries_and_stage(world):
    """initial_history with ``checked`` (an import's histories found right before) makes the
    entries and sets the stage and dates the full check does, for the same entries; entries
    with another date, reason or day, or a refused history, are checked afresh."""
    from decimal import Decimal

    from taizhang.projects.models import Project

    def new():
        return Project(name="新项目", region=world.laoshan, total_investment=Decimal("1"))

    def state(project, rows):
        return ([(r.from_stage, r.to_stage, r.date, r.precision, r.reason, r.user_id, r.project is project)
                 for r in rows], (project.stage, project.stage_date, project.actual_start, project.actual_completion))

    today = D(2024, 6, 30)
    histories = [
        [{"to_stage": Stage.SIGNED, "date": D(2024, 1, 5), "reason": "导入"},
         {"to_stage": Stage.COMPLETED, "date": D(2024, 5, 1), "precision": "month", "reason": "导入"},
         {"to_stage": Stage.STARTED, "date": D(2024, 2, 1), "reason": "导入"}],
        [{"to_stage": Stage.STARTED, "date": None, "reason": "导入"}],
        [{"to_stage": Stage.STARTED, "date": D(2024, 3, 1), "reason": "导入"}],
        [{"to_stage": Stage.STARTED, "date": D(2024, 3, 1), "reason": "导入:第二个文件"}],
        [{"to_stage": Stage.SIGNED, "date": D(2024, 1, 5), "reason": ""},
         {"to_stage": Stage.COMPLETED, "date": D(2024, 5, 1), "reason": ""}],  # no start, no reason: refused
    ]
    checked: dict = {}
    for _ in range(2):
        for stages in histories:
            outcomes = []
            for memo in (None, checked):
                project = new()
                try:
                    rows = services.initial_history(world.ls_editor, project, stages, today, memo)
                except ValidationError as e:
                    outcomes.append(e.messages)
                else:
                    outcomes.append(state(project, rows))
            assert outcomes[0] == outcomes[1], stages
    assert len(checked) == 4  # the refused one is not kept
    project = new()  # another day: checked afresh
    with pytest.raises(ValidationError):
        services.initial_history(world.ls_editor, project, [{"to_stage": Stage.STARTED, "date": D(2024, 3, 1),
                                                             "reason": "导入"}], D(2024, 2, 1), checked)
