"""Settings, each declared once: name, default, help text and environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _meta(env: str, help_text: str) -> dict[str, str]:
    return {"env": env, "help": help_text}


@dataclass(frozen=True)
class Settings:
    """Configuration of one Qinglian deployment; built by `from_env()` or directly in tests."""

    database_url: str = field(
        default="",
        metadata=_meta("QINGLIAN_DATABASE_URL", "SQLAlchemy URL; default: SQLite file instance/qinglian.db"),
    )
    instance_dir: str = field(
        default=str(PROJECT_ROOT / "instance"),
        metadata=_meta("QINGLIAN_INSTANCE_DIR", "folder for the SQLite file and attachments"),
    )
    workflows_dir: str = field(
        default=str(PROJECT_ROOT / "workflows"),
        metadata=_meta("QINGLIAN_WORKFLOWS_DIR", "folder of BPMN/DMN/form files to deploy"),
    )
    secret_key: str = field(
        default="",
        metadata=_meta(
            "QINGLIAN_SECRET_KEY", "session signing key; default: random, kept in instance/session.key (0600)"
        ),
    )
    audit_key: str = field(
        default="",
        metadata=_meta(
            "QINGLIAN_AUDIT_KEY", "audit chain HMAC key; default: random, kept in instance/audit.key (0600)"
        ),
    )
    identity_keys: str = field(
        default="",
        metadata=_meta(
            "QINGLIAN_IDENTITY_KEYS",
            "key ring sealing reporters' identity (AES-GCM); default: instance/identity.keys (0600)",
        ),
    )
    timezone: str = field(
        default="Asia/Shanghai",
        metadata=_meta("QINGLIAN_TIMEZONE", "time zone of deadlines and displayed times"),
    )
    county: str = field(
        default="示例县",
        metadata=_meta("QINGLIAN_COUNTY", "the county's name: issuing bodies of documents and reports"),
    )
    max_upload_mb: int = field(
        default=20, metadata=_meta("QINGLIAN_MAX_UPLOAD_MB", "largest accepted request body, in MiB")
    )
    step_budget: int = field(
        default=1000,
        metadata=_meta("QINGLIAN_STEP_BUDGET", "engine steps one action may run before it is rolled back"),
    )
    worker_interval: float = field(
        default=5.0, metadata=_meta("QINGLIAN_WORKER_INTERVAL", "seconds between timer sweeps of the worker")
    )
    pending_upload_days: int = field(
        default=7,
        metadata=_meta(
            "QINGLIAN_PENDING_UPLOAD_DAYS",
            "days an upload that no accepted submission named is kept before the worker discards it",
        ),
    )
    smtp_host: str = field(
        default="", metadata=_meta("QINGLIAN_SMTP_HOST", "SMTP server for e-mail notices; empty: no e-mail")
    )
    smtp_port: int = field(default=25, metadata=_meta("QINGLIAN_SMTP_PORT", "SMTP port"))
    smtp_sender: str = field(
        default="qinglian@localhost",
        metadata=_meta("QINGLIAN_SMTP_SENDER", "sender address of e-mail notices"),
    )
    smtp_user: str = field(default="", metadata=_meta("QINGLIAN_SMTP_USER", "SMTP login, if the server asks"))
    smtp_password: str = field(default="", metadata=_meta("QINGLIAN_SMTP_PASSWORD", "SMTP password"))
    smtp_starttls: bool = field(
        default=False, metadata=_meta("QINGLIAN_SMTP_STARTTLS", "upgrade the SMTP connection with STARTTLS")
    )
    idle_minutes: int = field(
        default=30,
        metadata=_meta("QINGLIAN_IDLE_MINUTES", "a signed-in session left idle this long ends (minutes)"),
    )
    token_days: int = field(
        default=90, metadata=_meta("QINGLIAN_TOKEN_DAYS", "days an API token stays valid")
    )
    login_rate: str = field(
        default="10 per minute;100 per hour",
        metadata=_meta("QINGLIAN_LOGIN_RATE", "failed sign-ins one address may make (Flask-Limiter syntax)"),
    )
    ratelimit_storage: str = field(
        default="memory://",
        metadata=_meta(
            "QINGLIAN_RATELIMIT_STORAGE",
            "where the sign-in rate is counted: memory:// per process, or redis://… shared by all processes",
        ),
    )
    proxies: int = field(
        default=0,
        metadata=_meta(
            "QINGLIAN_PROXIES",
            "reverse proxies in front that set X-Forwarded-For/-Proto (0: clients connect directly)",
        ),
    )
    metrics_token: str = field(
        default="",
        metadata=_meta(
            "QINGLIAN_METRICS_TOKEN",
            "bearer token the Prometheus scraper sends to GET /metrics; empty: no /metrics",
        ),
    )
    production: bool = field(
        default=False,
        metadata=_meta("QINGLIAN_PRODUCTION", "refuse to start with weak or shared keys; secure cookies"),
    )

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or the SQLite file in the instance folder."""
        return self.database_url or f"sqlite:///{Path(self.instance_dir) / 'qinglian.db'}"

    @property
    def files_dir(self) -> Path:
        """Where attachment contents are stored, content-addressed."""
        return Path(self.instance_dir) / "files"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Read every setting from its environment variable; keyword overrides win."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None:
                continue
            if isinstance(f.default, bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(f.default, int):
                values[f.name] = int(raw)
            elif isinstance(f.default, float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    @classmethod
    def documented(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting, for `--help-settings` and docs."""
        return [(f.metadata["env"], str(f.default), f.metadata["help"]) for f in fields(cls)]
