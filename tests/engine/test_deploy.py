"""Deploying workflow folders: bad files are refused with a message naming file and line or element,
nothing is stored, and the version already deployed keeps working (RELIABILITY F8, F12–F15, F19, with
test_deploy_lint.py and test_deploy_versions.py). Here the files themselves: hostile or broken XML (the
corpus of tests/fixtures/bad/), invalid BPMN; and one bad folder refuses the whole deploy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine import Engine
from tests.engine.deploy_helpers import (
    BAD,
    assert_refused,
    assert_version_1_still_starts,
    copy_of_mini,
    edit,
    line_of,
)

# --- hostile or broken XML (the corpus in tests/fixtures/bad/) --------------------------------------


@pytest.mark.parametrize(
    ("corpus_file", "line"),
    [
        ("syntax_error.bpmn", 5),
        ("internal_entity.bpmn", 2),
        ("xxe_file.bpmn", 2),
        ("xxe_parameter.bpmn", 2),
        ("xxe_external_dtd.bpmn", 2),
        ("billion_laughs.bpmn", 2),
        ("xxe.dmn", 2),
    ],
)
def test_hostile_or_broken_xml_is_refused_naming_file_and_line(
    mini_engine: Engine, tmp_path: Path, corpus_file: str, line: int
) -> None:
    folder = copy_of_mini(tmp_path)
    shutil.copy(BAD / corpus_file, folder / corpus_file)
    assert_refused(mini_engine, folder, f"文件 {corpus_file}", f"第 {line} 行")


@pytest.mark.parametrize("corpus_file", ["xxe_file.bpmn", "xxe_parameter.bpmn", "xxe.dmn"])
def test_external_entity_never_leaks_the_file_it_names(
    mini_engine: Engine, tmp_path: Path, corpus_file: str, actor
) -> None:
    folder = copy_of_mini(tmp_path)
    shutil.copy(BAD / corpus_file, folder / corpus_file)
    message = assert_refused(mini_engine, folder, corpus_file)
    assert_version_1_still_starts(mini_engine, actor)
    secret_lines = [ln for ln in Path("/etc/passwd").read_text().splitlines() if len(ln) > 8]
    assert secret_lines, "the test needs a readable /etc/passwd"
    assert not any(ln in message for ln in secret_lines)
    assert "root:" not in message


def test_doctype_after_a_long_comment_is_still_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    padding = "<!-- " + "填充" * 3000 + " -->\n"
    edit(
        folder,
        "process.bpmn",
        header,
        header + padding + '<!DOCTYPE bpmn:definitions SYSTEM "file:///etc/passwd">\n',
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "第 3 行", "DOCTYPE")


def test_xml_syntax_error_names_file_and_line(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(folder, "decision.dmn", '<rule id="r2">', '<rule id="r2"><oops>')
    where_noticed = line_of(text, "</rule>", text.index("<oops>"))  # libxml2 reports the mismatched end tag
    assert_refused(mini_engine, folder, "文件 decision.dmn", f"第 {where_noticed} 行", "oops")


def test_file_larger_than_the_limit_is_refused_before_parsing(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder,
        "process.bpmn",
        "</bpmn:definitions>",
        "<!-- " + "x" * (10 * 1024 * 1024) + " -->\n</bpmn:definitions>",
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "过大")


def test_too_many_elements_are_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    many = "<bpmn:documentation>x</bpmn:documentation>" * 50_001
    edit(
        folder,
        "process.bpmn",
        '<bpmn:process id="mini" name="小流程" isExecutable="true">',
        f'<bpmn:process id="mini" name="小流程" isExecutable="true">{many}',
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "元素过多")


def test_non_utf8_file_is_refused_with_a_message(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    path = folder / "process.bpmn"
    text = path.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="GBK"', 1)
    path.write_bytes(text.encode("gbk"))
    assert_refused(mini_engine, folder, "文件 process.bpmn", "UTF-8")


# --- BPMN structure (parser with XSD validation) -----------------------------------------------------


def test_sequence_flow_to_a_missing_target_is_refused(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    edit(
        folder, "process.bpmn", 'sourceRef="serve" targetRef="calc"', 'sourceRef="serve" targetRef="nowhere"'
    )
    assert_refused(mini_engine, folder, "文件 process.bpmn", "nowhere")


def test_duplicate_id_is_refused_naming_the_line(mini_engine: Engine, actor, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(folder, "process.bpmn", '<bpmn:endEvent id="end_late"', '<bpmn:endEvent id="end_ok"')
    line = line_of(text, 'id="end_ok"', text.index('id="end_ok"') + 1)  # the second one is the duplicate
    assert_refused(mini_engine, folder, "文件 process.bpmn", f"第 {line} 行", "end_ok")
    assert_version_1_still_starts(mini_engine, actor)


def test_unknown_element_is_refused_by_the_xsd(mini_engine: Engine, tmp_path: Path) -> None:
    folder = copy_of_mini(tmp_path)
    text = edit(
        folder,
        "process.bpmn",
        "<bpmn:incoming>f_le</bpmn:incoming>",
        "<bpmn:incoming>f_le</bpmn:incoming><bpmn:frobnicate />",
    )
    assert_refused(
        mini_engine, folder, "文件 process.bpmn", f"第 {line_of(text, 'frobnicate')} 行", "frobnicate"
    )


# --- the whole workflows folder ----------------------------------------------------------------------


def test_one_bad_folder_refuses_the_whole_workflows_deploy(
    mini_engine: Engine, tmp_path: Path, actor
) -> None:
    good = copy_of_mini(tmp_path, "all/a_changed")  # alone, it would become version 2
    edit(good, "process.bpmn", 'name="送达函询"', 'name="送达回执登记"')
    bad = copy_of_mini(tmp_path, "all/z_bad")
    edit(bad, "process.bpmn", "late_at = end_of(reply_due)", "import os")
    assert_refused(mini_engine, tmp_path / "all", "import")
    assert_version_1_still_starts(mini_engine, actor)
