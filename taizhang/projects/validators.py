"""Identifiers a real system links on, validated the way their standards define them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import of_value_alone

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, Z, S, V).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(rf"^[{CREDIT_CODE_ALPHABET}]{{17}}[{CREDIT_CODE_ALPHABET}]$")


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a credit code, per GB 32100-2015 §5."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


@of_value_alone
def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if not _CREDIT_RE.match(code):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母(不含 I、O、Z、S、V)"), code="credit_format"
        )
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3-8位应为行政区划代码"), code="credit_region")
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确"), code="credit_check")


# 投资项目在线审批监管平台 项目代码: YYYY-AAAAAA-HH-TT-NNNNNN (24 characters with dashes).
_PROJECT_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")


def normalize_project_code(value: str) -> str:
    """Accept the 20 digits with or without dashes and full-width digits; give the 24-char form."""
    raw = (value or "").strip().translate(str.maketrans("0123456789-—", "0123456789--"))
    digits = raw.replace("-", "").replace(" ", "")
    if len(digits) == 20 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:10]}-{digits[10:12]}-{digits[12:14]}-{digits[14:]}"
    return raw


@of_value_alone
def validate_project_code(value: str) -> None:
    match = _PROJECT_CODE_RE.match(value or "")
    if not match:
        raise ValidationError(
            _("项目代码应为24位,格式如 2024-370212-65-03-000123"), code="project_code_format"
        )
    year, region = int(match.group(1)), match.group(2)
    if not 2014 <= year <= 2100:
        raise ValidationError(_("项目代码中的年份不正确"), code="project_code_year")
    if region[:2] == "00":
        raise ValidationError(_("项目代码中的行政区划代码不正确"), code="project_code_region")
