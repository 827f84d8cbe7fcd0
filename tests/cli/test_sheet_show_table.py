"""`adv sheet show` shows the state that matters at the table, plain and in the panel."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from adventorator.commands import sheet_panel, sheet_text
from adventorator.rules import Dnd5eRuleset
from adventorator.sheet import example_text, parse_sheet_json
from tests.support import adv_app

RULES = Dnd5eRuleset()


def table_sheet(**changes: Any) -> str:
    data = json.loads(example_text("rogue"))
    data.update(
        conditions=["poisoned", "prone"],
        exhaustion=2,
        concentration="Bless",
        senses={"darkvision": 60},
        speed={"walk": 25, "climb": 25, "swim": 10},
        resistances=["poison"],
        spells=["Mage Hand", "Minor Illusion"],
    )
    data.update(changes)
    return json.dumps(data)


def panel(text: str) -> str:
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(
        sheet_panel(parse_sheet_json(text), RULES)
    )
    return out.getvalue()


EXPECTED = [
    "Conditions: poisoned, prone, exhaustion 2",
    "Concentrating on: Bless",
    "Senses: darkvision 60 ft",
    "Other speeds: swim 10 ft, climb 25 ft",
    "Defences: resists poison",
    "Features: Expertise (Stealth, Sleight of Hand), Sneak Attack (3d6), Thieves' Cant, ",
    # To-hit and damage as derived: DEX 18 (+4) with finesse, proficiency +3.
    "Attacks: Shortsword +7, 1d6+4 piercing + 3d6 (Sneak Attack, once per turn); "
    "Shortbow (ranged) +7, 1d6+4 piercing + 3d6 (Sneak Attack, once per turn)",
    "Inventory: Leather armor, Shortsword, Shortbow, Arrows x20, Dagger x2, ",
    "Spells: Mage Hand, Minor Illusion",
    "Notes: Proficient with thieves' tools. Speaks Common, Halfling and Thieves' Cant.",
]


def test_plain_text_shows_the_table_state_one_line_each() -> None:
    lines = sheet_text(parse_sheet_json(table_sheet()), RULES).splitlines()
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in lines), expected
    labels = [line.split(":")[0] for line in lines if line.split(":")[0] in _labels()]
    assert labels == _labels()  # in table order, each once


def _labels() -> list[str]:
    return [expected.split(":")[0] for expected in EXPECTED]


def test_empty_parts_are_left_out() -> None:
    bare = table_sheet(
        conditions=[], exhaustion=0, concentration=None, senses={}, speed=30, resistances=[],
        spells=[], features=[], attacks=[], inventory=[], notes="",
    )  # fmt: skip
    text = sheet_text(parse_sheet_json(bare), RULES)
    for label in _labels():
        assert f"\n{label}:" not in text
    assert "Concentrating" not in panel(bare)


def test_long_lists_and_notes_are_shortened() -> None:
    many = table_sheet(spells=[f"Spell {n}" for n in range(30)], notes="word " * 500)
    text = sheet_text(parse_sheet_json(many), RULES)
    assert "Spell 11, … 18 more" in text
    assert "Spell 12" not in text
    notes = next(line for line in text.splitlines() if line.startswith("Notes: "))
    assert notes.endswith("…")
    assert len(notes) <= len("Notes: ") + 160


def test_the_panel_shows_the_same_state_and_never_parses_markup() -> None:
    shown = panel(table_sheet(concentration="[bold]Bless[/bold]", notes="[red]x[/red]"))
    flat = " ".join(shown.split())
    for fragment in ("Concentrating on", "[bold]Bless[/bold]", "darkvision 60 ft", "Shortbow",
                     "exhaustion 2", "[red]x[/red]", "Mage Hand"):  # fmt: skip
        assert fragment in flat, fragment


def test_adv_sheet_show_prints_it(isolated_env: Path) -> None:
    app = adv_app()
    runner = CliRunner()
    created = runner.invoke(app, ["sheet", "create", "--json", table_sheet()])
    assert created.exit_code == 0, created.output
    shown = runner.invoke(app, ["sheet", "show"])
    assert shown.exit_code == 0, shown.output
    for expected in EXPECTED:
        assert expected in shown.stdout, expected
