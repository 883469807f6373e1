"""Upload a 认定名单, see each row's firm (by code, by name, near-matches to settle, new), confirm once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from taizhang.core.scope import Action, can, districts_of
from taizhang.core.workbook import WorkbookError, file_kind
from taizhang.projects.imports import MAX_UPLOAD_BYTES

from . import figure_imports, imports
from .choices import TierKind, TierLevel
from .models import FigureImport, ListImport

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


class ListForm(forms.Form):
    file = forms.FileField(label=_l("名单文件(.xlsx、.xls、.ods 或 .csv)"))
    region = forms.ModelChoiceField(label=_l("区"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_l("梯度"), choices=TierKind.choices)
    level = forms.ChoiceField(label=_l("级别"), choices=TierLevel.choices)
    year = forms.IntegerField(label=_l("认定年度"), min_value=1980, max_value=2100)
    batch = forms.CharField(label=_l("批次"), required=False, max_length=64)
    body = forms.CharField(label=_l("认定机构"), required=False, max_length=100)
    effective = forms.DateField(label=_l("生效日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text=_l("名单各行没有发证日期时适用;不详留空"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件过大(%(mb)s MB),上限 %(max)s MB") % {
                "mb": f.size // (1024 * 1024), "max": MAX_UPLOAD_BYTES // (1024 * 1024)})
        head = f.read(512)
        f.seek(0)
        if not f.name.lower().endswith(SUFFIXES) or not head:
            raise ValidationError(_("请上传 Excel 工作簿(.xlsx/.xls)、OpenDocument 表格(.ods)或 CSV 文件"))
        try:
            file_kind(head, f.name)
        except WorkbookError as e:
            raise ValidationError(str(e)) from e
        return f


@login_required
def list_import(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有导入名单的权限"))
    form = ListForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch = imports.start(request.user, d["region"], d["file"], d["file"].name, {
                k: d[k] for k in ("kind", "level", "year", "batch", "body", "effective")})
        except ValidationError as e:
            for m in e.messages:
                form.add_error("file", m)
        else:
            return redirect("enterprises:list_preview", token=batch.token)
    return render(request, "enterprises/list_import.html", {"form": form})


def _confirm(request, model, token: str, apply):
    """A previewed batch of the user's districts, confirmed on POST with the near-matches the
    user settled (the 认定名单 and the annual figures alike). Returns (batch, counts or None,
    errors); ``apply(user, batch, choices)`` writes all rows or none."""
    batch = model.objects.select_related("region").filter(token=token, region__in=districts_of(request.user)).first()
    if batch is None or not can(request.user, Action.CHANGE):
        raise Http404(_("导入批次不存在或不在您的管理范围内"))
    if request.method != "POST":
        return batch, None, []
    choices = {r["row"]: request.POST.get(f"row_{r['row']}", "") for r in batch.rows if r["match"] == "near"}
    try:
        return batch, apply(request.user, batch, choices), []
    except ValidationError as e:
        return batch, None, e.messages


def _tally(rows) -> dict[str, int]:
    tally: dict[str, int] = {}
    for r in rows:
        tally[r["match"]] = tally.get(r["match"], 0) + 1
    return tally


@login_required
def list_preview(request, token: str):
    batch, counts, errors = _confirm(request, ListImport, token, imports.apply)
    if counts is not None:
        messages.success(request, _("名单已导入:登记认定%(recognised)s家,其中新建企业%(created)s家,"
                                    "跳过%(skipped)s行") % counts)
        return redirect(f"{_tiers_url()}?region={batch.region.pk}")
    for r in batch.rows:
        r["messages"] = imports.row_errors(r)  # shown, not stored
    return render(request, "enterprises/list_preview.html",
                  {"batch": batch, "tally": _tally(batch.rows), "errors": errors})


def _tiers_url() -> str:
    from django.urls import reverse

    return reverse("enterprises:tiers")


# ---------------------------------------------------------------- annual figures


class FiguresForm(forms.Form):
    file = forms.FileField(label=_l("数据文件(.xlsx、.xls、.ods 或 .csv)"))
    region = forms.ModelChoiceField(label=_l("区"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_l("数据年度"), min_value=1980, max_value=2100)
    department = forms.CharField(label=_l("报送部门"), max_length=64, help_text=_l("如:区统计局、区税务局、区科技局"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = districts_of(user)

    clean_file = ListForm.clean_file


@login_required
def figure_import(request):
    if not can(request.user, Action.CHANGE):
        raise PermissionDenied(_("您没有导入企业数据的权限"))
    form = FiguresForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch = figure_imports.start(request.user, d["region"], d["file"], d["file"].name, d["year"],
                                         d["department"])
        except ValidationError as e:
            for m in e.messages:
                form.add_error("file", m)
        else:
            return redirect("enterprises:figure_preview", token=batch.token)
    return render(request, "enterprises/figure_import.html", {"form": form})


@login_required
def figure_preview(request, token: str):
    batch, counts, errors = _confirm(request, FigureImport, token, figure_imports.apply)
    if counts is not None:
        messages.success(request, _("年度数据已导入:%(firms)s家企业,新增%(created)s项、更新%(changed)s项、"
                                    "未变%(unchanged)s项,新建企业%(created_firms)s家,跳过%(skipped)s行") % counts)
        return redirect("enterprises:figure_preview", token=batch.token)
    metrics = [c["metric"] for c in batch.columns]
    for r in batch.rows:
        r["messages"] = figure_imports.row_errors(batch, r)  # shown, not stored
        r["cells"] = [r["values"].get(m) for m in metrics]
    return render(request, "enterprises/figure_preview.html",
                  {"batch": batch, "tally": _tally(batch.rows), "errors": errors})
