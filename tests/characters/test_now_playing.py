"""Creating or importing a sheet says so when it changes which character you play."""

from __future__ import annotations

import json

from tests.characters.support import BARD, ROGUE, Cli, example_path, sheet_data
from tests.characters.test_import_ddb import halfling_rogue

SWITCH = "(adv character switch NAME to choose)."


def playing(name: str) -> str:
    return f"You are now playing {name}: it is your most recent character {SWITCH}"


def create(cli: Cli, *args: str, user: str = "alice") -> str:
    result = cli("sheet", "create", *args, user=user)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_a_newer_sheet_says_it_is_now_played_and_the_first_does_not(cli: Cli) -> None:
    assert create(cli, "--file", str(example_path("rogue"))) == f"Saved {ROGUE}."
    assert create(cli, "--file", str(example_path("bard"))) == f"Saved {BARD}. {playing(BARD)}"
    assert cli.json("character", "current")["active"] == BARD
    # Replacing the sheet you already play changes nothing: no notice.
    assert create(cli, "--replace", "--file", str(example_path("bard"))) == f"Saved {BARD}."


def test_replacing_an_older_sheet_makes_it_the_most_recent(cli: Cli) -> None:
    create(cli, "--file", str(example_path("rogue")))
    create(cli, "--file", str(example_path("bard")))
    again = create(cli, "--replace", "--file", str(example_path("rogue")))
    assert again == f"Saved {ROGUE}. {playing(ROGUE)}"


def test_a_chosen_character_stays_chosen(cli: Cli) -> None:
    create(cli, "--file", str(example_path("rogue")))
    create(cli, "--file", str(example_path("bard")))
    switched = cli("character", "switch", ROGUE)
    assert switched.exit_code == 0, switched.output
    assert create(cli, "--json", json.dumps(sheet_data("Vex"))) == "Saved Vex."
    assert cli.json("character", "current")["active"] == ROGUE


def test_another_players_sheet_does_not_change_yours(cli: Cli) -> None:
    create(cli, "--file", str(example_path("rogue")))
    assert create(cli, "--file", str(example_path("bard")), user="bob") == f"Saved {BARD}."
    assert cli.json("character", "current")["active"] == ROGUE


def test_an_import_says_so_after_its_report(cli: Cli) -> None:
    create(cli, "--file", str(example_path("rogue")))
    result = cli("sheet", "import", "--text", json.dumps(halfling_rogue()))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Imported Pip Underbough from D&D Beyond."
    assert lines[-1] == playing("Pip Underbough")
    dry = cli("sheet", "import", "--text", json.dumps(halfling_rogue()), "--dry-run")
    assert "now playing" not in dry.stdout
