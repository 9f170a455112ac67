"""Issue 10 #3: dates checked against the calendar and each other, as the real forms declare them
(`x-past`: it happened; `x-not-before`: not before an earlier step's date)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from engine import InvalidSubmission
from engine.forms import FormContext, load_form, validate
from tests.conftest import WORKFLOWS

TODAY = date(2025, 10, 10)


def _errors(
    process: str, form: str, data: dict[str, Any], case: dict[str, Any] | None = None
) -> dict[str, str]:
    folder = WORKFLOWS / process
    sources = {str(p.relative_to(folder)): p.read_text("utf-8") for p in Path(folder, "forms").iterdir()}
    ctx = FormContext(
        find_user=lambda _name: None,
        is_recused=lambda _name, _subject: False,
        attachment_known=lambda _sha: True,
        data=case or {},
        today=TODAY,
    )
    try:
        validate(load_form(sources, form), data, ctx)
    except InvalidSubmission as refused:
        return refused.errors
    return {}


def test_a_letter_is_not_served_before_it_was_issued() -> None:
    issued = {"letter_issued_on": "2025-09-25"}
    assert _errors("clue_disposal", "letter_serve", {"served_at": "2025-09-24"}, issued) == {
        "served_at": "不能早于发函日期（2025-09-25）"
    }
    assert _errors("clue_disposal", "letter_serve", {"served_at": "2025-09-25"}, issued) == {}


def test_a_reply_is_not_received_before_the_letter_was_served_nor_tomorrow() -> None:
    served = {"served_at": "2025-09-26"}
    data = {"reply_complete": True}
    assert _errors(
        "clue_disposal", "letter_receive", {**data, "reply_received_at": "2025-09-20"}, served
    ) == {"reply_received_at": "不能早于函询通知书送达日期（2025-09-26）"}
    assert _errors(
        "clue_disposal", "letter_receive", {**data, "reply_received_at": "2025-10-11"}, served
    ) == {"reply_received_at": "不能晚于今天"}


@pytest.mark.parametrize("day", ["1900-01-01", "2101-01-01"])
def test_no_date_before_1949_or_after_2100(day: str) -> None:
    errors = _errors("inspection_plan", "plan_revise", {"onsite_from": day})
    assert errors["onsite_from"] == "日期不合理：应在1949年10月1日至2100年12月31日之间"


def test_an_on_site_inspection_does_not_end_before_it_starts() -> None:
    errors = _errors(
        "inspection_plan", "plan_revise", {"onsite_from": "2026-04-10", "onsite_to": "2026-04-08"}
    )
    assert errors["onsite_to"] == "不能早于现场检查开始日期（2026-04-10）"
    assert "onsite_from" not in errors  # a plan lies ahead: future dates are fine
