"""E-mail for the notification centre: notices of people with an address go out through SMTP when a
server is configured (QINGLIAN_SMTP_HOST); never required. Sent after the notices are committed, by
the worker; a notice is mailed once (emailed_at), and a failing server only delays it."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import select

from .context import EngineContext
from .db.models import Notification, User

log = logging.getLogger(__name__)
BATCH = 100
RECENT = timedelta(days=2)  # older notices are not mailed when SMTP is configured later


def send_pending(ctx: EngineContext) -> int:
    """Mail every recent unmailed notice to its person's address; returns how many were sent."""
    settings = ctx.settings
    if not settings.smtp_host:
        return 0
    with ctx.db.reading() as session:
        rows = session.execute(
            select(Notification.id, Notification.text, User.email, User.display_name)
            .join(User, User.id == Notification.user_id)
            .where(
                Notification.emailed_at.is_(None),
                User.email != "",
                Notification.created_at >= ctx.clock.now() - RECENT,
            )
            .order_by(Notification.id)
            .limit(BATCH)
        ).all()
    if not rows:
        return 0
    sent = []  # mailed, or refused for good (an address the server will not take): not tried again
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            for notice_id, text, address, name in rows:
                message = EmailMessage()
                message["From"], message["To"] = settings.smtp_sender, address
                message["Subject"] = "清廉：" + text[:60]
                message.set_content(f"{name}：\n\n{text}\n\n请登录清廉平台办理。本邮件由系统发送，请勿回复。")
                try:
                    smtp.send_message(message)
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                    log.warning("SMTP refused notice %s to %s: %s", notice_id, address, exc)
                sent.append(notice_id)
    except (OSError, smtplib.SMTPException) as exc:  # the server is down: try again next sweep
        log.warning("SMTP: %s (%d notices wait)", exc, len(rows) - len(sent))
    if sent:
        with ctx.db.transaction() as session:
            for notice in session.scalars(select(Notification).where(Notification.id.in_(sent))):
                notice.emailed_at = ctx.clock.now()
    return len(sent)
