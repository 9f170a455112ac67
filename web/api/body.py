"""The JSON body of an API request, refused with a Chinese message (400) when it is not something a
person's client would send: not an object, nested deeper than any form goes, or text that is not
Unicode (a lone UTF-16 surrogate, which no database can store). Nothing bad reaches the engine as a 500."""

from __future__ import annotations

from typing import Any

from flask import request

from engine import InvalidSubmission

MAX_DEPTH = 32  # a form's table of rows of lists is 4 deep


def json_body() -> dict[str, Any]:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # the parser gave up on "[[[[…"
        raise InvalidSubmission({"_": f"JSON 嵌套层数过多（最多 {MAX_DEPTH} 层）"}) from None
    if not isinstance(body, dict):
        raise InvalidSubmission({"_": "请求体必须是 JSON 对象"})
    problem = _problem(body)
    if problem:
        raise InvalidSubmission({"_": problem})
    return body


def _problem(body: Any) -> str:
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"JSON 嵌套层数过多（最多 {MAX_DEPTH} 层）"
        if isinstance(value, dict):
            stack.extend((k, depth) for k in value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and not _is_unicode(value):
            return "文字中含有无效的字符（孤立的代理码位），请检查后重新提交"
    return ""


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
