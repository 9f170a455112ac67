"""Diagram labels never overlap (issue 10 #11): in every diagram's layout (BPMN-DI, written by
tools/layout_bpmn.mjs), no label lies over another label or over a shape that is not its own — the
names of two timers on one step, or a branch's condition over the task it leads to, were unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import WORKFLOWS

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
Box = tuple[float, float, float, float]
DIAGRAMS = sorted(WORKFLOWS.glob("*/*.bpmn"))


def _box(bounds: etree._Element) -> Box:
    x, y, w, h = (float(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return (x, y, x + w, y + h)


def _meet(a: Box, b: Box, margin: float = 1) -> bool:
    return a[0] + margin < b[2] and b[0] + margin < a[2] and a[1] + margin < b[3] and b[1] + margin < a[3]


def overlaps(diagram: Path) -> list[str]:
    found = []
    for plane in etree.parse(str(diagram)).iter(f"{{{DI}}}BPMNPlane"):
        labels: list[tuple[str, Box]] = []
        shapes: list[tuple[str, Box]] = []
        for element in plane:
            ref = element.get("bpmnElement")
            bounds = element.find(f"{{{DC}}}Bounds")
            drawn = element.get("isHorizontal") is None and element.get("isExpanded") != "true"
            if element.tag == f"{{{DI}}}BPMNShape" and bounds is not None and drawn:
                shapes.append((ref, _box(bounds)))  # not a pool, lane or expanded sub-process
            label = element.find(f"{{{DI}}}BPMNLabel/{{{DC}}}Bounds")
            if label is not None:
                labels.append((ref, _box(label)))
        for i, (ref, box) in enumerate(labels):
            found += [f"label {ref} over label {other}" for other, b in labels[i + 1 :] if _meet(box, b)]
            found += [f"label {ref} over {other}" for other, b in shapes if other != ref and _meet(box, b)]
    return found


@pytest.mark.parametrize("diagram", DIAGRAMS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_label_lies_over_another_or_over_a_shape(diagram: Path) -> None:
    assert not overlaps(diagram)


def test_the_check_sees_an_overlap(tmp_path: Path) -> None:
    """Two timer labels drawn one over the other are caught."""
    text = (WORKFLOWS / "clue_disposal" / "case_filing.bpmn").read_text(encoding="utf-8")
    tree = etree.fromstring(text.encode())
    labels = list(tree.iter(f"{{{DI}}}BPMNLabel"))
    first, second = (label.find(f"{{{DC}}}Bounds") for label in labels[:2])
    for key in ("x", "y", "width", "height"):
        second.set(key, first.get(key))
    broken = tmp_path / "broken.bpmn"
    broken.write_bytes(etree.tostring(tree))
    assert overlaps(broken)
