"""Checks of people in forms beyond JSON Schema: an inspector never inspects their own unit, a
responsible leader belongs to the unit concerned; person fields carry display names."""

from __future__ import annotations

from typing import Any

import pytest

from engine import InvalidSubmission
from engine.forms import Form, FormContext, validate
from engine.records import Actor

PEOPLE = {
    "qianqi": Actor(1, "qianqi", "钱七", "JC1", frozenset({"JC", "TL"})),
    "insider": Actor(2, "insider", "内部人", "SJJ", frozenset({"JC"})),
    "yaogui": Actor(3, "yaogui", "姚癸", "SJJ", frozenset({"BZ"})),
    "chuding": Actor(4, "chuding", "褚丁", "SPJ", frozenset({"BZ"})),
}
FORM = Form(
    "team",
    {
        "type": "object",
        "properties": {
            "units": {"type": "array", "title": "被检查单位", "items": {"type": "string"}},
            "subject_unit": {"type": "string", "title": "单位"},
            "team_members": {
                "type": "array",
                "title": "组员",
                "items": {"type": "string", "format": "username", "x-not-in-units": "units"},
            },
            "responsible_leader": {
                "type": "string",
                "title": "责任领导",
                "format": "username",
                "x-role": "BZ",
                "x-in-unit": "subject_unit",
            },
        },
    },
    {},
)


def _validate(data: dict[str, Any]) -> dict[str, Any]:
    ctx = FormContext(
        find_user=PEOPLE.get,
        is_recused=lambda _name, _subject: False,
        attachment_known=lambda _sha: True,
        data={},
    )
    return validate(FORM, data, ctx)


def test_a_member_of_an_inspected_unit_may_not_inspect_it() -> None:
    with pytest.raises(InvalidSubmission) as refused:
        _validate({"units": ["SJJ", "CZJ"], "team_members": ["qianqi", "insider"]})
    assert refused.value.errors == {"team_members": "内部人：该人员属于被检查单位，应当回避"}
    assert _validate({"units": ["CZJ"], "team_members": ["qianqi", "insider"]})["team_members_names"] == [
        "钱七",
        "内部人",
    ]


def test_a_responsible_leader_belongs_to_the_unit_concerned() -> None:
    with pytest.raises(InvalidSubmission) as refused:
        _validate({"subject_unit": "SJJ", "responsible_leader": "chuding"})
    assert refused.value.errors == {"responsible_leader": "该人员不属于本单位"}
    clean = _validate({"subject_unit": "SJJ", "responsible_leader": "yaogui"})
    assert clean["responsible_leader_name"] == "姚癸"
