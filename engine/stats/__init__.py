"""Supervisors' statistics, each computed from case facts (engine/facts.py) and open tasks in the
caller's scope: the figures of the dashboard, the stats API and the periodic reports."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ..context import EngineContext
from ..errors import NotFound
from ..records import Actor
from .accountability import accountability_statistics
from .business_env import business_env_statistics
from .clues import clue_statistics
from .common import Cell, Facts, StatFilter, Statistic, StatTable
from .custody import custody_statistics
from .deadlines import deadline_statistics
from .duty_reports import duty_report_statistics
from .education import education_statistics
from .forms import forms_statistics
from .inquiries import inquiry_statistics
from .inspections import inspection_statistics
from .interference import interference_statistics
from .online_opinion import online_opinion_statistics
from .rectification import rectification_statistics

__all__ = ["STATISTICS", "Cell", "Facts", "StatFilter", "StatTable", "Statistic", "compute", "compute_all"]

STATISTICS: dict[str, Callable[[Facts], Statistic]] = {
    "deadlines": deadline_statistics,
    "inquiries": inquiry_statistics,
    "clues": clue_statistics,
    "forms": forms_statistics,
    "inspections": inspection_statistics,
    "rectification": rectification_statistics,
    "accountability": accountability_statistics,
    "business_env": business_env_statistics,
    "custody": custody_statistics,
    "interference": interference_statistics,
    "online_opinion": online_opinion_statistics,
    "warning_education": education_statistics,
    "duty_reports": duty_report_statistics,
}


def compute(ctx: EngineContext, session: Session, actor: Actor, name: str, f: StatFilter) -> Statistic:
    """One named statistic over what the actor may see; NotFound for an unknown name."""
    if name not in STATISTICS:
        raise NotFound("没有这项统计")
    return STATISTICS[name](Facts(ctx, session, actor, f))


def compute_all(ctx: EngineContext, session: Session, actor: Actor, f: StatFilter) -> list[Statistic]:
    """Every statistic, in the dashboard's order, over one reading of what the actor may not count."""
    facts = Facts(ctx, session, actor, f)
    return [statistic(facts) for statistic in STATISTICS.values()]
