from django import template
from django.utils.translation import gettext

from taizhang.core.numbers import q2
from taizhang.core.numbers import yi as to_yi
from taizhang.core.scope import may
from taizhang.projects.choices import PROBLEM_STATUS_COLORS, STAGE_COLORS

register = template.Library()


@register.filter
def stage_color(stage: str) -> str:
    return STAGE_COLORS.get(stage, "grey")


@register.filter
def problem_color(status: str) -> str:
    return PROBLEM_STATUS_COLORS.get(status, "grey")


@register.simple_tag(name="may")
def may_tag(user, action: str, obj=None) -> bool:
    """The permission policy in a template: ``{% may user "approve" report as can_approve %}``.

    The same ``taizhang.core.scope.may`` the services enforce; an unknown action is an error.
    """
    return may(user, action, obj)


@register.filter
def get_item(mapping, key):
    """``{{ forms|get_item:obj.pk }}``: a value of a dict by a key computed in the template."""
    return mapping.get(key) if mapping else None


# Money as Chinese reports write it: 万元 in tables (to the 分, grouped), 亿元 in cards and
# briefings (two decimals). Amounts are stored in 万元; None stays empty, never "0". Both
# round half up, as core.numbers does for every figure.
@register.filter
def wan(value) -> str:
    """52000 → "52,000.00" (万元)."""
    if value in (None, ""):
        return ""
    return f"{q2(value):,.2f}"


@register.filter
def yi(value) -> str:
    """3250807.66 (万元) → "325.08" (亿元)."""
    if value in (None, ""):
        return ""
    return f"{to_yi(value):,.2f}"


@register.filter
def recorded(text):
    """A change log reason in the reader's language. The system's own reasons are stored as
    written (Chinese msgids, marked with gettext_noop); what a user typed is kept as it is,
    also after a system prefix such as "退回:"."""
    if not text:
        return text
    text = str(text)
    translated = gettext(text)
    if translated != text:
        return translated
    prefix, sep, rest = text.partition(":")
    if sep and gettext(prefix) != prefix:
        return gettext(prefix) + gettext(":") + rest
    return text
