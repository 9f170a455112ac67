"""The process designers' room (issue 13): the model library with versions and diffs, drafts saved and
validated, scenario runs, deploy (forced only by an administrator, with a reason) and the migration of
running cases. Only holders of roles.toml `[designer]` roles reach any of it; everyone else: NotFound."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .. import audit
from ..catalog import read_sources
from ..context import EngineContext
from ..deploy import deploy_sources
from ..errors import Conflict, DeployRejected, NotFound, NotPermitted, Refused
from ..forms import Form, load_form
from ..records import Actor
from . import drafts, files, library, migration, names, periods
from .checks import deployable, validate
from .diff import VersionDiff, diff_sources, elements
from .drafts import DraftView
from .foreign import new_process_sources
from .library import ProcessEntry
from .migration import MigrationCheck, MigrationOutcome
from .problems import Problem

if TYPE_CHECKING:
    from .sandbox import SandboxView
    from .scenario_runs import ScenarioResult

__all__ = ["DeployOutcome", "Designer", "DraftView", "MigrationCheck", "MigrationOutcome", "Problem"]


@dataclass(frozen=True)
class DeployOutcome:
    process_id: str
    version: int
    created: bool
    scenarios: tuple[ScenarioResult, ...]
    forced: bool


class Designer:
    def __init__(self, ctx: EngineContext):
        self.ctx = ctx
        # the last scenario run of each draft, by its content hash: deploying right after 运行场景测试
        # does not walk them all again (a 线索处置 draft has 19 scenarios: ≈ 30 s)
        self._last_run: dict[tuple[str, str], list[ScenarioResult]] = {}

    def may_design(self, actor: Actor) -> bool:
        return bool(actor.roles & self.ctx.roles.designers)

    def may_administer(self, actor: Actor) -> bool:
        return bool(actor.roles & self.ctx.roles.administrators)

    def _require(self, actor: Actor) -> None:
        if not self.may_design(actor):
            raise NotFound("页面不存在")

    def library(self, actor: Actor) -> list[ProcessEntry]:
        """Every deployed process with its versions (who, when, hash, cases on each) and its draft."""
        self._require(actor)
        with self.ctx.db.reading() as session:
            return library.entries(session)

    def draft(self, actor: Actor, process_id: str) -> DraftView:
        self._require(actor)
        with self.ctx.db.transaction() as session:
            return drafts.view(drafts.open_draft(self.ctx, session, actor, process_id))

    def history(self, actor: Actor, process_id: str) -> list[DraftView]:
        self._require(actor)
        with self.ctx.db.reading() as session:
            return drafts.history(session, process_id)

    def save(self, actor: Actor, process_id: str, sources: dict[str, str], note: str = "") -> DraftView:
        """Save the draft's files (a file left out is dropped from the draft); each is checked first."""
        self._require(actor)
        checked = {name: files.checked_file(name, text.encode("utf-8")) for name, text in sources.items()}
        with self.ctx.db.transaction() as session:
            drafts.open_draft(self.ctx, session, actor, process_id)
            return drafts.view(drafts.save(self.ctx, session, actor, process_id, checked, note))

    def put_file(self, actor: Actor, process_id: str, name: str, content: bytes, note: str = "") -> DraftView:
        """Upload one file into the draft (replacing the file of that name)."""
        return self.put_files(actor, process_id, {name: content}, note or f"上传 {name}")

    def put_files(self, actor: Actor, process_id: str, contents: dict[str, bytes], note: str) -> DraftView:
        """Replace several files of the draft at once (one revision); each is checked first."""
        self._require(actor)
        texts = {name: files.checked_file(name, content) for name, content in contents.items()}
        with self.ctx.db.transaction() as session:
            current = drafts.open_draft(self.ctx, session, actor, process_id)
            sources = {**current.sources, **texts}
            return drafts.view(drafts.save(self.ctx, session, actor, process_id, sources, note))

    def import_model(self, actor: Actor, name: str, content: bytes) -> DraftView:
        """A BPMN file from another modeler as the draft of a new process (its id from the file)."""
        self._require(actor)
        text = files.checked_file("process.bpmn", content)  # whatever the file was called (.xml, spaces …)
        process_id, sources = new_process_sources(name, text)
        with self.ctx.db.transaction() as session:
            if library.is_deployed(session, process_id) or drafts.latest(session, process_id) is not None:
                raise Refused(f"流程 {process_id} 已存在：请在它的草稿中上传文件")
            return drafts.view(drafts.save(self.ctx, session, actor, process_id, sources, f"导入 {name}"))

    def periods(self, actor: Actor, process_id: str) -> list[periods.Period]:
        """The draft's periods ([settings] and [step_days] of process.toml) with their comments."""
        return periods.periods(self.draft(actor, process_id).sources["process.toml"])

    def set_periods(self, actor: Actor, process_id: str, values: dict[tuple[str, str], str]) -> DraftView:
        """Save typed periods into the draft's process.toml (comments and layout kept)."""
        text = periods.with_periods(self.draft(actor, process_id).sources["process.toml"], values)
        return self.put_files(actor, process_id, {"process.toml": text.encode("utf-8")}, "修改期限设置")

    def step_names(self, actor: Actor, process_id: str) -> dict[str, str]:
        """Each element's name by its id (a period of [step_days] is labelled with its step)."""
        return {k: v.get("name", "") for k, v in elements(self.draft(actor, process_id).sources).items()}

    def decisions(self, actor: Actor, process_id: str) -> list[str]:
        return names.decisions(self.draft(actor, process_id).sources)

    def messages(self, actor: Actor, process_id: str) -> list[str]:
        return names.messages(self.draft(actor, process_id).sources)

    def validate(self, actor: Actor, process_id: str) -> list[Problem]:
        return validate(self.ctx, self.draft(actor, process_id).sources)

    def run_scenarios(self, actor: Actor, process_id: str, reuse: bool = False) -> list[ScenarioResult]:
        """The draft's scenarios, each in a throwaway county; `reuse`: the last run of these very files."""
        draft = self.draft(actor, process_id)
        self._refuse_invalid(draft.sources)
        key = (process_id, draft.sha256)
        if not (reuse and key in self._last_run):
            self._last_run = {key: _scenarios(self.ctx, process_id, draft.sources)}
        return self._last_run[key]

    def test_folder(self, folder: Path) -> tuple[str, list[ScenarioResult]]:
        """`qinglian test PATH`: the scenarios of a process folder on disk, as a draft of it would run."""
        sources = {
            **read_sources(folder),
            **{
                f"scenarios/{p.name}": p.read_text("utf-8")
                for p in sorted((folder / "scenarios").glob("*.json"))
            },
        }
        self._refuse_invalid(sources)
        process_id = str(tomllib.loads(sources["process.toml"])["process"]["id"])
        return process_id, _scenarios(self.ctx, process_id, sources)

    # --- 试运行: the draft in a throwaway county (engine/designer/sandbox.py) ----------------------
    def sandbox_prepare(self, actor: Actor, process_id: str) -> None:
        """A fresh throwaway county for the draft (the validation problems refuse it)."""
        draft = self.draft(actor, process_id)
        self._refuse_invalid(draft.sources)
        _sandbox().prepare(self.ctx.settings, actor, process_id, draft.sources)

    def sandbox_start_form(self, actor: Actor, process_id: str) -> Form | None:
        """The draft's start form (what 试运行 asks for first)."""
        sources = self.draft(actor, process_id).sources
        name = tomllib.loads(sources["process.toml"])["process"].get("start_form")
        return load_form(sources, f"{name}.schema.json") if name else None

    def sandbox_start(self, actor: Actor, process_id: str, data: dict[str, Any]) -> int:
        self._require(actor)
        return _sandbox().start(self.ctx.settings, actor, process_id, data)

    def sandbox_view(self, actor: Actor, process_id: str) -> SandboxView | None:
        self._require(actor)
        return _sandbox().view(self.ctx.settings, actor, process_id)

    def sandbox_complete(self, actor: Actor, process_id: str, task_id: int, data: dict[str, Any]) -> None:
        self._require(actor)
        _sandbox().complete(self.ctx.settings, actor, process_id, task_id, data)

    def sandbox_discard(self, actor: Actor, process_id: str) -> None:
        self._require(actor)
        _sandbox().discard(self.ctx.settings, actor, process_id)

    def deploy(self, actor: Actor, process_id: str, force_reason: str = "") -> DeployOutcome:
        """Make the draft the newest version: it must validate; its scenarios must pass — a draft without
        scenarios has passed none — unless an administrator forces the deploy with a reason (kept in the audit
        trail with the failures). The revision deployed is the one whose scenarios ran."""
        tested = self.draft(actor, process_id).sha256
        results = tuple(self.run_scenarios(actor, process_id, reuse=True))
        failed = [r for r in results if not r.passed] or ([] if results else [_no_scenarios()])
        forced = bool(failed)
        if failed and not force_reason.strip():
            raise Refused(f"有 {len(failed)} 个场景未通过，不能部署：" + "；".join(r.message for r in failed))
        if failed and not self.may_administer(actor):
            raise NotPermitted("只有系统管理员可以在场景未通过时强制部署")
        with self.ctx.db.transaction() as session:
            draft = drafts.open_draft(self.ctx, session, actor, process_id)
            if draft.sha256 != tested:
                raise Conflict("草稿在运行场景期间又被修改，请重新运行场景测试后再部署")
            older = library.older_version_with(session, process_id, draft.sha256)
            if older is not None:
                raise Refused(f"草稿与第 {older} 版相同，而新案件使用更新的版本：请修改后再部署")
            result = deploy_sources(self.ctx, session, deployable(draft.sources), actor.username)
            draft.deployed_version = result.version
            audit.append(
                session,
                self.ctx.audit_key,
                at=self.ctx.clock.now(),
                actor=actor.username,
                kind="deploy_forced" if forced else "process_deployed",
                payload={
                    "process": process_id,
                    "version": result.version,
                    "draft_revision": draft.revision,
                    "scenarios": {r.name: r.passed for r in results},
                    **(_forced(force_reason, failed) if forced else {}),
                },
            )
        return DeployOutcome(process_id, result.version, result.created, results, forced)

    def diff(self, actor: Actor, process_id: str, before: int, after: int | None) -> VersionDiff:
        """Between two versions, or (after=None) between a version and the draft."""
        return diff_sources(self.sources(actor, process_id, before), self.files(actor, process_id, after))

    def _refuse_invalid(self, sources: dict[str, str]) -> None:
        problems = validate(self.ctx, sources)
        if problems:
            raise DeployRejected([p.message for p in problems])

    def files(self, actor: Actor, process_id: str, version: int | None) -> dict[str, str]:
        """The files of a version, or (None) of the draft."""
        return self.sources(actor, process_id, version) if version else self.draft(actor, process_id).sources

    def sources(self, actor: Actor, process_id: str, version: int) -> dict[str, str]:
        self._require(actor)
        with self.ctx.db.reading() as session:
            return dict(migration.target_version(session, process_id, version).sources)

    def precheck(self, actor: Actor, process_id: str, version: int) -> list[MigrationCheck]:
        self._require_admin(actor)
        with self.ctx.db.reading() as session:
            return migration.precheck(self.ctx, session, process_id, version)

    def migrate(
        self, actor: Actor, process_id: str, version: int, instance_ids: list[int], reason: str
    ) -> list[MigrationOutcome]:
        """Each case in its own transaction; one that cannot move or fails stays as it was."""
        self._require_admin(actor)
        if not reason.strip():
            raise Refused("请写明迁移的理由")
        return [
            migration.migrate_case(self.ctx, actor, i, process_id, version, reason.strip())
            for i in instance_ids
        ]

    def _require_admin(self, actor: Actor) -> None:
        self._require(actor)
        if not self.may_administer(actor):
            raise NotPermitted("只有系统管理员可以迁移案件")


def _no_scenarios() -> ScenarioResult:
    from .scenario_runs import ScenarioResult

    return ScenarioResult("scenarios/", False, "草稿没有场景测试（scenarios/*.json），未经验证")


def _forced(reason: str, failed: list[ScenarioResult]) -> dict[str, object]:
    return {"reason": reason.strip(), "failed": [r.message for r in failed]}


def _sandbox() -> ModuleType:
    # imported on use: the sandbox builds Engines, and engine.api imports this package
    from . import sandbox

    return sandbox


def _scenarios(ctx: EngineContext, process_id: str, sources: dict[str, str]) -> list[ScenarioResult]:
    # imported on use: scenario_runs builds Engines, and engine.api imports this package
    from .scenario_runs import run_scenarios

    return run_scenarios(ctx.settings, process_id, sources)
