"""Find the processes under workflows/, parse them safely, lint them: what `deploy` stores."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import spiff
from .errors import DeployRejected
from .lint import lint_form_schema, lint_process
from .roles import RoleBook
from .xmlsafe import parse_xml

SOURCE_PATTERNS = ("*.bpmn", "*.dmn", "process.toml", "forms/*.json")


@dataclass(frozen=True)
class ProcessBundle:
    """One process folder, parsed and linted, ready to become a process version."""

    process_id: str
    meta: dict[str, Any]
    sources: dict[str, str]
    sha256: str
    spec_json: str


def discover(workflows_dir: Path) -> list[Path]:
    """Every process folder (one holding a process.toml), in name order."""
    return sorted(p.parent for p in workflows_dir.glob("*/process.toml"))


def read_sources(folder: Path) -> dict[str, str]:
    """The folder's BPMN, DMN, form and metadata files, by path relative to the folder."""
    files = sorted({p for pattern in SOURCE_PATTERNS for p in folder.glob(pattern)})
    sources = {}
    for path in files:
        name = path.relative_to(folder).as_posix()
        try:
            sources[name] = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DeployRejected([f"文件 {name}: 必须使用 UTF-8 编码（file is not UTF-8）"]) from exc
    return sources


def content_hash(sources: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode("utf-8") + b"\0")
    return digest.hexdigest()


def build_bundle(sources: dict[str, str], roles: RoleBook) -> ProcessBundle:
    """Parse, validate and lint one process's sources; DeployRejected lists every problem found."""
    if "process.toml" not in sources:
        raise DeployRejected(["缺少 process.toml（process metadata missing）"])
    try:
        meta = tomllib.loads(sources["process.toml"])
    except tomllib.TOMLDecodeError as exc:
        raise DeployRejected([f"文件 process.toml: {exc}"]) from exc
    process_id = meta["process"]["id"]
    bpmn = {n: parse_xml(t.encode("utf-8"), n) for n, t in sources.items() if n.endswith(".bpmn")}
    dmn = {n: parse_xml(t.encode("utf-8"), n) for n, t in sources.items() if n.endswith(".dmn")}
    parsed = spiff.parse_process(bpmn, {n: t.getroot() for n, t in dmn.items()}, process_id)
    problems = lint_process(parsed, sources, dmn, roles)
    start_form = meta["process"].get("start_form")
    if start_form:
        text = sources.get(f"forms/{start_form}.schema.json")
        if text is None:
            problems.append(f"开始表单 forms/{start_form}.schema.json 不存在")
        else:
            problems += lint_form_schema(f"forms/{start_form}.schema.json", text)
    problems += [
        f"表单 {n}: 不是有效的 JSON" for n, t in sources.items() if n.endswith(".json") and not _is_json(t)
    ]
    declared = meta["process"].get("catches", {})
    problems += [
        f"流程等待消息 {m}，但 process.toml 的 catches 未写明按哪些字段把它交给本流程的实例"
        for m in parsed.caught_messages
        if m not in declared
    ]
    problems += _lane_role_problems(meta["process"].get("lane_roles", {}), roles)
    problems += deadline_problems(parsed.facts, meta.get("step_days", {}), meta.get("undated", {}))
    if problems:
        raise DeployRejected(problems)
    meta["start_message"] = parsed.start_message
    return ProcessBundle(process_id, meta, sources, content_hash(sources), parsed.spec_json)


def _lane_role_problems(lane_roles: dict[str, list[str]], roles: RoleBook) -> list[str]:
    """process.toml `lane_roles`: each lane a role's lane, each role it may be handed to a known role."""
    problems = [
        f"lane_roles：泳道 {lane!r} 不是 roles.toml 中的角色泳道"
        for lane in lane_roles
        if lane not in roles.lanes
    ]
    for lane, codes in lane_roles.items():
        problems += [
            f"lane_roles：泳道 {lane!r} 交由的角色 {c} 不在 roles.toml 中"
            for c in codes
            if c not in roles.roles
        ]
    return problems


def deadline_problems(
    facts: Iterable[spiff.TaskSpecFacts], step_days: dict[str, Any], undated: dict[str, Any]
) -> list[str]:
    """Every human step has a deadline (issue 10 #4): its `dueDateVariable`, working days in process.toml
    `[step_days]`, or the reason it has none in `[undated]`."""
    steps = {f.bpmn_id: f for f in facts if f.manual and f.kind == "UserTask"}
    problems = [
        f"流程 {f.process_id} 元素 {f.bpmn_id}（{f.name}）: 用户任务没有办理期限；请设置 dueDateVariable，"
        "或在 process.toml 的 [step_days] 写明工作日数，或在 [undated] 写明不设期限的理由"
        for f in steps.values()
        if not f.properties.get("dueDateVariable")
        and f.bpmn_id not in step_days
        and not str(undated.get(f.bpmn_id, "")).strip()
    ]
    problems += [
        f"process.toml [step_days]/[undated]: 没有用户任务 {k}" for k in {*step_days, *undated} - set(steps)
    ]
    problems += [
        f"process.toml [step_days]: {k} 的工作日数应为正整数"
        for k, v in step_days.items()
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0
    ]
    return problems


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return False
    return True
