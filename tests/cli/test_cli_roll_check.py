"""`adv roll` and `adv check` in manual mode, through the runner and as processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adventorator.cli._app import build_app

ADV = Path(sys.executable).parent / "adv"


@pytest.fixture
def run(isolated_env: Path) -> Any:
    runner = CliRunner()
    app = build_app()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return invoke


def test_roll_json_lists_every_die(run: Any) -> None:
    result = run("roll", "4d6kh3", "--seed", "7", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["expression"] == "4d6kh3"
    assert len(data["dice"]) == 4
    kept = [d["value"] for d in data["dice"] if d["kept"]]
    assert len(kept) == 3
    assert data["total"] == sum(kept)
    assert data["text"].endswith(f"= {data['total']}")


def test_roll_seed_is_repeatable_and_times_rolls_again(run: Any) -> None:
    first = json.loads(run("roll", "1d20", "--seed", "3", "--times", "5", "--json").stdout)
    second = json.loads(run("roll", "1d20", "--seed", "3", "--times", "5", "--json").stdout)
    assert first == second
    assert first["times"] == 5
    assert first["totals"] == [roll["total"] for roll in first["rolls"]]


def test_roll_advantage_rewrites_the_d20(run: Any) -> None:
    data = json.loads(run("roll", "1d20+2", "--adv", "--seed", "1", "--json").stdout)
    assert data["expression"].startswith("2d20kh1")
    faces = [d["value"] for d in data["dice"]]
    assert data["total"] == max(faces) + 2


def test_roll_stats_sums_to_one(run: Any) -> None:
    data = json.loads(run("roll", "2d6", "--stats", "--json").stdout)
    assert (data["min"], data["max"]) == (2, 12)
    assert data["mean"] == pytest.approx(7)
    assert sum(data["pmf"].values()) == pytest.approx(1)
    assert data["p_at_least"]["12"] == pytest.approx(1 / 36)


def test_roll_stats_refuses_explosions(run: Any) -> None:
    result = run("roll", "1d6e6", "--stats")
    assert result.exit_code == 2
    assert "error:" in result.stderr


def test_syntax_error_shows_a_caret_and_exits_2(isolated_env: Path) -> None:
    done = subprocess.run(
        [str(ADV), "roll", "4d6kx3"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    expression_line = next(line for line in lines if "4d6kx3" in line)
    caret_line = lines[lines.index(expression_line) + 1]
    assert caret_line.index("^") == expression_line.index("x")


def test_manual_check_json(run: Any) -> None:
    result = run(
        "check",
        "--skill",
        "stealth",
        "--score",
        "16",
        "--level",
        "5",
        "--expertise",
        "--dc",
        "15",
        "--seed",
        "2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    sources = {item["source"]: item["value"] for item in data["breakdown"]}
    assert sources == {"DEX modifier": 3, "proficiency (expertise)": 6}
    assert data["modifier"] == 9
    assert data["total"] == data["kept"] + 9
    assert data["success"] == (data["total"] >= 15)
    assert data["dc"] == 15
    assert data["d20"] == [data["natural"]]


def test_check_odds(run: Any) -> None:
    result = run("check", "--ability", "dex", "--score", "16", "--dc", "15", "--odds", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["odds"] == pytest.approx(9 / 20)
    assert (
        "Chance to meet DC 15: 45.0%"
        in run("check", "--ability", "dex", "--score", "16", "--dc", "15", "--odds").stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--skill", "stelth", "--score", "10"], "stelth"),
        (["--score", "10"], "--ability, --skill or --save"),
        (["--skill", "stealth", "--save", "dex", "--score", "10"], "cannot be combined"),
        (["--ability", "dex", "--score", "10", "--odds"], "--odds needs a --dc"),
        (["--ability", "dex", "--score", "31"], "--score"),
    ],
)
def test_check_bad_input_exits_2(run: Any, args: list[str], message: str) -> None:
    result = run("check", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_roll_runs_without_an_event_loop_or_heavy_imports(isolated_env: Path) -> None:
    """`adv roll` is pure: no asyncio, no database, no settings (start-up speed)."""
    script = (
        "import sys\n"
        "from adventorator.cli import main\n"
        "sys.argv = ['adv', 'roll', '2d20kh1', '--seed', '1']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "heavy = {'asyncio', 'sqlalchemy', 'pydantic_settings', 'pydantic', 'litellm', 'fastapi'}\n"
        "print(sorted(loaded & heavy), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("2d20kh1 (")
    assert done.stderr.strip().splitlines()[-1] == "[]"
