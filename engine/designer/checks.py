"""Validate a draft as deploy would (parse, XSD, lint, documents, figures), after the checks that say
what a model from another tool lacks; every problem pinned to its file and element."""

from __future__ import annotations

import json
import tomllib

from ..catalog import SOURCE_PATTERNS
from ..context import EngineContext
from ..deploy import checked_bundle
from ..errors import DeployRejected
from ..xmlsafe import parse_xml
from .foreign import foreign_problems
from .problems import Problem, locate


def deployable(sources: dict[str, str]) -> dict[str, str]:
    """The files a version is made of (scenarios are a draft's, not a version's)."""
    return {n: t for n, t in sources.items() if any(_matches(n, p) for p in SOURCE_PATTERNS)}


def _matches(name: str, pattern: str) -> bool:
    folder, _, glob = pattern.rpartition("/")
    own_folder, _, own = name.rpartition("/")
    return folder == own_folder and (glob == own or (glob.startswith("*") and own.endswith(glob[1:])))


def validate(ctx: EngineContext, sources: dict[str, str]) -> list[Problem]:
    """Every problem of the draft; empty when it may be deployed."""
    messages: list[str] = []
    unreadable = False
    for name, text in sorted(sources.items()):
        found, readable = _file_problems(ctx, name, text)
        messages += found
        unreadable = unreadable or not readable
    if not unreadable:  # the engine's own parse and lint, on files that at least read
        try:
            checked_bundle(ctx, deployable(sources))
        except DeployRejected as exc:
            messages += exc.problems
    return locate(list(dict.fromkeys(messages)), sources)


def _file_problems(ctx: EngineContext, name: str, text: str) -> tuple[list[str], bool]:
    """What is wrong with one file, and whether it could be read at all."""
    try:
        if name.endswith(".bpmn"):
            root = parse_xml(text.encode("utf-8"), name).getroot()
            return foreign_problems(name, root, ctx.roles), True
        if name.endswith(".dmn"):
            parse_xml(text.encode("utf-8"), name)
        elif name.endswith(".json"):
            json.loads(text)
        elif name.endswith(".toml"):
            tomllib.loads(text)
    except DeployRejected as exc:
        return exc.problems, False
    except json.JSONDecodeError as exc:
        return [f"文件 {name}: 不是有效的 JSON（第 {exc.lineno} 行：{exc.msg}）"], False
    except tomllib.TOMLDecodeError as exc:
        return [f"文件 {name}: 不是有效的 TOML（{exc}）"], False
    return [], True
