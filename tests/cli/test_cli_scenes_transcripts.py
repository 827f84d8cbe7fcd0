"""Scenes and the transcript as a table reads them (issue 15), through the CLI in process.

- transcript lines name the character (else the player), not ``player``;
- ``adv scene new`` moves the campaign's CLI players into a new scene (stored in
  the database: another player follows), ``adv scene list`` marks it;
- ``adv transcript export`` writes Markdown (a heading per scene) or JSON Lines.

Each test runs on SQLite and on Postgres (``migrated_url``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.support import adv_app


@pytest.fixture
def adv(migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    app = adv_app()

    def run(*args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.stderr
        return result

    return run


def _sheet(name: str) -> str:
    abilities = {"str": 10, "dex": 14, "con": 10, "int": 10, "wis": 10, "cha": 10}
    return json.dumps({"name": name, "class": "Rogue", "level": 1, "abilities": abilities})


def test_transcript_lines_name_the_character_or_the_player(adv: Any) -> None:
    adv("--user", "alice", "sheet", "create", "--json", _sheet("Wren_Thistle *foot*"))
    adv("--user", "alice", "do", "I look around the tavern")
    adv("--user", "bob", "sheet", "create", "--json", _sheet("Gone"))
    adv("--user", "bob", "do", "I order an ale")
    adv("--user", "bob", "sheet", "delete", "Gone", "--yes")  # no character: the player's name

    shown = adv("transcript", "show").stdout
    assert "] Wren_Thistle *foot*: I look around the tavern" in shown
    assert "] bob: I order an ale" in shown
    assert "player:" not in shown

    entries = json.loads(adv("transcript", "show", "--json").stdout)["entries"]
    assert [e["speaker"] for e in entries if e["role"] == "player"] == [
        "Wren_Thistle *foot*",
        "bob",
    ]


def test_scene_new_moves_the_table_and_scene_list_marks_it(adv: Any) -> None:
    assert adv("scene", "list").stdout.strip() == "* default: nothing has happened yet"
    adv("--user", "alice", "sheet", "create", "--json", _sheet("Ash"))
    adv("--user", "bob", "sheet", "create", "--json", _sheet("Brin"))
    adv("--user", "alice", "do", "I wait in the tavern")

    started = adv("--user", "alice", "scene", "new", "The Docks")
    assert started.stdout.strip() == "Scene 'The Docks' started: the campaign plays here now."
    adv("--user", "bob", "do", "I watch the ships")  # bob follows the table

    shown = adv("--user", "alice", "transcript", "show").stdout
    assert "I watch the ships" in shown
    assert "I wait in the tavern" not in shown

    listed = adv("scene", "list").stdout.splitlines()
    assert [line[:2] for line in listed] == ["  ", "* "]
    assert listed[0].startswith("  default: 2 lines, since ")  # no check: said and narrated
    assert listed[1].startswith("* The Docks: ")

    numbered = json.loads(adv("scene", "new", "--json").stdout)
    assert numbered == {"scene": "scene 3", "current": True}
    scenes = json.loads(adv("scene", "list", "--json").stdout)["scenes"]
    assert [(s["name"], s["current"]) for s in scenes] == [
        ("default", False),
        ("The Docks", False),
        ("scene 3", True),
    ]
    assert [s["lines"] for s in scenes][::2] == [2, 0]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("The Docks", "error: this campaign has a scene called 'The Docks' already"),
        ("discord:channel:1", "error: a scene name cannot start with 'discord:'"),
        ("x" * 81, "error: a scene name is 1-80 characters, got 81"),
    ],
)
def test_scene_new_refuses_a_taken_or_unusable_name(adv: Any, name: str, error: str) -> None:
    adv("scene", "new", "The Docks")
    refused = adv("scene", "new", name, code=2)
    assert refused.stderr.strip() == error
    assert len(json.loads(adv("scene", "list", "--json").stdout)["scenes"]) == 1


def test_transcript_export_markdown_and_jsonl(adv: Any, tmp_path: Path) -> None:
    adv("sheet", "create", "--json", _sheet("Pip"))
    adv("do", "I look around")
    adv("scene", "new", "Docks")
    adv("do", "I *sneak* past")

    markdown = adv("transcript", "export").stdout
    lines = markdown.splitlines()
    assert lines[0] == "# Transcript: default"
    assert lines.index("## Scene: default") < lines.index("## Scene: Docks")
    assert any(line.endswith(" **Pip**: I \\*sneak\\* past") for line in lines)
    assert sum(line.startswith("- ") for line in lines) == 6

    target = tmp_path / "log.jsonl"
    written = adv("transcript", "export", "--format", "jsonl", "--output", str(target))
    assert written.stdout.strip() == f"Wrote 6 transcript lines to {target}."
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [row["scene"] for row in rows] == ["default"] * 3 + ["Docks"] * 3
    assert rows[3]["role"] == "player"
    assert rows[3]["speaker"] == "Pip"
    assert rows[3]["content"] == "I *sneak* past"
    assert set(rows[0]) >= {"id", "created_at", "player_id", "character_id"}
    assert list(tmp_path.glob(".log.jsonl.*")) == []  # no temporary file left beside it

    bad = adv("transcript", "export", "--format", "csv", code=2)
    assert bad.stderr.strip() == "error: --format must be md or jsonl, got 'csv'"
    missing = adv("transcript", "export", "--output", str(tmp_path / "no" / "x.md"), code=2)
    assert missing.stderr.startswith(f"error: cannot write {tmp_path / 'no' / 'x.md'}: ")
