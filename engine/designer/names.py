"""What the editor offers in its lists: the decision tables and the messages a draft defines."""

from __future__ import annotations

from ..errors import DeployRejected
from ..xmlsafe import parse_xml
from .foreign import BPMN


def decisions(sources: dict[str, str]) -> list[str]:
    """Every DMN decision id of the draft (for a business rule task's 决策表)."""
    found = []
    for name, text in sorted(sources.items()):
        if name.endswith(".dmn"):
            try:
                root = parse_xml(text.encode("utf-8"), name).getroot()
            except DeployRejected:
                continue  # validation reports it
            found += [e.get("id") for e in root.iter() if str(e.tag).endswith("}decision") and e.get("id")]
    return found


def messages(sources: dict[str, str]) -> list[str]:
    """Every message name the draft's diagrams define (for message events)."""
    found = []
    for name, text in sorted(sources.items()):
        if name.endswith(".bpmn"):
            try:
                root = parse_xml(text.encode("utf-8"), name).getroot()
            except DeployRejected:
                continue
            found += [m.get("name") for m in root.iter(f"{BPMN}message") if m.get("name")]
    return sorted(set(found))
