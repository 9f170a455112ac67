"""README.md documents every setting and every CLI command (a newcomer's first hour stays short)."""

from __future__ import annotations

import click

from engine import Settings
from tests.conftest import ROOT
from web.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "qinglian") -> list[str]:
    out = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_setting_is_in_the_readme() -> None:
    missing = [env for env, _default, _help in Settings.documented() if f"`{env}`" not in README]
    assert missing == []


def test_every_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(main) if f"`{c}" not in README]
    assert missing == []


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
