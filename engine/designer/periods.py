"""A process's periods as the designer edits them (issue 13 #3): process.toml `[settings]` (reply days,
reminder offsets, rounds …) and `[step_days]` (each step's deadline in working days), read with their
comments and written back with every other line, comment and layout kept (tomlkit)."""

from __future__ import annotations

from dataclasses import dataclass

import tomlkit

from ..errors import Refused

SECTIONS = {"settings": "期限和次数（[settings]）", "step_days": "各步骤的办理期限，工作日（[step_days]）"}


@dataclass(frozen=True)
class Period:
    section: str
    key: str
    value: int | float | str
    note: str  # the comment written beside it in process.toml


def periods(text: str) -> list[Period]:
    """Every number or text of [settings] and every [step_days] entry, in file order."""
    document = tomlkit.parse(text)
    found = []
    for section in SECTIONS:
        table = document.get(section)
        if table is None:
            continue
        for key, item in table.items():
            value = item.unwrap() if hasattr(item, "unwrap") else item
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                continue  # lists and tables are edited in the file itself
            note = (item.trivia.comment if hasattr(item, "trivia") else "").lstrip("# ").strip()
            found.append(Period(section, key, value, note))
    return found


def with_periods(text: str, values: dict[tuple[str, str], str]) -> str:
    """process.toml with the typed values; Refused names each value that is not of its kind."""
    document = tomlkit.parse(text)
    problems = []
    for period in periods(text):
        raw = values.get((period.section, period.key))
        if raw is None:
            continue
        try:
            value = _typed(period, raw.strip())
        except ValueError:
            problems.append(f"{period.key}（{period.note or period.section}）应为{_kind(period)}")
            continue
        document[period.section][period.key] = value  # type: ignore[index]
    if problems:
        raise Refused("；".join(problems))
    return tomlkit.dumps(document)


def _typed(period: Period, raw: str) -> int | float | str:
    if isinstance(period.value, int):
        number = int(raw)
        if number <= 0 and period.section == "step_days":
            raise ValueError(raw)
        return number
    if isinstance(period.value, float):
        return float(raw)
    return raw


def _kind(period: Period) -> str:
    if isinstance(period.value, int):
        return "正整数" if period.section == "step_days" else "整数"
    return "数字" if isinstance(period.value, float) else "文字"
