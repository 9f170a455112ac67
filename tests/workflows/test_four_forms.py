"""Every outcome a 处分 decision can record counts under its 四种形态 form (issue 9 #6): the lists of the
sanction form read against workflows/four_forms.toml, so a new option never goes uncounted."""

from __future__ import annotations

import json

from engine.stats.forms import form_book
from tests.conftest import WORKFLOWS

SANCTION = json.loads((WORKFLOWS / "clue_disposal" / "forms" / "sanction.schema.json").read_text("utf-8"))
BOOK = form_book(WORKFLOWS / "four_forms.toml")


def _options(field: str) -> list[str]:
    return [v for v in SANCTION["properties"][field]["enum"] if v != "无"]


def test_every_party_sanction_counts_as_light_or_heavy_as_the_regulations_class_it() -> None:
    # 党内监督条例 §7: 党纪轻处分 (警告、严重警告) is the second form, 党纪重处分 the third
    assert {o: BOOK.measures[f"DJ:{o}"] for o in _options("party_sanction")} == {
        "警告": 2,
        "严重警告": 2,
        "撤销党内职务": 3,
        "留党察看": 3,
        "开除党籍": 3,
    }


def test_every_governmental_sanction_counts_under_a_form() -> None:
    forms = {o: BOOK.measures.get(f"ZW:{o}") for o in _options("gov_sanction")}
    assert set(forms) == {"警告", "记过", "记大过", "降级", "撤职", "开除"}
    assert all(form in BOOK.names for form in forms.values()), forms


def test_a_referral_to_the_judiciary_is_the_fourth_form_and_no_sanction_is_no_form() -> None:
    assert BOOK.measures["YS"] == 4 and BOOK.measures["ZZCL"] == 2
    # 免予处分, 不予处分 and 撤销案件 (MYCF, BYCF, CXAJ) are outcomes, not measures of a form
    assert _options("other_outcome") == ["免予处分", "不予处分", "撤销案件"]
    assert not {"MYCF", "BYCF", "CXAJ"} & set(BOOK.measures)
