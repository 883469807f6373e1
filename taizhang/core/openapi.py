"""What the API answers when it does not answer 2xx, written into the OpenAPI schema once.

drf-spectacular documents each operation's success; the errors every operation can give
follow from how it is reached, so one post-processing hook adds them everywhere:

- 400: a body that fails validation, or query parameters that do not filter (field → messages);
- 401: no or a wrong token; 403: the role may not do this;
- 404: a record that is not there or not in the user's scope (the same answer for both),
  and a list page past the end;
- 409: the record changed since it was read (``version``), or a month already moved on;
- 415: a body in a media type the API does not read (it reads JSON, forms and multipart).

Operations open to everyone (the token endpoint) document their own answers.
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "description": "错误说明",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "校验未通过:字段名(或 non_field_errors)→ 错误信息列表;请求无法解析时为 detail",
    "additionalProperties": {},
}

WRITES = {"post", "put", "patch", "delete"}


def _answer(description: str, schema: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def document_errors(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation's error answers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in WRITES | {"get"}:
                continue
            security = operation.get("security") or []
            if {} in security:  # open to everyone: documents its own answers
                continue
            responses = operation.setdefault("responses", {})
            params = operation.get("parameters", [])
            has_query = any(p.get("in") == "query" and p.get("name") != "page" for p in params)
            answers = {
                "401": _answer("未登录或令牌无效", "Error"),
                "403": _answer("无权执行此操作", "Error"),
            }
            if method in WRITES or has_query:
                answers["400"] = _answer("请求未通过校验", "FieldErrors")
            if "{" in path or any(p.get("name") == "page" for p in params):
                answers["404"] = _answer("记录不存在或不在您的管理范围内(两者回答相同);或页码超出范围", "Error")
            if method in WRITES:
                answers["409"] = _answer("记录已被他人修改,请重新读取后再提交", "Error")
                answers["415"] = _answer("请求体的媒体类型不受支持(应为 JSON、表单或 multipart)", "Error")
            for code, answer in answers.items():
                responses.setdefault(code, answer)
    return result
