"""Figures a case starts with (issue 12): process.toml `start_figures = "<name>"` merges what the engine
counts from other cases into the start data, so a 通报 states the figures as they stood when it was
drafted and keeps them with the case (a later change of those cases never rewrites an issued 通报).

`approval_month`: the 营商办's monthly 通报 (D1) — the approval items due in the chosen month, per
department, how many ran past their limit and how many of those are still not finished, from the facts
the 审批时限监督 cases record (workflows/statistics.toml, kind approval_item).
`approval_history`: a D1 item's department's earlier items past their limit (the year before).
`duty_year`: the county government's yearly report on the 两个责任 — every unit's 述责述廉 score and grade.
`quiet_day_filing`: a 涉企执法 complaint of an inspection on a 安静生产日 — whether the department filed it in
the register, and what the 营商办 decided."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .db.models import ProcessInstance, ProcessVersion, Unit
from .db.oversight import CaseFact


def approval_month(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    year, month = (int(part) for part in str(data["month"]).split("-"))
    first = date(year, month, 1)
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    facts = session.execute(
        select(CaseFact.unit_id, CaseFact.code, CaseFact.done_at)
        .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(
            CaseFact.kind == "approval_item",
            CaseFact.due >= first,
            CaseFact.due <= last,
            ProcessInstance.status != "cancelled",
        )
    ).all()
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    counts: dict[str, list[int]] = {}
    for unit, code, done_at in facts:
        row = counts.setdefault(unit or "", [0, 0, 0])
        row[0] += 1
        row[1] += code == "late"
        row[2] += code == "late" and done_at is None
    rows = [
        {"department": names.get(unit, unit), "items": n, "late": late, "open_late": still}
        for unit, (n, late, still) in sorted(counts.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    ]
    return {
        "period": f"{year}年{month}月",
        "bulletin_rows": rows,
        "items_total": sum(r["items"] for r in rows),
        "late_total": sum(r["late"] for r in rows),
        "open_late_total": sum(r["open_late"] for r in rows),
    }


def approval_history(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """D1: how many earlier items of the same department ran past their limit in the year before this one was
    received — the 营商办 reads it when it decides whether a problem is 反复发生 (a clue rather than 整改)."""
    received = date.fromisoformat(str(data["received_on"])[:10])
    late = session.scalar(
        select(func.count(CaseFact.id))
        .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(
            CaseFact.kind == "approval_item",
            CaseFact.code == "late",
            CaseFact.unit_id == data.get("subject_unit"),
            CaseFact.at >= received - timedelta(days=365),
            CaseFact.at <= received,
            ProcessInstance.status != "cancelled",
        )
    )
    return {"department_late_before": int(late or 0)}


GRADES = ("好", "较好", "一般", "差")  # 述责述廉 grades, best first (duty_report's SZ_grade)


def duty_year(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """The year's 述责述廉 (issue 12 item 9): each unit's score and grade, best first, and the grades counted,
    from the facts the duty_report cases record (kind duty_report, keyed by year)."""
    facts = session.execute(
        select(CaseFact.unit_id, CaseFact.num, CaseFact.code)
        .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(
            CaseFact.kind == "duty_report",
            CaseFact.key == str(data["year"]),
            CaseFact.num.is_not(None),
            ProcessInstance.status != "cancelled",
        )
        .order_by(CaseFact.num.desc(), CaseFact.unit_id)
    ).all()
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    scores = [{"unit": names.get(u, u), "total": int(n), "grade": g} for u, n, g in facts]
    grades = [{"grade": g, "units": sum(1 for s in scores if s["grade"] == g)} for g in GRADES]
    average = round(sum(s["total"] for s in scores) / len(scores), 1) if scores else 0
    return {
        "unit_scores": scores,
        "grade_counts": grades,
        "units_reported": len(scores),
        "average_score": average,
    }


QUIET_DAY_KIND = "安静生产日入企检查"  # the 涉企执法 complaint kind the 安静生产日 register answers
FILED = {
    "待审核": "已报备，营商办尚未审核",
    "同意入企": "已报备，营商办同意入企",
    "不同意入企": "已报备，但营商办不同意入企",
    "登记备查": "已报备（非安静生产日）",
}


def quiet_day_filing(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """D3: a complaint of an inspection on a 安静生产日 looks the inspection up in the register — filed by the
    department for that day (and what the 营商办 decided), or not filed at all. Nothing is said where the
    register is not kept, or for other kinds of complaint."""
    kept = session.scalar(select(ProcessVersion.id).where(ProcessVersion.process_id == "quiet_day_register"))
    if data.get("complaint_kind") != QUIET_DAY_KIND or kept is None:
        return {"quiet_day_filing": ""}
    rows = session.execute(
        select(CaseFact.code, CaseFact.label)
        .join(ProcessInstance, ProcessInstance.id == CaseFact.instance_id)
        .where(
            CaseFact.kind == "quiet_day",
            CaseFact.unit_id == data.get("subject_unit"),
            CaseFact.key == str(data.get("occurred_on", ""))[:10],
            ProcessInstance.status != "cancelled",
        )
    ).all()
    if not rows:
        return {"quiet_day_filing": "未报备"}
    return {"quiet_day_filing": "；".join(f"{FILED.get(code, code)}（{label}）" for code, label in rows)}


FIGURES: dict[str, Callable[[Session, dict[str, Any]], dict[str, Any]]] = {
    "approval_month": approval_month,
    "approval_history": approval_history,
    "duty_year": duty_year,
    "quiet_day_filing": quiet_day_filing,
}


def added(session: Session, meta: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The start data with the figures its process.toml asks for (unchanged when it asks for none)."""
    name = meta["process"].get("start_figures")
    return {**data, **FIGURES[name](session, data)} if name else data


def unknown(meta: dict[str, Any]) -> list[str]:
    """Deploy's check: the figures named must exist."""
    name = meta.get("process", {}).get("start_figures")
    if name and name not in FIGURES:
        return [f"process.toml: start_figures = {name!r} 不是引擎提供的统计（可用：{'、'.join(FIGURES)}）"]
    return []
