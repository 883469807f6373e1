"""Upload a sheet, see row by row what would happen, confirm: all rows are written or none."""

from __future__ import annotations

import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from taizhang.core.scope import Action, can
from taizhang.core.workbook import WorkbookError

from . import imports, services

XLSX_MAGIC = b"PK\x03\x04"


class ImportForm(forms.Form):
    file = forms.FileField(label=_l("Excel 文件(.xlsx)"))
    year = forms.IntegerField(label=_l("年度"), required=False, min_value=2000, max_value=2100,
                              help_text=_l("不填则从表头读取"))
    month = forms.IntegerField(label=_l("累计完成投资截至月份"), required=False, min_value=1, max_value=12,
                               help_text=_l("不填则从表头“1-N月”读取"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件过大(%(mb)s MB),上限 %(max)s MB") % {
                "mb": f.size // (1024 * 1024), "max": imports.MAX_UPLOAD_BYTES // (1024 * 1024)})
        head = f.read(4)
        f.seek(0)
        if not f.name.lower().endswith(".xlsx") or head != XLSX_MAGIC:
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 工作簿(旧版 .xls 请先另存为 .xlsx)"))
        return f


def _store(upload) -> str:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    with open(folder / f"{token}.xlsx", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def _stored(token: str) -> Path:
    if not token.isalnum():
        raise PermissionDenied
    return Path(settings.MEDIA_ROOT) / "imports" / f"{token}.xlsx"


@login_required
def template(request):
    response = HttpResponse(
        imports.build_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="taizhang-import-template.xlsx"'
    return response


@login_required
def project_import(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有导入项目的权限"))
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = token = None
    error = None
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        path = _stored(token)
        session_key = f"import:{token}"
        if request.session.get(session_key) is None or not path.exists():
            messages.error(request, _("导入已过期,请重新上传"))
            return redirect("projects:project_import")
        year, month = request.session[session_key]
        try:
            preview = imports.read_projects(request.user, path, year, month)
            counts = services.apply_import(request.user, preview, _("Excel 导入"))
        except (WorkbookError, ValidationError) as e:
            error = " ".join(getattr(e, "messages", [str(e)]))
        else:
            path.unlink(missing_ok=True)
            request.session.pop(session_key, None)
            messages.success(request, _("导入完成:新建 %(created)s 个项目,更新 %(updated)s 个,年度计划 %(plans)s 条,"
                                        "月度进展 %(progress)s 条,问题 %(problems)s 个") % counts)
            return redirect("projects:project_list")
    elif request.method == "POST" and form.is_valid():
        token = _store(form.cleaned_data["file"])
        try:
            preview = imports.read_projects(request.user, _stored(token), form.cleaned_data["year"],
                                            form.cleaned_data["month"])
        except WorkbookError as e:
            error = str(e)
            _stored(token).unlink(missing_ok=True)
            token = None
        else:
            request.session[f"import:{token}"] = (preview.year, preview.month)
    counts = {a: preview.count(a) for a in ("create", "update", "unchanged", "error")} if preview else {}
    return render(request, "projects/project_import.html", {
        "form": form, "preview": preview, "token": token, "error": error, "counts": counts,
    }, status=400 if error else 200)
