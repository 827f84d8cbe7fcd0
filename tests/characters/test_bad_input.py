"""Bad input gets exit code 2, a clear one-line message, and writes nothing.

Each case runs the real CLI in process on its own database where alice already
owns the example rogue, then reads the rows back through the library.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.characters.support import ROGUE, Cli, assert_one_line_error, example_path, sheet_data

TOO_BIG = json.dumps(sheet_data("Huge", notes="x" * 70_000))


def _bad_sheet(**changes: object) -> str:
    return json.dumps(sheet_data("Newcomer", **changes))


@dataclass(frozen=True)
class Case:
    argv: Callable[[Path], tuple[str, ...]]
    fragments: tuple[str, ...]
    user: str = "alice"
    stdin: str | None = None


def _write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


CASES: dict[str, Case] = {
    "invalid JSON": Case(
        lambda _: ("sheet", "create", "--json", '{"name": "X",\n "class": }'),
        ("invalid JSON at line 2, column 11",),
    ),
    "invalid JSON in a file": Case(
        lambda d: ("sheet", "create", "--file", _write(d, "bad.json", '{\n  "name": "X",\n  ,\n}')),
        ("invalid JSON at line 3, column 3",),
    ),
    "ability out of range": Case(
        lambda _: (
            "sheet",
            "create",
            "--json",
            _bad_sheet(abilities={"str": 8, "dex": 31, "con": 10, "int": 10, "wis": 10, "cha": 10}),
        ),
        ("invalid character sheet: abilities.dex: must be 1\u201330, got 31",),
    ),
    "unknown skill": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(skills={"stelth": "proficient"})),
        ("skills: unknown skill 'stelth'", "stealth"),
    ),
    "unknown field": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(colour="red")),
        ("unknown field 'colour'",),
    ),
    "over 64 KiB as --json": Case(
        lambda _: ("sheet", "create", "--json", TOO_BIG),
        ("sheet document is", "the limit is 65,536"),
    ),
    "over 64 KiB in a file": Case(
        lambda d: ("sheet", "create", "--file", _write(d, "huge.json", TOO_BIG)),
        ("the limit is 65,536",),
    ),
    "over 64 KiB on stdin": Case(
        lambda _: ("sheet", "create", "--file", "-"), ("the limit is 65,536",), stdin=TOO_BIG
    ),
    "duplicate name, other case": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("WREN thistlefoot"))),
        ("a character named 'WREN thistlefoot' already exists in this campaign",),
    ),
    "duplicate name of someone else's": Case(
        lambda _: ("sheet", "create", "--file", str(example_path("rogue"))),
        (f"a character named '{ROGUE}' already exists",),
        user="bob",
    ),
    "unknown character to update": Case(
        lambda _: ("sheet", "update", "Nobody", "--json", '{"level": 2}'),
        ("no character named 'Nobody' in this campaign",),
    ),
    "unknown character to delete": Case(
        lambda _: ("sheet", "delete", "Nobody", "--yes"), ("no character named 'Nobody'",)
    ),
    "unknown character to switch to": Case(
        lambda _: ("character", "switch", "Nobody"), ("no character named 'Nobody'",)
    ),
    "unknown character to show": Case(
        lambda _: ("sheet", "show", "Nobody"), ("no character named 'Nobody'",)
    ),
    "unknown character to check": Case(
        lambda _: ("check", "--skill", "stealth", "--character", "Nobody"),
        ("no character named 'Nobody'",),
    ),
    "someone else's character": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", '{"level": 6}'),
        ("belongs to another player",),
        user="bob",
    ),
    "patch breaks the schema": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", '{"level": 21}'),
        ("invalid character sheet: level: must be 1\u201320, got 21",),
    ),
    "patch is invalid JSON": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", '{"level": 6'),
        ("invalid JSON at line 1, column",),
    ),
    "patch is not an object": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", "[6]"),
        ("a sheet patch must be a JSON object",),
    ),
    "no document": Case(
        lambda _: (
            "sheet",
            "create",
        ),
        ("give exactly one of --json TEXT or --file PATH",),
    ),
    "unreadable file": Case(
        lambda d: ("sheet", "create", "--file", str(d / "missing.json")), ("cannot read",)
    ),
    "delete without --yes": Case(
        lambda _: ("sheet", "delete", ROGUE), ("cannot be undone: add --yes",)
    ),
    # Look-alike and invisible names: one normalised key, or refused.
    "duplicate name, fullwidth letters": Case(
        lambda _: (
            "sheet",
            "create",
            "--json",
            json.dumps(sheet_data("\uff37\uff52\uff45\uff4e Thistlefoot")),
        ),
        ("already exists in this campaign",),
    ),
    "trailing zero-width space": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("Wren\u200b"))),
        ("name: must not contain control, format or invisible characters (found U+200B)",),
    ),
    "bidi override in a name": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("Wren\u202eeoF"))),
        ("name: contains control or unencodable characters (U+202E)",),
    ),
    "invisible-only name": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("\u3164\u3164"))),
        ("name: must contain a visible character",),
    ),
    "terminal escape in a name": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("X\x1b]0;pwned\x07"))),
        ("name: contains control or unencodable characters (U+001B, U+0007)",),
    ),
    "name whose folded key outgrows its column": Case(
        lambda _: ("sheet", "create", "--json", json.dumps(sheet_data("\u00df" * 60))),
        ("longer than 100 characters once case and width are folded",),
    ),
    # What PostgreSQL would refuse is refused on every backend, before the driver.
    "NUL in the notes": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(notes="a\x00b")),
        ("notes: contains a NUL character",),
    ),
    "NUL in an inventory item": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(inventory=["rope\x00"])),
        ("inventory[0]: contains a NUL character",),
    ),
    "NUL in a key": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(skills={"stealth\x00": True})),
        ("key 'stealth\\x00' contains a NUL character",),
    ),
    "NUL in a patch": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", '{"notes": "\\u0000"}'),
        ("notes: contains a NUL character",),
    ),
    "lone surrogate": Case(
        lambda _: ("sheet", "create", "--json", '{"name": "X", "notes": "\\ud800"}'),
        ("contains control or unencodable characters (U+D800)",),
    ),
    "integer of 5,000 digits": Case(
        lambda _: ("sheet", "create", "--json", '{"name": "X", "level": ' + "9" * 5000 + "}"),
        ("invalid JSON: the number 999999999999… has more than 18 digits",),
    ),
    "integer of 5,000 digits in a patch": Case(
        lambda _: ("sheet", "update", ROGUE, "--json", '{"ac": -' + "1" * 5000 + "}"),
        ("has more than 18 digits",),
    ),
    "integer past 64 bits": Case(
        lambda _: ("sheet", "create", "--json", _bad_sheet(level=2**70)),
        ("has more than 18 digits",),
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_refused_and_writes_nothing(cli: Cli, tmp_path: Path, case: Case) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    before = cli.rows()

    result = cli(*case.argv(tmp_path), user=case.user, input=case.stdin)

    assert_one_line_error(result, *case.fragments)
    assert cli.rows() == before
    assert cli.selections() == []


def test_every_schema_problem_is_listed_and_nothing_is_written(cli: Cli) -> None:
    document = sheet_data(
        "Many Mistakes",
        level=0,
        abilities={"str": 8, "dex": 31, "con": 10, "int": 10, "wis": 10},
        skills={"stelth": "proficient"},
        colour="red",
    )
    result = cli("sheet", "create", "--json", json.dumps(document))

    assert result.exit_code == 2, result.output
    first, *problems = result.stderr.strip().splitlines()
    assert first == "error: invalid character sheet: 5 problems"
    listed = "\n".join(problems)
    for fragment in (
        "level: must be 1\u201320, got 0",
        "abilities.dex: must be 1\u201330, got 31",
        "abilities.cha: missing",
        "unknown skill 'stelth'",
        "unknown field 'colour'",
    ):
        assert fragment in listed
    assert cli.rows() == []


def test_replace_overwrites_your_own_sheet(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    [before] = cli.rows()

    rogue = json.loads(example_path("rogue").read_text(encoding="utf-8"))
    rogue.update(name="wren thistlefoot", level=9, notes="Replaced.")
    replaced = cli("sheet", "create", "--replace", "--json", json.dumps(rogue))
    assert replaced.exit_code == 0, replaced.output
    assert replaced.stdout.strip() == "Saved wren thistlefoot."

    [after] = cli.rows()
    assert after["id"] == before["id"]
    assert after["owner"] == "cli:alice"
    assert after["name"] == "wren thistlefoot"
    assert after["sheet"]["level"] == 9
    assert after["sheet"]["notes"] == "Replaced."
    assert after["updated_at"] > before["updated_at"]
    shown = cli.json("sheet", "show")
    assert shown["derived"]["proficiency_bonus"] == 4
    assert shown["derived"]["skills"]["stealth"]["bonus"] == 4 + 2 * 4


def test_renaming_onto_a_taken_name_is_refused(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    assert cli("sheet", "create", "--file", str(example_path("bard"))).exit_code == 0
    before = cli.rows()

    result = cli("sheet", "update", ROGUE, "--json", '{"name": "YSOLDE  vane"}')

    assert_one_line_error(result, "a character named 'YSOLDE  vane' already exists")
    assert cli.rows() == before
    renamed = cli("sheet", "update", ROGUE, "--json", '{"name": "Wren the Quiet"}')
    assert renamed.exit_code == 0, renamed.output
    assert [row["name"] for row in cli.rows()] == ["Wren the Quiet", "Ysolde Vane"]
    assert_one_line_error(cli("sheet", "show", ROGUE), f"no character named '{ROGUE}'")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Zo\u00eb", "Zoe\u0308"),  # NFC, then NFD
        ("Zoe\u0308", "ZO\u00cb"),  # NFD, then NFC in capitals
        ("\ufb01nn", "Finn"),  # a ligature folds to its letters
    ],
)
def test_look_alike_names_are_one_name(cli: Cli, first: str, second: str) -> None:
    assert cli("sheet", "create", "--json", json.dumps(sheet_data(first))).exit_code == 0
    result = cli("sheet", "create", "--json", json.dumps(sheet_data(second)))
    assert_one_line_error(result, "already exists in this campaign")
    assert [row["name"] for row in cli.rows()] == [first]
    assert cli.json("sheet", "show", second)["name"] == first
