"""The example sheets ship inside the package: `adv sheet example` and `sheet create --example`."""

from __future__ import annotations

import json
from pathlib import Path

from adventorator.sheet import example_names, example_text, parse_sheet_json
from tests.characters.support import ROGUE, Cli, assert_one_line_error

PACKAGE_EXAMPLES = Path(__file__).resolve().parents[2] / "adventorator" / "sheet" / "examples"
REPO_EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_examples_live_in_the_package_and_the_repository_links_to_them() -> None:
    assert example_names() == ["bard", "fighter", "rogue"]
    assert sorted(p.stem for p in PACKAGE_EXAMPLES.glob("*.json")) == example_names()
    assert REPO_EXAMPLES.resolve() == PACKAGE_EXAMPLES.resolve()
    for name in example_names():
        assert example_text(name) == (PACKAGE_EXAMPLES / f"{name}.json").read_text("utf-8")
        assert parse_sheet_json(example_text(name)).name


def test_example_list(cli: Cli) -> None:
    result = cli("sheet", "example", "--list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "bard: Ysolde Vane, level 6 Bard",
        "fighter: Brannoc Ashvale, level 8 Fighter",
        "rogue: Wren Thistlefoot, level 5 Rogue",
    ]
    listed = cli.json("sheet", "example", "--list")
    assert [entry["example"] for entry in listed["examples"]] == ["bard", "fighter", "rogue"]


def test_example_prints_the_json_and_pipes_into_create(cli: Cli) -> None:
    printed = cli("sheet", "example", "rogue")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout) == json.loads(example_text("rogue"))
    created = cli("sheet", "create", "--file", "-", input=printed.stdout)
    assert created.exit_code == 0, created.output
    assert created.stdout.strip() == f"Saved {ROGUE}."
    (row,) = cli.rows()
    assert row["name"] == ROGUE
    assert row["sheet"]["level"] == 5


def test_create_example(cli: Cli) -> None:
    result = cli("sheet", "create", "--example", "Bard")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Saved Ysolde Vane."
    assert [row["name"] for row in cli.rows()] == ["Ysolde Vane"]


def test_unknown_example_and_both_sources_are_one_line_errors(cli: Cli) -> None:
    assert_one_line_error(cli("sheet", "example", "wizard"), "no example sheet 'wizard'", "rogue")
    assert_one_line_error(
        cli("sheet", "create", "--example", "wizard"), "examples: bard, fighter, rogue"
    )
    both = cli("sheet", "create", "--example", "rogue", "--json", "{}")
    assert_one_line_error(both, "not both")
    assert cli.rows() == []
