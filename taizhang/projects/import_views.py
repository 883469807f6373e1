"""Upload a sheet, see what would be stored and why, choose what the sheet leaves open
(year, month, sheet, columns), confirm once: all rows are written or none.

An upload becomes an :class:`ImportBatch`; its page shows the preview read with the batch's
options. Confirming moves the batch 待确认 → 导入中 by one conditional update, so a double
click, a second tab or a second user confirm it once. Sheets of more than
``TAIZHANG_IMPORT_BACKGROUND_ROWS`` rows are written by a background job while the page
shows how far it is.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from taizhang.core import jobs
from taizhang.core.numbers import small_int
from taizhang.core.printing import attachment
from taizhang.core.scope import Action, can
from taizhang.core.workbook import WorkbookError, file_kind

from . import imports, services
from .choices import STAGE_ORDER, Stage
from .models import ImportBatch, ImportStatus

logger = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
#: Unconfirmed uploads older than this are deleted with their files.
KEEP_UNCONFIRMED = dt.timedelta(days=2)


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("文件(.xlsx、.xls、.ods 或 .csv)"), widget=forms.ClearableFileInput(attrs={
        "accept": ".xlsx,.xlsm,.xls,.ods,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                  "application/vnd.ms-excel,application/vnd.oasis.opendocument.spreadsheet,text/csv"}))
    year = forms.IntegerField(label=_l("年度"), required=False, min_value=2000, max_value=2100,
                              help_text=_l("不填则从标题或表头读取"))
    month = forms.IntegerField(label=_l("截至月份"), required=False, min_value=1, max_value=12,
                               help_text=_l("不填则从标题(如“1-10月”“10月份”)或表头读取"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件过大(%(mb)s MB),上限 %(max)s MB") % {
                "mb": f.size // (1024 * 1024), "max": imports.MAX_UPLOAD_BYTES // (1024 * 1024)})
        head = f.read(512)
        f.seek(0)
        if not f.name.lower().endswith(SUFFIXES) or not head:
            raise ValidationError(_("请上传 Excel 工作簿(.xlsx/.xls)、OpenDocument 表格(.ods)或 CSV 文件"))
        try:
            file_kind(head, f.name)
        except WorkbookError as e:
            raise ValidationError(str(e)) from e
        return f


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(batch: ImportBatch) -> Path:
    return _folder() / batch.token


def forget_stale() -> int:
    """Uploads nobody confirmed go, files and all (on each upload and in ``taizhang daily``)."""
    stale = list(ImportBatch.objects.filter(status=ImportStatus.PREVIEWED,
                                            created__lt=timezone.now() - KEEP_UNCONFIRMED))
    for batch in stale:
        _path(batch).unlink(missing_ok=True)
        batch.delete()
    return len(stale)


def _batch(request, token: str) -> ImportBatch:
    batch = ImportBatch.objects.filter(token=token, user=request.user).first() if token.isalnum() else None
    if batch is None:
        raise Http404(_("没有这次导入,或已过期"))
    return batch


def _read(batch: ImportBatch, check: bool = True):
    o = batch.options
    mapping = {int(k): (v or None) for k, v in o["mapping"].items()} if o.get("mapping") else None
    return imports.read_projects(batch.user, _path(batch), o.get("year"), o.get("month"), sheet=o.get("sheet"),
                                 mapping=mapping, filename=batch.filename, check=check,
                                 new_stage=o.get("new_stage") or None)


@login_required
def template(request):
    response = HttpResponse(
        imports.build_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    attachment(response, "项目台账导入模板.xlsx")
    return response


def _require(user):
    if not can(user, Action.CHANGE):
        raise PermissionDenied(_("您没有导入项目的权限"))


@login_required
def project_import(request):
    """The upload form; an upload becomes a batch and its preview page."""
    _require(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        forget_stale()
        upload = form.cleaned_data["file"]
        batch = ImportBatch(token=uuid.uuid4().hex, user=request.user, filename=Path(upload.name).name[:200],
                            options={"year": form.cleaned_data["year"], "month": form.cleaned_data["month"]})
        with open(_path(batch), "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        batch.save()
        return redirect("projects:import_batch", token=batch.token)
    return render(request, "projects/project_import.html", {"form": form, "preview": None},
                  status=400 if form.errors else 200)


#: The stage new rows without one are at, when the user says so; 线索 is what the ledger assumes.
NEW_STAGES = [("", _l("线索(默认)"))] + [(s.value, s.label) for s in map(Stage, STAGE_ORDER[1:])]


class OptionsForm(forms.Form):
    year = forms.IntegerField(label=_l("年度"), required=False, min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_l("截至月份"), required=False, min_value=1, max_value=12)
    sheet = forms.CharField(label=_l("工作表"), required=False)
    new_stage = forms.ChoiceField(label=_l("表中未写阶段的新项目"), required=False, choices=NEW_STAGES)
    template_name = forms.CharField(label=_l("保存为模板"), required=False, max_length=100,
                                    help_text=_l("下月同样格式的表将自动按此列对应读取"))


@login_required
def import_batch(request, token):
    """The preview of one upload; POST changes its options (year, month, sheet, columns)."""
    _require(request.user)
    batch = _batch(request, token)
    if batch.status != ImportStatus.PREVIEWED:
        return _result(request, batch)
    if request.method == "POST":
        form = OptionsForm(request.POST)
        if form.is_valid():
            o = dict(batch.options)
            o["sheet"] = form.cleaned_data["sheet"] or None
            o["new_stage"] = form.cleaned_data["new_stage"] or None
            for k in ("year", "month"):  # the values the page showed, posted back, are not a choice
                if form.cleaned_data[k] != o.get(f"read_{k}") or o.get(k) is not None:
                    o[k] = form.cleaned_data[k]
            # "?" is an ambiguous column nobody has decided yet: it stays a question.
            mapping = {k.removeprefix("col-"): v for k, v in request.POST.items()
                       if k.startswith("col-") and v != "?" and small_int(k.removeprefix("col-")) is not None}
            allowed = {value for value, _ in imports.field_choices()}
            if any(v not in allowed or not k.isdigit() for k, v in mapping.items()):
                raise PermissionDenied
            if o["sheet"] and o["sheet"] != o.get("read_sheet"):
                # Another sheet: the columns posted were the old sheet's; the new one is read afresh.
                o.pop("mapping", None)
            elif mapping:
                o["mapping"] = mapping
            batch.options = o
            batch.save(update_fields=["options"])
            if form.cleaned_data["template_name"]:
                try:
                    preview = _read(batch)
                except WorkbookError as e:
                    messages.error(request, str(e))
                else:
                    imports.save_template(request.user, preview, form.cleaned_data["template_name"])
                    messages.success(request, _("已保存列对应模板“%(n)s”") % {"n": form.cleaned_data["template_name"]})
        return redirect("projects:import_batch", token=batch.token)
    try:
        preview = _read(batch)
    except (WorkbookError, FileNotFoundError) as e:
        error = str(e) if isinstance(e, WorkbookError) else _("上传的文件已不在,请重新上传")
        return render(request, "projects/project_import.html", {
            "form": ImportForm(), "preview": None, "error": error, "batch": batch}, status=400)
    batch.rows = len(preview.rows)
    batch.options = {**batch.options, "read_year": preview.year, "read_month": preview.month,
                     "read_sheet": preview.table.sheet if preview.table else None,
                     "totals_disagree": bool(preview.disagreeing_totals)}
    batch.save(update_fields=["rows", "options"])
    counts = {a: preview.count(a) for a in ("create", "update", "unchanged", "error")}
    return render(request, "projects/project_import.html", {
        "preview": preview, "batch": batch, "counts": counts, "choices": imports.field_choices(),
        "new_stages": NEW_STAGES, "new_stage": batch.options.get("new_stage") or "",
    })


@login_required
@require_POST
def import_confirm(request, token):
    _require(request.user)
    batch = _batch(request, token)
    if batch.options.get("totals_disagree") and not request.POST.get("totals_checked"):
        messages.error(request, _("表中合计与各行之和不一致:请核对后勾选确认"))
        return redirect("projects:import_batch", token=batch.token)
    # One conditional update decides who confirms: a second click finds it taken.
    with transaction.atomic():
        taken = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.PREVIEWED).update(
            status=ImportStatus.RUNNING, started=timezone.now())
    if not taken:
        messages.info(request, _("这个文件已经确认导入过,不会重复导入"))
        return redirect("projects:import_batch", token=batch.token)
    batch.refresh_from_db()
    if batch.rows > settings.TAIZHANG_IMPORT_BACKGROUND_ROWS:
        jobs.enqueue(run_import, batch.pk, False, translation.get_language())
        return redirect("projects:import_batch", token=batch.token)
    run_import(batch.pk, in_request=True)
    batch.refresh_from_db()
    if batch.status == ImportStatus.DONE:
        messages.success(request, _("导入完成:新建 %(created)s 个项目,更新 %(updated)s 个,年度计划 %(plans)s 条,"
                                    "月度进展 %(progress)s 条,问题 %(problems)s 个,阶段记录 %(stages)s 条")
                         % batch.result)
        return redirect("projects:project_list")
    return redirect("projects:import_batch", token=batch.token)


def run_import(batch_pk: int, in_request: bool = False, language: str | None = None) -> None:
    """Read the batch's file again and write it: all rows or none. The rows are read again
    because the ledger may have changed since the preview; what would now be refused is.
    ``language``: the confirming user's, so a background job's messages are in it too."""
    if language:
        with translation.override(language):
            return run_import(batch_pk, in_request)
    if not in_request:
        close_old_connections()
    batch = ImportBatch.objects.select_related("user").get(pk=batch_pk)
    key = f"import-progress:{batch.token}"
    try:
        cache.set(key, _("校验中"), 3600)
        preview = _read(batch, check=False)  # confirming runs every rule; a dry run first would do it twice
        if preview.questions or preview.errors:  # the ledger changed since the preview
            raise ValidationError(preview.questions + [_("第%(number)s行") % {"number": r.number} + f" {m}"
                                                       for r in preview.errors for m in r.messages])
        cache.set(key, _("写入中"), 3600)
        counts = services.apply_import(batch.user, preview, gettext_noop("Excel 导入") + f":{batch.filename}")
    except (WorkbookError, ValidationError, PermissionDenied) as e:
        batch.status = ImportStatus.FAILED
        batch.result = {"messages": list(getattr(e, "messages", [str(e)]))[:200]}
    except FileNotFoundError:
        batch.status = ImportStatus.FAILED
        batch.result = {"messages": [_("上传的文件已不在,请重新上传")]}
    except Exception:  # an unexpected fault: the batch says so, nothing was kept
        # Logged, not raised: raised in a request it left the batch 导入中 for an hour, behind a 500.
        logger.exception("import batch %s failed", batch.pk)
        batch.status = ImportStatus.FAILED
        batch.result = {"messages": [_("导入时发生内部错误,未写入任何数据;请联系管理员")]}
    else:
        batch.status = ImportStatus.DONE
        batch.result = counts
        _path(batch).unlink(missing_ok=True)
    finally:
        cache.delete(key)
    batch.finished = timezone.now()
    batch.save(update_fields=["status", "result", "finished"])
    if not in_request:
        close_old_connections()


#: A job running longer than this was cut off (a restarted process): its transaction rolled back.
STALE = dt.timedelta(seconds=jobs.TIMEOUT + 600)


def _result(request, batch: ImportBatch):
    if batch.status == ImportStatus.RUNNING and batch.started and batch.started < timezone.now() - STALE:
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.FAILED, finished=timezone.now(),
            result={"messages": [_("导入在后台中断(服务重启或超时),未写入任何数据;请重新上传")]})
        batch.refresh_from_db()
    return render(request, "projects/import_result.html", {
        "batch": batch, "stage": cache.get(f"import-progress:{batch.token}") or "",
    })
