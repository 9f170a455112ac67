"""What the benchmarks complete: a process, the steps walked before, and the timed task with its data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    """A process and the walk of user tasks the benchmarks time; `task`/`actor`/`data` is the step whose
    open instances fill the inbox and the server benchmark."""

    process_id: str
    folder: Path
    starter: str
    start_data: Callable[[int], dict[str, Any]]
    walk: list[tuple[str, str, dict[str, Any]]]  # (bpmn id, username, data), each step timed
    task: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


def _clue(n: int) -> dict[str, Any]:
    return {
        "clue_no": f"XS-2025-{n:04d}",
        "received_at": "2025-09-01",
        "source": "信访举报",
        "channel": "来信",
        "is_real_name": False,
        "subject_name": "冯乙",
        "subject_unit": "SJJ",
        "subject_post": "副局长",
        "subject_authority": "县直部门管理",
        "subject_is_party_member": True,
        "subject_is_supervision_object": True,
        "subject_is_unit_head": False,
        "subject_retired": False,
        "subject_user": "fengyi",
        "summary": "反映其接受管理服务对象宴请",
        "category": "廉洁纪律",
        "secrecy": "秘密",
        "jurisdiction": "本机关管辖",
    }


# Served today (the real date): the server benchmark runs on the real clock, and a letter served in the
# past would have its whole D4 ladder fire at once.
TODAY = date.today().isoformat()

# The 函询 path of the browser test: every step a person takes, from assignment to archiving.
LETTER_WALK = [
    ("A2_assign", "zhaoliu", {"handling_office": "JC1", "handling_officer": "qianqi"}),
    (
        "A3_propose",
        "qianqi",
        {"method": "THHX", "talk_or_letter": "函询", "reasons": "反映问题较具体，先行函询。"},
    ),
    ("A4_fg_approve", "lisi", {"fg_decision": "同意", "fg_opinion": "同意。"}),
    ("A4_sj_approve", "zhangsan", {"sj_decision": "同意", "sj_opinion": "同意。"}),
    (
        "A5b_issue",
        "qianqi",
        {
            "letter_no": "示纪函〔2025〕12号",
            "letter_issued_on": "2025-09-25",
            "letter_cc": "郑甲",
            "letter_questions": "是否接受宴请？",
            "concerns_unit_head": False,
        },
    ),
    ("A5b_serve", "qianqi", {"served_at": TODAY}),
    ("A5b_reply", "fengyi", {"reply_text": "不存在接受宴请问题。"}),
    ("A5b_sign", "zhengjia", {"signer_opinion": "情况属实。", "signed_on": "2025-10-15"}),
    ("A5b_receive", "qianqi", {"reply_received_at": "2025-10-16", "reply_complete": True}),
    (
        "A7_report",
        "qianqi",
        {
            "report_summary": "已作出说明。",
            "spot_check": False,
            "false_accusation": False,
            "report_untrue": True,
            "minor_problem": False,
            "needs_liability": False,
            "spot_check_contradicts": False,
            "subject_denies": False,
            "explanation_problematic": False,
            "m_txtx": False,
            "m_ppjy": False,
            "m_zljc": False,
            "m_jm": False,
            "m_zzcl": False,
            "a7_proposal": "反映不实，采信了结。",
        },
    ),
    ("A7_fg_approve", "lisi", {"a7_fg_decision": "同意", "a7_fg_opinion": "同意。"}),
    ("A7_sj_approve", "zhangsan", {"a7_sj_decision": "同意", "a7_sj_opinion": "同意了结。"}),
    (
        "A7_r2_feedback",
        "qianqi",
        {
            "feedback_letter_no": "示纪了〔2025〕8号",
            "feedback_sent_on": "2025-11-20",
            "public_clarification": False,
        },
    ),
    (
        "A_archive",
        "zhaoliu",
        {"archive_no": "AG-2025-108", "archived_on": "2025-11-21", "integrity_file_updated": True},
    ),
]

CASES = {
    "clue_disposal": Case(
        process_id="clue_disposal",
        folder=ROOT / "workflows" / "clue_disposal",
        starter="wangwu",
        start_data=_clue,
        walk=LETTER_WALK,
        task="A2_assign",
        actor="zhaoliu",
        data={"handling_office": "JC1", "handling_officer": "qianqi"},
    ),
    "mini": Case(
        process_id="mini",
        folder=ROOT / "tests" / "fixtures" / "mini",
        starter="zhaoliu",
        start_data=lambda n: {
            "case_no": f"M-{n % 1000:03d}",
            "subject_name": "冯乙",
            "subject_unit": "SJJ",
            "subject_user": "fengyi",
            "handling_office": "JC1",
        },
        walk=[("serve", "qianqi", {"served_at": "2025-09-26"})],
        task="serve",
        actor="qianqi",
        data={"served_at": "2025-09-26"},
    ),
}
