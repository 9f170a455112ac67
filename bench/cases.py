"""What the benchmarks complete: a process, the steps walked before, and the timed task with its data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Case:
    process_id: str
    folder: Path
    starter: str
    start_data: Callable[[int], dict[str, Any]]
    before: list[tuple[str, str, dict[str, Any]]]  # (bpmn id, username, data) walked before timing
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


CASES = {
    "clue_disposal": Case(
        process_id="clue_disposal",
        folder=ROOT / "workflows" / "clue_disposal",
        starter="wangwu",
        start_data=_clue,
        before=[],
        task="A2_assign",
        actor="zhaoliu",
        data={"handling_office": "JC1", "handling_officer": "qianqi", "assign_note": "请第一纪检监察室办理"},
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
        before=[],
        task="serve",
        actor="qianqi",
        data={"served_at": "2025-09-26"},
    ),
}
