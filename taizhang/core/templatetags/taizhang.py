from django import template

from taizhang.projects.choices import PROBLEM_STATUS_COLORS, STAGE_COLORS

register = template.Library()


@register.filter
def stage_color(stage: str) -> str:
    return STAGE_COLORS.get(stage, "grey")


@register.filter
def problem_color(status: str) -> str:
    return PROBLEM_STATUS_COLORS.get(status, "grey")
