"""`adv sheet import --update NAME`: the diff first, `--yes` applies it, play state is kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adventorator.sheet import import_sheet, parse_sheet_data, reimported, sheet_changes
from tests.characters.support import Cli, assert_one_line_error
from tests.characters.test_import_ddb import halfling_rogue

PIP = "Pip Underbough"


def levelled_up() -> dict[str, Any]:
    """The same rogue at level 12 on D&D Beyond: DEX 20, more HP, no damage, no conditions."""
    document = halfling_rogue()
    data = document["data"]
    data["classes"][0]["level"] = 12
    data["baseHitPoints"] = 66
    data["stats"][1]["value"] = 16
    data["removedHitPoints"] = 0
    data["temporaryHitPoints"] = 0
    data["conditions"] = []
    return document


def write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document), "utf-8")
    return str(path)


def test_update_shows_the_diff_then_applies_it_keeping_play_state(cli: Cli, tmp_path: Path) -> None:
    assert (
        cli("sheet", "import", "--file", write(tmp_path, "pip.json", halfling_rogue())).exit_code
        == 0
    )
    damaged = cli("damage", PIP, "20")
    assert damaged.exit_code == 0, damaged.output
    before = cli.rows()[0]["sheet"]
    assert before["hp"] == {"max": 104, "current": 79, "temp": 0}  # temp soaked 5 of the 20
    newer = write(tmp_path, "pip-12.json", levelled_up())

    shown = cli("sheet", "import", "--file", newer, "--update", PIP)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        f"Re-importing {PIP} from D&D Beyond would change:",
        "  level: 11 → 12",
        "  abilities.dex: 19 → 20",
        "  hp.max: 104 → 114",
        "Kept from play: HP 79/114, prone, exhaustion 2",
        "Add --yes to apply it.",
    ]
    assert cli.rows()[0]["sheet"] == before  # nothing written

    applied = cli.json("sheet", "import", "--file", newer, "--update", PIP.lower(), "--yes")
    assert applied["written"] is True
    assert applied["changes"] == ["level: 11 → 12", "abilities.dex: 19 → 20", "hp.max: 104 → 114"]
    (row,) = cli.rows()
    sheet = row["sheet"]
    assert (sheet["level"], sheet["abilities"]["dex"]) == (12, 20)
    assert sheet["hp"] == {"max": 114, "current": 79, "temp": 0}
    assert (sheet["conditions"], sheet["exhaustion"]) == (["prone"], 2)
    again = cli("sheet", "import", "--file", newer, "--update", PIP)
    assert "  nothing: the sheet is already up to date" in again.stdout.splitlines()


def test_update_of_someone_elses_or_a_missing_character_writes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path, "pip.json", halfling_rogue())
    assert cli("sheet", "import", "--file", path).exit_code == 0
    before = cli.rows()
    refused = cli("sheet", "import", "--file", path, "--update", PIP, "--yes", user="bob")
    assert refused.exit_code != 0
    assert "Traceback" not in refused.output
    assert_one_line_error(cli("sheet", "import", "--file", path, "--update", "Nobody", "--yes"))
    assert cli.rows() == before


def test_the_merge_keeps_full_hp_full_and_drops_death_saves_above_zero() -> None:
    fresh = import_sheet(json.dumps(levelled_up())).sheet
    stored = import_sheet(json.dumps(halfling_rogue())).sheet.to_data()
    full = {**stored, "hp": {"max": 104, "current": 104, "temp": 3}}
    assert reimported(full, fresh).to_data()["hp"] == {"max": 114, "current": 114, "temp": 3}
    dying = {
        **stored,
        "hp": {"max": 104, "current": 0, "temp": 0, "death_saves": {"successes": 1, "failures": 2}},
    }
    kept = reimported(dying, fresh).to_data()["hp"]
    assert kept["current"] == 0
    assert kept["death_saves"] == {"successes": 1, "failures": 2}
    renamed = parse_sheet_data({**stored, "name": "Pip the Bold"}).to_data()
    assert reimported(renamed, fresh).name == "Pip the Bold"  # the stored name is kept
    assert sheet_changes({"a": [1], "skills": ["x"]}, {"a": [2], "skills": ["y"]}) == [
        "a: 1 entries → 1 entries",
        "skills: + y; - x",
    ]
