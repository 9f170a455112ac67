"""Files a designer uploads into a draft: only the kinds a process is made of, each checked before it is
kept (size, UTF-8, hardened XML that is really BPMN or DMN, JSON, TOML); a refused file changes nothing."""

from __future__ import annotations

import json
import re
import tomllib

from ..errors import DeployRejected, Refused
from ..xmlsafe import parse_xml
from .foreign import BPMN

MAX_FILE_BYTES = 2 * 1024 * 1024
_NAMES = re.compile(
    r"(?:[\w\-]+\.(?:bpmn|dmn)|process\.toml|forms/[\w\-.]+\.json|scenarios/[\w\-.]+\.json)", re.ASCII
)
_DMN = ("http://www.omg.org/spec/DMN/20151101/dmn.xsd", "https://www.omg.org/spec/DMN/20191111/MODEL/")


def checked_file(name: str, content: bytes) -> str:
    """The file's text if it may join a draft; Refused says why not, naming the file."""
    if not _NAMES.fullmatch(name):
        raise Refused(
            f"文件 {name}: 只能上传 *.bpmn、*.dmn、process.toml、forms/*.json 或 scenarios/*.json 文件"
        )
    if len(content) > MAX_FILE_BYTES:
        raise Refused(f"文件 {name}: 文件过大（{len(content)} 字节，上限 {MAX_FILE_BYTES}）")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(f"文件 {name}: 必须使用 UTF-8 编码") from exc
    try:
        _check_kind(name, text)
    except DeployRejected as exc:
        raise Refused("；".join(exc.problems)) from exc
    return text


def _check_kind(name: str, text: str) -> None:
    if name.endswith((".bpmn", ".dmn")):
        root = parse_xml(text.encode("utf-8"), name).getroot()
        if name.endswith(".bpmn") and root.tag != f"{BPMN}definitions":
            raise Refused(f"文件 {name}: 不是 BPMN 2.0 模型（根元素为 {root.tag}）")
        if name.endswith(".dmn") and not any(root.tag.startswith("{" + ns) for ns in _DMN):
            raise Refused(f"文件 {name}: 不是 DMN 决策表（根元素为 {root.tag}）")
    elif name.endswith(".json"):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise Refused(f"文件 {name}: 不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）") from exc
    else:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise Refused(f"文件 {name}: 不是有效的 TOML（{exc}）") from exc
