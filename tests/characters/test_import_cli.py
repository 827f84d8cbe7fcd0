"""`adv sheet import` through the CLI runner, on each backend: written, dry run, --json, errors."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from adventorator.errors import InputError
from adventorator.sheet import import_sheet
from tests.characters.support import Cli, assert_one_line_error
from tests.characters.test_import_ddb import fighter_rogue, halfling_rogue, lore_bard
from tests.characters.test_import_foundry import foundry_bard, foundry_rogue_fighter


def write(tmp_path: Path, name: str, document: Any) -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    return str(path)


def test_import_writes_the_sheet_and_prints_the_report(cli: Cli, tmp_path: Path) -> None:
    result = cli("sheet", "import", "--file", write(tmp_path, "pip.json", halfling_rogue()))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Imported Pip Underbough from D&D Beyond.",
        "Mapped:",
        "  class Rogue 11 (Thief)",
    ]
    assert (
        "  features the rules apply: Sneak Attack (6d6), Reliable Talent, Halfling Lucky" in lines
    )
    assert "Not mapped (fix by hand with sheet update):" in lines
    (row,) = cli.rows()
    assert row["name"] == "Pip Underbough"
    assert row["sheet"]["level"] == 11
    assert row["sheet"]["hp"] == {"max": 104, "current": 94, "temp": 5}
    check = cli.json("sheet", "show", "Pip Underbough")
    assert check["derived"]["skills"]["stealth"]["bonus"] == 12
    again = cli("sheet", "import", "--file", write(tmp_path, "pip.json", halfling_rogue()))
    assert again.exit_code != 0
    assert len(cli.rows()) == 1
    replaced = cli("sheet", "import", "--replace", "--file", str(tmp_path / "pip.json"))
    assert replaced.exit_code == 0, replaced.output


def test_dry_run_writes_nothing_and_json_carries_sheet_and_report(cli: Cli) -> None:
    document = json.dumps(foundry_bard())
    shown = cli("sheet", "import", "--file", "-", "--dry-run", input=document)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith(
        "Dry run: Lark Emberly read from Foundry VTT (dnd5e); nothing was written.\n"
        "Lark Emberly: level 5 Bard (College of Lore)\n"
    )
    data = cli.json("sheet", "import", "--file", "-", "--dry-run", input=document)
    assert (data["format"], data["written"]) == ("foundry", False)
    assert data["sheet"]["skills"]["perception"] == "expertise"
    assert data["report"]["source"] == "Foundry VTT (dnd5e)"
    assert "items of type 'facility': ignored" in data["report"]["not_mapped"]
    assert cli.rows() == []
    written = cli.json("sheet", "import", "--text", json.dumps(lore_bard()))
    assert written["written"] is True
    assert written["sheet"]["derived"]["skills"]["stealth"]["proficiency"] == "half"
    assert [row["name"] for row in cli.rows()] == ["Ysolde Vane"]


def test_multiclass_imports_from_both_formats(cli: Cli, tmp_path: Path) -> None:
    for name, document in (("ddb", fighter_rogue()), ("foundry", foundry_rogue_fighter())):
        result = cli("sheet", "import", "--format", name, "--file", write(tmp_path, name, document))
        assert result.exit_code == 0, result.output
    levels = {row["name"]: (row["sheet"]["class"], row["sheet"]["level"]) for row in cli.rows()}
    assert levels == {"Brannoc Ashvale": ("Fighter", 8), "Tobin Greenbottle": ("Rogue", 12)}


def _truncated() -> str:
    text = json.dumps(halfling_rogue())
    return text[: len(text) // 2]


def _too_strong() -> dict[str, Any]:
    document = halfling_rogue()
    document["data"]["overrideStats"][1]["value"] = 31
    return document


BAD = [
    ("{", ("invalid JSON at line 1, column 2", "truncated")),
    (_truncated(), ("invalid JSON", "(the document looks truncated)")),
    ("", ("the document is empty",)),
    ('{"hello": 1}', ("unrecognised document",)),
    ("[1, 2]", ("unrecognised document",)),
    ('{"type": "character", "system": {}, "items": []}', ("unrecognised document",)),
    (
        {"success": False, "message": "Unauthorized Access Attempt.", "data": None},
        ("D&D Beyond did not return the character: Unauthorized Access Attempt.",),
    ),
    ({**foundry_bard(), "type": "npc"}, ("of type 'npc': only characters import",)),
    (_too_strong(), ("abilities.dex", "30")),
    ('{"stats": [], "classes": [], "name": NaN}', ("invalid JSON", "NaN")),
]


@pytest.mark.parametrize(("document", "fragments"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_documents_are_one_error_line_and_write_nothing(
    cli: Cli, tmp_path: Path, document: Any, fragments: tuple[str, ...]
) -> None:
    result = cli("sheet", "import", "--file", write(tmp_path, "bad.json", document))
    assert_one_line_error(result, *fragments)
    assert cli.rows() == []


def test_a_real_export_past_a_sheets_64_kib_imports(cli: Cli, tmp_path: Path) -> None:
    """D&D Beyond documents are often a few hundred KiB: the import reads up to 2 MiB."""
    document = halfling_rogue()
    body = document.get("data", document)
    body["decorations"] = {"backdropAvatarUrl": "x" * 300_000}  # unknown: ignored
    result = cli("sheet", "import", "--file", write(tmp_path, "big-pip.json", document))
    assert result.exit_code == 0, result.output
    assert [row["name"] for row in cli.rows()] == ["Pip Underbough"]


def test_oversized_unknown_format_and_no_document(cli: Cli, tmp_path: Path) -> None:
    big = write(tmp_path, "big.json", " " * 2_100_000)
    assert_one_line_error(cli("sheet", "import", "--file", big), "the limit is 2,097,152")
    ddb = write(tmp_path, "pip.json", halfling_rogue())
    assert_one_line_error(
        cli("sheet", "import", "--format", "pdf", "--file", ddb),
        "unknown format 'pdf' (valid: auto, ddb, foundry)",
    )
    assert_one_line_error(cli("sheet", "import"), "--file PATH")
    assert cli.rows() == []


def _mutate(document: Any, rng: random.Random) -> None:
    """Replace or delete one value somewhere in ``document``, in place."""
    junk: list[Any] = [None, "", "x\x1b[31m", 1.5, -7, 10**30, True, [], {}, [None, 3], {"a": {}}]
    node = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = rng.choice(keys)
        child = node[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.75:
            node = child
            continue
        if isinstance(node, dict) and rng.random() < 0.3:
            del node[key]
        else:
            node[key] = rng.choice(junk)
        return


@pytest.mark.parametrize(
    "build", [halfling_rogue, lore_bard, fighter_rogue, foundry_bard, foundry_rogue_fighter]
)
def test_unknown_structure_never_crashes(build: Any) -> None:
    rng = random.Random(18)
    for _ in range(300):
        document = build()
        for _ in range(rng.randint(1, 10)):
            _mutate(document, rng)
        message = ""
        try:
            import_sheet(json.dumps(document))
        except InputError as error:  # a clear error is fine; anything else fails the test
            message = str(error)
        # ... but not the safety net's: that one means a shape the importer mishandled
        assert not message.startswith("cannot read this"), (message, document)


def test_the_readme_shows_what_import_prints(cli: Cli, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    start = "$ adv sheet import pip-ddb.json\n"
    shown = readme[readme.index(start) + len(start) :].split("\n$ ")[0]
    result = cli("sheet", "import", write(tmp_path, "pip-ddb.json", halfling_rogue()))
    assert result.exit_code == 0, result.output
    assert result.stdout == shown + "\n"
