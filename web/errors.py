"""The one map from engine errors to HTTP: pages for people, JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from engine import Conflict, DeployRejected, InvalidSubmission, NotFound, NotPermitted, ProcessFailed, Refused

STATUS = {
    NotFound: 404,
    NotPermitted: 403,
    Conflict: 409,
    InvalidSubmission: 400,
    ProcessFailed: 422,
    Refused: 422,
    DeployRejected: 400,
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, **extra: Any) -> Any:
    if wants_json():
        return jsonify({"error": message, **extra}), status
    return render_template("error.html", status=status, message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(NotFound)
    @app.errorhandler(NotPermitted)
    @app.errorhandler(Conflict)
    @app.errorhandler(ProcessFailed)
    @app.errorhandler(DeployRejected)
    @app.errorhandler(Refused)
    def _engine_error(exc: Exception) -> Any:
        status = next(code for cls, code in STATUS.items() if isinstance(exc, cls))
        extra = {"incident": exc.incident_id} if isinstance(exc, ProcessFailed) and exc.incident_id else {}
        return error_response(status, str(exc), **extra)

    @app.errorhandler(InvalidSubmission)
    def _invalid(exc: InvalidSubmission) -> Any:
        return error_response(400, "提交的内容有误", errors=exc.errors)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge) -> Any:
        return error_response(413, "上传内容超过大小限制")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        messages = {
            404: "页面不存在",
            403: "无权访问",
            405: "不支持的请求方法",
            400: "请求无效",
            401: "请先登录",
            429: "尝试次数过多，请稍后再试",
        }
        return error_response(exc.code or 500, messages.get(exc.code or 500, exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        return error_response(500, "系统内部错误，请联系管理员")
