"""Recusal matches the person, not the text (issue 11 #2): a trailing space, a space inside the name, a
full-width space or an invisible character typed into a case's person concerned no longer gets a
recused officer past the check."""

from __future__ import annotations

import pytest

from engine import Engine, directory
from engine.person_keys import person_key
from tests.engine.test_notices import START, actor, texts

SPELLINGS = ["冯乙 ", " 冯 乙", "冯　乙", "冯\u200b乙", "冯\t乙\n"]


@pytest.mark.parametrize("typed", SPELLINGS)
def test_every_spelling_of_the_name_is_the_same_person(typed: str) -> None:
    assert person_key(typed) == person_key("冯乙")


def test_names_that_differ_stay_apart() -> None:
    assert person_key("冯乙") != person_key("冯甲")
    assert person_key("阿依古丽·买买提") == person_key("阿依古丽 ・ 买买提")


@pytest.mark.parametrize("typed", SPELLINGS)
def test_a_recused_officer_is_recused_whatever_the_spacing(mini_engine: Engine, typed: str) -> None:
    sunba = actor(mini_engine, "sunba")  # declared: 近亲属 of 冯乙
    with mini_engine.ctx.db.reading() as session:
        assert directory.is_recused(session, "sunba", typed)
        assert sunba.id in directory.recused_user_ids(session, typed)
        assert not directory.is_recused(session, "sunba", "冯甲")


def test_a_case_about_the_person_spelled_otherwise_tells_the_recused_officer_nothing(
    mini_engine: Engine,
) -> None:
    mini_engine.start(actor(mini_engine, "zhaoliu"), "mini", {**START, "subject_name": "冯 乙 "})
    assert texts(mini_engine, "qianqi", "new_task")  # the office is told
    assert texts(mini_engine, "sunba") == []  # he is not
