"""Names people type: a unique case-insensitive prefix names a character, an exact name wins.

Every command that takes a character name resolves it through the one
look-up (``services.characters.find_named``); unknown or ambiguous names list
the candidates. On each backend, through the CLI runner.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.characters.support import ROGUE, Cli, assert_one_line_error, example_path, sheet_data
from tests.characters.test_import_ddb import halfling_rogue


def create(cli: Cli, name: str, *, user: str = "alice") -> None:
    result = cli("sheet", "create", "--json", json.dumps(sheet_data(name)), user=user)
    assert result.exit_code == 0, result.output


def test_a_prefix_names_the_character_in_any_case(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    create(cli, "Ysolde")
    assert cli.json("sheet", "show", "wren")["name"] == ROGUE
    assert cli.json("sheet", "show", "WREN THISTLE")["name"] == ROGUE
    updated = cli("sheet", "update", "wren", "--json", '{"level": 4}')
    assert updated.stdout.strip() == f"Updated {ROGUE}.", updated.output
    switched = cli("character", "switch", "wr")
    assert switched.stdout.strip() == f"You are now playing {ROGUE}.", switched.output
    assert cli.json("character", "current")["level"] == 4
    deleted = cli("sheet", "delete", "wREN", "--yes")
    assert deleted.stdout.strip() == f"Deleted {ROGUE}.", deleted.output
    assert [row["name"] for row in cli.rows()] == ["Ysolde"]


def test_an_exact_name_beats_a_longer_one_it_begins(cli: Cli) -> None:
    create(cli, "Wrenna")
    create(cli, "Wren")
    assert cli.json("sheet", "show", "wren")["name"] == "Wren"
    assert cli.json("sheet", "show", "wrenn")["name"] == "Wrenna"
    assert cli("sheet", "update", "WREN", "--json", '{"level": 3}').exit_code == 0
    levels = {row["name"]: row["sheet"]["level"] for row in cli.rows()}
    assert levels == {"Wren": 3, "Wrenna": 1}


def test_an_ambiguous_prefix_lists_the_candidates_and_changes_nothing(cli: Cli) -> None:
    create(cli, "Wrenna")
    create(cli, "Wren")
    before = cli.rows()
    for command in (
        ("sheet", "show", "wr"),
        ("sheet", "update", "wr", "--json", '{"level": 3}'),
        ("sheet", "delete", "wr", "--yes"),
        ("character", "switch", "wr"),
    ):
        assert_one_line_error(
            cli(*command), "'wr' matches several characters (Wren, Wrenna): type more"
        )
    assert cli.rows() == before


def test_an_unknown_name_lists_the_characters(cli: Cli) -> None:
    create(cli, "Wren")
    create(cli, "Ysolde")
    for command in (
        ("sheet", "show", "Zed"),
        ("sheet", "update", "Zed", "--json", '{"level": 3}'),
        ("sheet", "delete", "Zed"),
        ("character", "switch", "Zed"),
    ):
        assert_one_line_error(
            cli(*command), "no character named 'Zed' in this campaign (characters: Wren, Ysolde)"
        )


def test_delete_without_yes_names_the_resolved_sheet_and_keeps_it(cli: Cli) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    refused = cli("sheet", "delete", "wren")
    assert_one_line_error(refused, f"deleting '{ROGUE}' cannot be undone: add --yes to confirm")
    assert [row["name"] for row in cli.rows()] == [ROGUE]
    # Another player's sheet is refused before any question.
    assert_one_line_error(cli("sheet", "delete", "wren", user="bob"), "belongs to another player")


def test_import_takes_the_document_as_a_positional_file_or_stdin(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "pip.json"
    path.write_text(json.dumps(halfling_rogue()), encoding="utf-8")
    dry = cli.json("sheet", "import", str(path), "--dry-run")
    assert dry["written"] is False
    piped = cli("sheet", "import", "-", input=path.read_text(encoding="utf-8"))
    assert piped.exit_code == 0, piped.output
    assert piped.stdout.startswith("Imported "), piped.stdout
    assert len(cli.rows()) == 1
    assert_one_line_error(
        cli("sheet", "import", str(path), "--file", str(path)), "give the document once"
    )
    assert_one_line_error(
        cli("sheet", "import", str(tmp_path / "missing.json")), "cannot read", "missing.json"
    )


def test_on_a_terminal_delete_asks_naming_the_resolved_sheet(cli: Cli, migrated_url: str) -> None:
    import os
    import pty
    import subprocess
    import sys

    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    main, child = pty.openpty()
    env = {**os.environ, "DATABASE_URL": migrated_url, "ADVENTORATOR_USER": "alice"}
    adv = str(Path(sys.executable).with_name("adv"))
    command = [adv, "sheet", "delete", "wren"]
    process = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    seen = b""
    while b"[y/N]" not in seen:
        chunk = os.read(main, 1024)
        assert chunk, seen
        seen += chunk
    os.write(main, b"n\n")
    assert process.wait(timeout=60) == 1
    os.close(main)
    assert f"Delete {ROGUE} (level 5 Rogue)? It cannot be undone. [y/N]".encode() in seen
    assert [row["name"] for row in cli.rows()] == [ROGUE]
