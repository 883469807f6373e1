"""The API's JSON parser, bounded: a body nested deeper than any record needs is a 400 in
words, never a server error (Python's parser gives up on ~1,000 levels with RecursionError)."""

from __future__ import annotations

from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as e:
            raise ParseError(gettext("JSON 嵌套层数过多(上限 %(n)s 层)") % {"n": MAX_DEPTH}) from e
        if _depth(data) > MAX_DEPTH:
            raise ParseError(gettext("JSON 嵌套层数过多(上限 %(n)s 层)") % {"n": MAX_DEPTH})
        return data


def _depth(data) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest
