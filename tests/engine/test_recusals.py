"""回避 as a procedure (issue 8): requested by an officer, a person concerned or (recorded) a reporter;
decided by the 纪委书记, or for himself recorded from the level above; effective at once — the case and
its steps disappear for the person, their steps go back to the office, no form takes them again."""

from __future__ import annotations

import pytest

from engine import Conflict, Engine, InvalidSubmission, NotFound, NotPermitted, Refused
from tests.conftest import WORKFLOWS, build_engine, make_workflows_dir
from tests.engine.clues import actor, assign, open_clue

START = {
    "case_no": "M-100",
    "subject_name": "冯甲",
    "subject_unit": "SJJ",
    "subject_user": "fengyi",
    "handling_office": "JC1",
}


@pytest.fixture
def case(mini_engine: Engine) -> int:
    return mini_engine.start(actor(mini_engine, "zhaoliu"), "mini", START)


def test_an_officer_withdraws_and_the_case_disappears_for_her_at_once(mini_engine: Engine, case: int) -> None:
    officer, secretary = actor(mini_engine, "qianqi"), actor(mini_engine, "zhangsan")
    assert [t.instance_id for t in mini_engine.inbox(officer)] == [case]
    asked = mini_engine.recusals.request(officer, case, "qianqi", "与被反映人系同学关系", "本人", "书面")
    with pytest.raises(NotPermitted):
        mini_engine.recusals.decide(actor(mini_engine, "lisi"), asked, True, "同意")  # the 纪委书记 decides
    assert [r.id for r in mini_engine.recusals.pending(secretary)] == [asked]
    mini_engine.recusals.decide(secretary, asked, True, "同意回避")
    assert mini_engine.inbox(officer) == []
    with pytest.raises(NotFound):
        mini_engine.instance(officer, case)
    [decided] = mini_engine.recusals.of_case(secretary, case)
    assert (decided.person, decided.status, decided.decided_by) == ("钱七", "approved", "张三")
    with pytest.raises(Conflict):
        mini_engine.recusals.decide(secretary, asked, False, "改")
    with pytest.raises(Conflict, match="已回避"):
        mini_engine.recusals.request(secretary, case, "qianqi", "再次", "其他", "书面")
    history = [h.title for h in mini_engine.instance(secretary, case).history]
    assert "回避申请（钱七）" in history and "回避决定（钱七）：同意回避" in history


def test_a_person_concerned_may_ask_and_a_reporter_is_recorded_by_staff(
    mini_engine: Engine, case: int
) -> None:
    officer = actor(mini_engine, "qianqi")
    task = next(t for t in mini_engine.inbox(officer) if t.instance_id == case)
    mini_engine.complete(officer, task.id, {"served_at": "2025-09-26"})  # 冯甲 now has his step
    subject = actor(mini_engine, "fengyi")
    assert mini_engine.recusals.officers(subject, case) == [("qianqi", "钱七"), ("zhaoliu", "赵六")]
    with pytest.raises(Refused, match="承办人员"):
        mini_engine.recusals.request(subject, case, "zhangsan", "怀疑不公", "被反映人", "书面")
    mini_engine.recusals.request(subject, case, "qianqi", "钱七曾与本人有经济往来", "被反映人", "书面")
    mini_engine.recusals.request(
        actor(mini_engine, "zhaoliu"), case, "zhaoliu", "检举人电话反映", "检举控告人", "口头"
    )
    requests = mini_engine.recusals.of_case(actor(mini_engine, "zhangsan"), case)
    assert [(r.person, r.requester, r.form, r.requested_by) for r in requests] == [
        ("钱七", "被反映人", "书面", "冯乙"),
        ("赵六", "检举控告人", "口头", "赵六"),
    ]
    mini_engine.recusals.decide(actor(mini_engine, "zhangsan"), requests[0].id, False, "理由不成立")
    assert mini_engine.instance(officer, case).id == case  # not withdrawn: she still sees the case
    with pytest.raises(NotFound):  # someone with no step in the case cannot ask
        mini_engine.recusals.request(actor(mini_engine, "chuding"), case, "qianqi", "x", "被反映人", "书面")


def test_the_secretary_himself_withdraws_by_the_upper_levels_decision(mini_engine: Engine, case: int) -> None:
    secretary, deputy = actor(mini_engine, "zhangsan"), actor(mini_engine, "lisi")
    asked = mini_engine.recusals.request(
        secretary, case, "zhangsan", "近亲属在被检查单位任职", "本人", "书面"
    )
    with pytest.raises(NotPermitted):
        mini_engine.recusals.decide(secretary, asked, True, "同意")
    with pytest.raises(Refused, match="上级的决定"):
        mini_engine.recusals.decide(deputy, asked, True, "同意")
    mini_engine.recusals.decide(deputy, asked, True, "市纪委监委同意", "市纪委监委 示市纪〔2025〕12号")
    with pytest.raises(NotFound):
        mini_engine.instance(secretary, case)
    [decided] = mini_engine.recusals.of_case(deputy, case)
    assert decided.upper_level == "市纪委监委 示市纪〔2025〕12号" and decided.decided_by == "李四"


def test_a_withdrawn_officers_steps_return_to_the_office_and_no_form_picks_her(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = build_engine(tmp_path, make_workflows_dir(tmp_path, WORKFLOWS / "clue_disposal"))
    try:
        clue = open_clue(engine, "XS-2026-0101", "王某", "CZJ")
        assign(engine, clue, "JC1", "qianqi")  # A-3 is hers now
        secretary = actor(engine, "zhangsan")
        asked = engine.recusals.request(
            actor(engine, "qianqi"), clue, "qianqi", "曾在该单位任职", "本人", "书面"
        )
        engine.recusals.decide(secretary, asked, True, "同意")
        freed = [t for t in engine.inbox(actor(engine, "sunba")) if t.instance_id == clue]
        assert [t.bpmn_id for t in freed] == ["A3_propose"]  # open to her office again
        assert any("请转办“A-3 提出处置意见”" in n.text for n in engine.notices.of(actor(engine, "zhaoliu")))
        assert engine.interventions.candidates(secretary, freed[0].id) == [("sunba", "孙八")]
        other = open_clue(engine, "XS-2026-0102", "王某", "CZJ")
        engine.recusals.request(secretary, other, "qianqi", "同一当事人", "其他", "书面")
        decision = engine.recusals.pending(secretary)[0].id
        engine.recusals.decide(secretary, decision, True, "同意")
        manager = actor(engine, "zhaoliu")
        task = next(t for t in engine.inbox(manager) if t.instance_id == other)
        with pytest.raises(InvalidSubmission) as refused:
            engine.complete(manager, task.id, {"handling_office": "JC1", "handling_officer": "qianqi"})
        assert refused.value.errors["handling_officer"] == "该人员已决定回避本案件，不得选派"
    finally:
        engine.close()
