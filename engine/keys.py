"""The deployment's two secrets: the session key (signs cookies) and the audit key (signs the audit
chain), never the same and never a shared development value (issue 11 #1, RELIABILITY's controls).

Given in the environment (QINGLIAN_SECRET_KEY, QINGLIAN_AUDIT_KEY) they are used as they are; otherwise
each is read from its file in the instance folder, created random on the first start (mode 0600 in a
0700 folder), so a restart keeps the sessions and the chain verifiable. In production a weak key (short,
or the old development value) or one key used for both refuses to start.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import replace
from pathlib import Path

from .config import Settings
from .errors import EngineError

KEY_FILES = {"secret_key": "session.key", "audit_key": "audit.key"}
ENV_NAMES = {"secret_key": "QINGLIAN_SECRET_KEY", "audit_key": "QINGLIAN_AUDIT_KEY"}
WEAK = frozenset({"dev-only-change-me", "change-me", "secret"})
MIN_LENGTH = 32


class KeyProblem(EngineError):
    """The keys may not be used (production with a weak or shared key)."""


def keyed(settings: Settings) -> Settings:
    """`settings` with both keys set: each missing one from its instance file, made on first use."""
    found = replace(
        settings,
        **{
            name: _instance_key(Path(settings.instance_dir) / file)
            for name, file in KEY_FILES.items()
            if not getattr(settings, name)
        },
    )
    problems = weak_keys(found)
    if found.production and problems:
        raise KeyProblem("；".join(problems))
    return found


def weak_keys(settings: Settings) -> list[str]:
    """What is wrong with the keys for a production server (empty: nothing)."""
    problems = [
        f"{ENV_NAMES[name]} 过短或为公开的开发密钥（须为至少 {MIN_LENGTH} 个字符的随机值）"
        for name in KEY_FILES
        if getattr(settings, name) in WEAK or len(getattr(settings, name)) < MIN_LENGTH
    ]
    if settings.secret_key == settings.audit_key:
        problems.append("会话密钥与审计密钥不能相同")
    return problems


def _instance_key(path: Path) -> str:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by an earlier start, or by another process starting at once
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(key + "\n")
    return key
