"""A case's audit trail as its supervisors read it (issue 8): every event of the case, whether its part
of the hash chain verifies, and every look at the case file and download of its documents."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import in_scope, instance_visible
from .context import EngineContext
from .db.models import AuditEvent, ProcessInstance, User
from .errors import NotFound
from .queries import READ_EVENTS
from .records import Actor

KIND_NAMES = {
    "instance_started": "发起",
    "task_completed": "办理",
    "timers_fired": "期限到达",
    "messages_sent": "发送消息",
    "message_received": "收到消息",
    "incident": "运行异常",
    "attachment_uploaded": "上传附件",
    "intervention": "督办",
    "case_viewed": "查阅案卷",
    "case_view_denied": "查阅被拒",
    "attachment_downloaded": "下载附件",
    "attachment_download_denied": "下载被拒",
    "recusal": "回避",
    "cases_imported": "批量导入",
    "instance_migrated": "迁移到新版本",
    "migration_failed": "迁移未成功",
    "draft_saved": "保存流程草稿",
    "process_deployed": "部署流程",
    "deploy_forced": "强制部署流程",
    "calendar_changed": "调整工作日历",
    "document_rendered": "生成文书PDF",
}


@dataclass(frozen=True)
class AuditLine:
    seq: int
    at: datetime
    actor: str
    kind: str
    what: str


@dataclass(frozen=True)
class CaseAudit:
    lines: tuple[AuditLine, ...]  # what was done
    looks: tuple[AuditLine, ...]  # who looked at the case file or downloaded from it
    intact: bool
    broken_at: int | None


def case_audit(ctx: EngineContext, session: Session, actor: Actor, instance_id: int) -> CaseAudit:
    """The trail of a case its supervisor may read (scope covers it); NotFound for anyone else."""
    scope = ctx.roles.scope(actor.roles, actor.unit_id, case_file=True)
    covered = scope is not None and session.scalar(
        select(ProcessInstance.id).where(
            ProcessInstance.id == instance_id, in_scope(scope), instance_visible(actor, ctx.roles)
        )
    )
    if not covered:
        raise NotFound("案件不存在")
    names = dict(session.execute(select(User.username, User.display_name)).all())
    lines, looks = [], []
    for event in session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    ):
        payload = json.loads(event.payload)
        line = AuditLine(
            event.seq,
            event.at,
            names.get(event.actor, "系统" if event.actor == "system" else event.actor),
            KIND_NAMES.get(event.kind, "其他"),
            str(payload.get("task") or payload.get("filename") or payload.get("number") or ""),
        )
        (looks if event.kind in READ_EVENTS else lines).append(line)
    broken = audit.verify_case(session, ctx.audit_key, instance_id)
    return CaseAudit(tuple(lines), tuple(looks), broken is None, broken)
