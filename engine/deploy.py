"""Store a parsed, linted process bundle as a new immutable version (same content → same version)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import guards, start_figures
from .catalog import ProcessBundle, build_bundle, discover, read_sources
from .context import EngineContext
from .db.models import ProcessVersion
from .documents import catalog, catalog_problems
from .errors import DeployRejected
from .records import DeployResult
from .xmlsafe import parse_xml


def deploy_folder(ctx: EngineContext, session: Session, folder: Path, by: str) -> DeployResult:
    """Deploy one process folder; DeployRejected (nothing stored) when any file is bad."""
    return deploy_sources(ctx, session, read_sources(folder), by)


def deploy_sources(ctx: EngineContext, session: Session, sources: dict[str, str], by: str) -> DeployResult:
    bundle = checked_bundle(ctx, sources)
    existing = session.scalar(
        select(ProcessVersion).where(
            ProcessVersion.process_id == bundle.process_id, ProcessVersion.sha256 == bundle.sha256
        )
    )
    if existing is not None:
        return DeployResult(bundle.process_id, existing.version, created=False)
    last = session.scalar(
        select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == bundle.process_id)
    )
    meta = {**bundle.meta, "diagram": _diagram_file(bundle.sources, bundle.process_id)}
    row = ProcessVersion(
        process_id=bundle.process_id,
        version=(last or 0) + 1,
        sha256=bundle.sha256,
        meta=meta,
        sources=bundle.sources,
        spec_json=bundle.spec_json,
        deployed_at=ctx.clock.now(),
        deployed_by=by,
    )
    session.add(row)
    session.flush()
    return DeployResult(bundle.process_id, row.version, created=True)


def checked_bundle(ctx: EngineContext, sources: dict[str, str]) -> ProcessBundle:
    """Parse and lint the process's sources with everything deploy checks; DeployRejected lists why not."""
    bundle = build_bundle(sources, ctx.roles)
    documents_dir = Path(ctx.settings.workflows_dir) / "documents"
    broken = catalog_problems(documents_dir)
    if broken:
        raise DeployRejected(broken)
    figures = start_figures.unknown(bundle.meta) + guards.unknown(bundle.meta)
    if figures:
        raise DeployRejected(figures)
    unknown = _unknown_document_kinds(sources, documents_dir)
    if unknown:
        raise DeployRejected([f"脚本使用了 documents.toml 中没有的文书类型：{', '.join(unknown)}"])
    return bundle


_ISSUED_KIND = re.compile(r"issue_document\(\s*(?:\"|'|&quot;|&apos;)(\w+)")


def _unknown_document_kinds(sources: dict[str, str], documents_dir: Path) -> list[str]:
    """Kinds named literally in `issue_document("…")` calls that documents.toml does not define."""
    used = {
        kind
        for name, text in sources.items()
        if name.endswith(".bpmn")
        for kind in _ISSUED_KIND.findall(text)
    }
    if not used:
        return []
    known = set(catalog(documents_dir)) if (documents_dir / "documents.toml").exists() else set()
    return sorted(used - known)


def deploy_all(ctx: EngineContext, session: Session, workflows_dir: Path, by: str) -> list[DeployResult]:
    """Deploy every process folder; one bad folder rejects the whole call."""
    folders = discover(workflows_dir)
    if not folders:
        raise DeployRejected([f"{workflows_dir} 中没有流程（no */process.toml found）"])
    return [deploy_folder(ctx, session, folder, by) for folder in folders]


def _diagram_file(sources: dict[str, str], process_id: str) -> str:
    """The BPMN file that holds the executable process, drawn on the instance page."""
    for name, text in sources.items():
        if name.endswith(".bpmn"):
            root = parse_xml(text.encode("utf-8"), name).getroot()
            if any(p.get("id") == process_id for p in root.iter("{*}process")):
                return name
    raise DeployRejected([f"没有包含流程 {process_id} 的 BPMN 文件"])
