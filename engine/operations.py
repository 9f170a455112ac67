"""What an operator asks of a deployment (issue 11 #11, #16): is it ready to serve, and a backup of its
data or the restore of one. Built by the Engine (`engine.operations`)."""

from __future__ import annotations

from pathlib import Path

from . import audit_anchor, backup, gauges, health, identity_rotation
from .context import EngineContext


class Operations:
    def __init__(self, ctx: EngineContext):
        self.ctx = ctx

    def readiness(self) -> list[str]:
        """What keeps this process from serving (database unreachable, migrations pending); [] if ready."""
        return health.readiness(self.ctx)

    def gauges(self) -> gauges.Gauges:
        """Open and overdue steps, timer lag, open incidents, running cases (for /metrics)."""
        return gauges.read(self.ctx)

    def backup(self, folder: Path) -> backup.Copy:
        """A consistent online copy of the database and the stored files into `folder` (new or empty)."""
        return backup.backup(self.ctx, folder, self.ctx.clock.now())

    def restore(self, folder: Path) -> backup.Copy:
        """Bring a backup into this deployment's empty database and its files folder."""
        return backup.restore(self.ctx, folder)

    def anchor_audit(self) -> audit_anchor.Head | None:
        """Write the audit chain's head outside the database now (the worker does it every sweep)."""
        return audit_anchor.export(self.ctx)

    def rotate_identity_keys(self) -> int:
        """Seal reporters' identity under a new key and drop the old ones; how many values moved."""
        return identity_rotation.rotate(self.ctx)

    def counts(self) -> dict[str, int]:
        """Rows of each kind a backup and its restore compare."""
        return backup.counts(self.ctx)
