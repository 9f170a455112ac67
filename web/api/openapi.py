"""The API described as OpenAPI 3 (GET /api/v1/openapi.json, no token needed: it holds no data). Paths
and methods come from the routes themselves, summaries from each endpoint's docstring; the query
parameters and request bodies are declared here. tests/web/test_openapi.py checks both against the app."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify

from . import bp

PREFIX = "/api/v1"
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "errors": {"type": "object"}}}
STATUS = {
    "400": "请求内容有误（errors 给出各字段的原因）",
    "401": "缺少或无效的访问令牌",
    "403": "能看到该对象，但无权执行此操作",
    "404": "不存在，或无权知道其存在",
    "409": "已被他人处理或状态不允许",
    "422": "不被允许（理由说明原因），或流程执行出错",
}


def _query(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names]


CASE_FILTERS = _query(
    "q", "process", "version", "status", "unit", "office", "overdue", "step", "from", "to", "sort", "desc",
    "page", "per_page", "fact", "code", "person", "state", "with", "by", "format",
)  # fmt: skip
STAT_FILTERS = _query("from", "to", "unit", "office", "process", "granularity", "format")
REASON = {"reason": {"type": "string", "description": "理由（必填）"}}
QUERIES: dict[str, list[dict[str, Any]]] = {
    "/instances": CASE_FILTERS,
    "/tasks": _query("page", "per_page"),
    "/stats/{name}": STAT_FILTERS,
    "/deadlines": STAT_FILTERS[2:5],
    "/notifications": _query("unread"),
    "/reports/{kind}": _query("value"),
    "/designer/processes/{process_id}/diff": _query("from", "to"),
    "/designer/processes/{process_id}/migration": _query("version"),
}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/instances"): {"process": {"type": "string"}, "data": {"type": "object"}},
    ("post", "/tasks/{task_id}/complete"): {"data": {"type": "object"}},
    ("put", "/designer/processes/{process_id}/draft"): {
        "sources": {"type": "object", "description": "文件名 → 文本：草稿的全部文件"},
        "note": {"type": "string"},
    },
    ("post", "/designer/processes/{process_id}/deploy"): {
        "force_reason": {"type": "string", "description": "场景未通过时强制部署的理由（系统管理员）"}
    },
    ("post", "/designer/processes/{process_id}/migration"): {
        **REASON,
        "version": {"type": "integer", "description": "目标版本"},
        "instances": {"type": "array", "items": {"type": "integer"}, "description": "要迁移的案件"},
    },
    ("post", "/instances/{instance_id}/{kind}"): {
        **REASON,
        "task_id": {"type": "integer", "description": "remind：只催办这一事项"},
        "data": {"type": "object", "description": "retry：更正的数据"},
    },
    ("post", "/tasks/{task_id}/reassign"): {**REASON, "to": {"type": "string", "description": "用户名"}},
    ("post", "/tasks/{task_id}/extension-requests"): {
        "reason": {"type": "string", "description": "理由（必填）"},
        "due": {"type": "string", "format": "date", "description": "申请延至"},
    },
    ("post", "/extension-requests/{request_id}/decision"): {
        "approve": {"type": "boolean"},
        "note": {"type": "string", "description": "审批理由（必填）"},
        "due": {"type": "string", "format": "date", "description": "同意延至（默认按申请）"},
    },
    ("post", "/calendar/days"): {
        "day": {"type": "string", "format": "date"},
        "kind": {"type": "string", "enum": ["holiday", "workday"]},
        "note": {"type": "string", "description": "依据和理由（必填）"},
    },
    ("post", "/calendar/days/{day}/clear"): {"note": {"type": "string", "description": "撤销理由（必填）"}},
    ("post", "/documents/{document_id}/void"): {
        **REASON,
        "reissue": {"type": "boolean", "description": "重新制发（使用新文号）"},
        "corrections": {"type": "object", "description": "重新制发时更正的内容"},
    },
    ("post", "/tasks/{task_id}/extend"): {
        **REASON,
        "working_days": {"type": "integer"},
        "due": {"type": "string", "format": "date"},
        "approved_by": {"type": "string"},
    },
    ("post", "/instances/{instance_id}/recusals"): {
        "user": {"type": "string"},
        "grounds": {"type": "string"},
        "requester": {"type": "string", "enum": ["本人", "被反映人", "检举控告人", "其他"]},
        "form": {"type": "string", "enum": ["书面", "口头"]},
    },
    ("post", "/recusals/{request_id}/decision"): {
        "approve": {"type": "boolean"},
        "opinion": {"type": "string"},
        "upper_level": {"type": "string"},
    },
    ("post", "/notifications/read"): {
        "ids": {"type": "array", "items": {"type": "integer"}},
        "all": {"type": "boolean"},
    },
}
ENUMS = {
    ("/instances/{instance_id}/{kind}", "kind"): ["remind", "suspend", "resume", "cancel", "retry"],
    ("/reports/{kind}", "kind"): ["month", "quarter"],
}


def _path_schema(path: str, name: str) -> dict[str, Any]:
    if (path, name) in ENUMS:
        return {"type": "string", "enum": ENUMS[(path, name)]}
    return {"type": "integer" if name.endswith("_id") else "string"}


def _operation(method: str, path: str, view: Any, params: list[str]) -> dict[str, Any]:
    doc = (view.__doc__ or "").strip()
    operation: dict[str, Any] = {
        "operationId": f"{method}_{view.__name__}",
        "summary": doc.splitlines()[0] if doc else view.__name__,
        "parameters": [
            {
                "name": p,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "enum": ENUMS[p]}
                if p in ENUMS
                else {"type": "integer" if p.endswith("_id") else "string"},
            }
            for p in params
        ]
        + QUERIES.get(path, []) * (method == "get"),
        "responses": {
            "201" if (method, path) == ("post", "/instances") else "200": {"description": "成功"},
            **{
                code: {"description": text, "content": {"application/json": {"schema": ERROR}}}
                for code, text in STATUS.items()
            },
        },
    }
    body = BODIES.get((method, path))
    if body is not None:
        schema = {"type": "object", "properties": body}
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return operation


def document() -> dict[str, Any]:
    """The OpenAPI document of every /api/v1 route of the running app."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(PREFIX) :])
        view = current_app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                method.lower(), path, view, list(rule.arguments)
            )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "清廉 Qinglian API",
            "version": "1",
            "description": "与页面相同的权限；请求带 Authorization: Bearer <token>（qinglian token）。",
        },
        "servers": [{"url": PREFIX}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }


@bp.get("/openapi.json")
def openapi() -> Any:
    """This API's OpenAPI 3 description."""
    return jsonify(document())
