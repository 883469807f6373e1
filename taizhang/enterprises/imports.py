"""A published 认定名单 (a list of names, codes, certificate numbers) into the registry.

Each row is matched to a firm: by credit code first (a code names one firm), then by name or
former name after normalising, then offered near-matches ("青岛檬豆网络科技有限公司" and
"檬豆网络科技(青岛)有限公司" are one firm written two ways) for the user to settle. A row no
firm matches becomes a new firm of the district. Nothing is stored until the user confirms;
then every row is stored, or none.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from taizhang.core.history import change_context
from taizhang.core.scope import Action, may
from taizhang.core.workbook import (
    CellError,
    Field,
    WorkbookError,
    clean,
    filled,
    open_workbook,
    read_table,
    to_date,
)
from taizhang.projects.validators import validate_credit_code

from . import services
from .choices import Source
from .models import Enterprise, FormerName, ListImport, Recognition, firm_key

MAX_ROWS = 20_000
FIELDS = {
    "name": Field(gettext_noop("企业名称"), ("企业名称", "单位名称", "企业", "公司名称", "申报单位", "申报企业",
                                         "名称")),
    "credit_code": Field(gettext_noop("统一社会信用代码"), ("统一社会信用代码", "社会信用代码", "信用代码",
                                                       "组织机构代码")),
    "certificate_no": Field(gettext_noop("证书编号"), ("证书编号", "证书号")),
    "effective": Field(gettext_noop("发证日期"), ("发证日期", "认定日期", "发证时间", "入库时间"), kind="date"),
    "region": Field(gettext_noop("所在区"), ("所在区", "所属区", "所属区市", "区市", "所在区市", "区县", "所在地")),
}

#: names of places and legal forms a firm's name may carry or not: "青岛檬豆网络科技有限公司" and
#: "檬豆网络科技(青岛)有限公司" are one firm
_PLACE = re.compile(r"^(?:中国|山东省?|青岛市?|[\u4e00-\u9fff]{2}[区县市])")
_FORM = re.compile(r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司|分公司)$")
_BRACKETS = re.compile(r"\([^()]*\)")


def core_name(name: str) -> str:
    key = _BRACKETS.sub("", firm_key(name))
    for _i in range(2):
        key = _FORM.sub("", key)
    return _PLACE.sub("", key) or key


def read(file, filename: str) -> tuple[list[dict], dict[str, list]]:
    """The list's rows, each with its sheet row number, name, code, certificate and date, and
    what the reading set aside and said (:meth:`Table.reading`)."""
    try:
        sheets = open_workbook(file, filename)
        table = read_table(sheets[0], FIELDS, required="name", max_rows=MAX_ROWS)
    except WorkbookError as e:
        raise ValidationError(str(e)) from e
    col = {c.field: c.index for c in table.columns if c.field}
    rows = []
    for number, cells in table.rows:
        def cell(field, cells=cells):
            i = col.get(field)
            return cells[i] if i is not None and i < len(cells) else None
        name = clean(cell("name") or "")
        if not name:
            continue
        row = {"row": number, "name": name, "credit_code": clean(cell("credit_code") or "").upper().replace(" ", ""),
               "certificate_no": clean(cell("certificate_no") or ""), "region": clean(cell("region") or ""),
               "effective": None, "errors": []}
        if row["credit_code"] and _why("credit_code", row["credit_code"]):
            row["errors"].append({"column": "credit_code", "value": row["credit_code"]})
        if filled(cell("effective")):
            try:
                day = to_date(cell("effective"))
                row["effective"] = day.isoformat() if day else None
            except CellError:
                value = cell("effective")  # kept as JSON, and read as it was
                if isinstance(value, Decimal):
                    value = float(value)
                elif not isinstance(value, str | int | float):
                    value = str(value)
                row["errors"].append({"column": "effective", "value": value})
        rows.append(row)
    if not rows:
        raise ValidationError(_("名单中没有读到企业名称"))
    return rows, table.reading()


def _why(column: str, value) -> str:
    """What is wrong with a cell of the list, or "" if nothing is."""
    try:
        if column == "credit_code":
            validate_credit_code(value)
        else:
            to_date(value)
    except ValidationError as e:
        return e.messages[0]
    except CellError as e:
        return str(e)
    return ""


def row_errors(row: dict) -> list[str]:
    """A row's errors in the reader's language. The row keeps the cells that are wrong, not
    messages: a list uploaded in Chinese may be looked at, or confirmed, in English."""
    out = []
    for problem in row["errors"]:
        if isinstance(problem, str):  # an upload read before rows kept their cells
            out.append(problem)
            continue
        msg = _why(problem["column"], problem["value"])
        if problem["column"] == "credit_code":
            out.append(_("第%(row)s行“统一社会信用代码”:%(msg)s") % {"row": row["row"], "msg": msg})
        else:
            out.append(_("第%(row)s行“发证日期”:%(msg)s") % {"row": row["row"], "msg": msg})
    return out


def match_firms(rows: list[dict], user, region) -> list[dict]:
    """Each row's firm in ``region`` (the one matching of the registry's imports: the 认定名单 and
    the annual figures alike): ``match`` is code / name / near / new / foreign / duplicate / error,
    with ``firm`` (id) and for near-matches ``candidates`` [(id, name, score)]. A row needs
    ``row``, ``name``, ``credit_code`` and ``errors``."""
    mine = Enterprise.objects.restrict(user).filter(region__path__startswith=region.path)
    by_key = dict(mine.values_list("name_key", "pk"))
    by_key.update({k: pk for k, pk in FormerName.objects.filter(enterprise__in=mine)
                   .values_list("name_key", "enterprise_id") if k not in by_key})
    names = dict(mine.values_list("pk", "name"))
    cores: dict[str, list[int]] = {}
    for pk, name in names.items():
        cores.setdefault(core_name(name), []).append(pk)
    codes = {r["credit_code"] for r in rows if r["credit_code"] and not r["errors"]}
    by_code = {c: (pk, rid) for c, pk, rid in Enterprise.objects.filter(credit_code__in=codes)
               .values_list("credit_code", "pk", "region_id")}
    visible = set(mine.filter(credit_code__in=codes).values_list("pk", flat=True))
    seen: dict[int | str, int] = {}
    for r in rows:
        r.update(match="new", firm=None, candidates=[])
        if r["errors"]:
            r["match"] = "error"
            continue
        if r["credit_code"] in by_code:
            pk, _region = by_code[r["credit_code"]]
            if pk not in visible:
                r["match"] = "foreign"
                continue
            r.update(match="code", firm=pk)
        elif firm_key(r["name"]) in by_key:
            r.update(match="name", firm=by_key[firm_key(r["name"])])
        else:
            core = core_name(r["name"])
            close = difflib.get_close_matches(core, list(cores), n=3, cutoff=0.8) if core else []
            cands = [(pk, names[pk], round(difflib.SequenceMatcher(None, core, c).ratio(), 2))
                     for c in close for pk in cores[c]]
            if cands:
                r.update(match="near", candidates=cands[:5])
        key = r["firm"] or firm_key(r["name"])
        if key in seen:
            r["match"] = "duplicate"
            r["duplicate_of"] = seen[key]
            continue
        seen[key] = r["row"]
    return rows


def match(rows: list[dict], user, region, kind: str, level: str, year: int) -> list[dict]:
    """:func:`match_firms`, and ``recorded`` for a firm the list's tier already holds for the year."""
    rows = match_firms(rows, user, region)
    mine = Enterprise.objects.restrict(user).filter(region__path__startswith=region.path)
    recorded = set(Recognition.objects.filter(enterprise__in=mine, kind=kind, level=level, year=year)
                   .values_list("enterprise_id", flat=True))
    for r in rows:
        if r["match"] in ("code", "name") and r["firm"] in recorded:
            r["match"] = "recorded"
    return rows


def settle(user, region, row: dict, choices: dict[int, str], allowed: set[int], source_doc: str,
           reason: str) -> Enterprise | None:
    """The firm of a matched row as the user settled it (``choices``: row -> firm id, "new" or
    "skip" for a near-match): an existing firm the user may change, a new firm of ``region``
    (by the registry's one writer), or None when the user skipped the row."""
    firm_id = row["firm"]
    if row["match"] == "near":
        choice = choices.get(row["row"], "")
        if choice == "skip":
            return None
        if choice == "new":
            firm_id = None
        elif choice.isdigit() and int(choice) in {c[0] for c in row["candidates"]}:
            firm_id = int(choice)
        else:
            raise ValidationError(_("请选择对应的企业或“新建”"))
    if firm_id is None:
        return services.create_enterprise(user, {"name": row["name"], "credit_code": row["credit_code"],
                                                 "region": region, "source": Source.IMPORTED,
                                                 "source_doc": source_doc}, reason=reason)
    if firm_id not in allowed:
        raise PermissionDenied(_("该企业不在您的管理范围内"))
    firm = Enterprise.objects.get(pk=firm_id)
    if row["credit_code"] and not firm.credit_code:  # the sheet gives a code the registry lacked
        services.update_enterprise(user, firm, {"credit_code": row["credit_code"]}, reason=reason)
    return firm


def changeable(user, region) -> set[int]:
    """Ids of the firms of ``region`` the user may change (an import's rows may name only these)."""
    return set(Enterprise.objects.restrict(user, Action.CHANGE).filter(region__path__startswith=region.path)
               .values_list("pk", flat=True))


def start(user, region, file, filename: str, options: dict) -> ListImport:
    if not may(user, Action.CHANGE, region):
        raise PermissionDenied(_("您没有权限导入该区的名单"))
    rows, reading = read(file, filename)
    rows = match(rows, user, region, options["kind"], options["level"], options["year"])
    return ListImport.objects.create(token=uuid.uuid4().hex, user=user, region=region, filename=filename[:200],
                                     rows=rows, reading=reading, **options)


def apply(user, batch: ListImport, choices: dict[int, str]) -> dict[str, int]:
    """Store the list: ``choices`` settles near-matches (row -> firm id or "new" or "skip").
    All rows or none; a second confirm of the same upload does nothing."""
    if not may(user, Action.CHANGE, batch.region):
        raise PermissionDenied(_("您没有权限导入该区的名单"))
    counts = {"recognised": 0, "created": 0, "skipped": 0}
    errors = []
    why = gettext_noop("导入认定名单") + f":{batch.filename}"  # every row's history names the list
    with transaction.atomic(), change_context(user, why):
        locked = ListImport.objects.select_for_update().get(pk=batch.pk)
        if locked.applied is not None:
            raise ValidationError(_("该名单已经导入过"))
        allowed = changeable(user, batch.region)
        for r in locked.rows:
            how = r["match"]
            if how in ("error", "foreign", "duplicate", "recorded"):
                if how == "error":
                    errors.extend(row_errors(r))
                counts["skipped"] += 1
                continue
            try:
                created = r["firm"] is None and choices.get(r["row"], "new") == "new"
                firm = settle(user, batch.region, r, choices, allowed, batch.filename, why)
                if firm is None:
                    counts["skipped"] += 1
                    continue
                counts["created"] += created
                effective = dt.date.fromisoformat(r["effective"]) if r["effective"] else batch.effective
                services.recognise(user, firm, {
                    "kind": batch.kind, "level": batch.level, "year": batch.year, "effective": effective,
                    "batch": batch.batch, "body": batch.body, "certificate_no": r["certificate_no"],
                    "source": Source.IMPORTED, "source_doc": batch.filename}, reason=why)
                counts["recognised"] += 1
            except ValidationError as e:
                errors.append(_("第%(row)s行“%(name)s”:") % r + ";".join(e.messages))
        if errors:  # leaving the block by an exception undoes every row
            raise ValidationError(errors)
        locked.applied = timezone.now()
        locked.save(update_fields=["applied"])
    return counts
