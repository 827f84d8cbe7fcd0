"""`adv roll` and `adv check` in manual mode, through the runner and as processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from adventorator.limits import (
    REPLY_CHART_ROWS,
    REPLY_DICE_ROLLED,
    REPLY_DICE_SHOWN,
    REPLY_PMF_ENTRIES,
    REPLY_TEXT_CHARS,
)
from tests.processes import ADV
from tests.support import adv_app


@pytest.fixture
def run(isolated_env: Path) -> Any:
    runner = CliRunner()
    app = adv_app()

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


# -- the work budget and the size of one reply (issue 12) -------------------------------
_HUGE = "9" * 308  # about 1e308


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("1d10000*1d74", "error: Exact odds of '1d10000 * 1d74' are too large to compute"),
        ("1d10000*1d50", "(more than 20,000 possible values)"),
        ("100d100", "(more than 1,500,000 work units)"),
        (f"1d2*{_HUGE}", "beyond ±1,000,000,000,000,000"),
        (f"(0 - 1d2) * {_HUGE}", "beyond ±1,000,000,000,000,000"),
    ],
)
def test_roll_stats_past_the_budget_is_one_error_line(
    run: Any, expression: str, message: str
) -> None:
    for args in (("--stats",), ("--stats", "--json")):
        result = run("roll", expression, *args)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


def test_roll_stats_of_many_totals_is_grouped(run: Any) -> None:
    result = run("roll", "1d10000*1d2", "--stats", "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout) < 120_000
    data = json.loads(result.stdout)
    assert data["outcomes"] == 15_000
    assert len(data["pmf"]) <= REPLY_PMF_ENTRIES
    assert data["bucket_width"] == 20  # 1..20000 in at most 1,000 ranges
    assert next(iter(data["pmf"])) == "1..20"
    assert sum(data["pmf"].values()) == pytest.approx(1)
    chart = run("roll", "1d10000*1d2", "--stats").stdout.splitlines()
    assert len(chart) <= 1 + 1 + REPLY_CHART_ROWS + 1


def test_roll_stats_of_few_totals_lists_each(run: Any) -> None:
    data = json.loads(run("roll", "3d6", "--stats", "--json").stdout)
    assert (data["outcomes"], data["bucket_width"]) == (16, 1)
    assert list(data["pmf"]) == [str(total) for total in range(3, 19)]


def test_check_odds_past_the_budget_is_one_error_line(run: Any) -> None:
    base = ["check", "--ability", "str", "--score", "10", "--dc", "15", "--odds"]
    for bonus in ("1d10000*1d74", "1d10000+1d100", f"1d2*{_HUGE}"):
        result = run(*base, "--bonus", bonus)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: Exact odds")
        assert result.stderr.count("\n") == 1
    result = run(*base, "--bonus", "1d10000", "--json")
    assert result.exit_code == 0, result.output
    assert 0 < json.loads(result.stdout)["odds"] < 1


_LONG = "+".join(["1d20"] * 200)  # 999 characters, 200 dice


@pytest.mark.parametrize(
    ("expression", "times", "message"),
    [
        (_LONG, "100", "error: Too many dice for one reply: 200 dice x 100 times is 20,000"),
        ("1000d6", "11", "error: Too many dice for one reply: 1,000 dice x 11 times is 11,000"),
        ("1d20 [" + "x" * 990 + "]", "100", "error: Too long for one reply"),
        ("+".join(["7777"] * 150), "30", "error: Too long for one reply"),
    ],
)
def test_roll_times_too_big_for_one_reply_is_refused(
    run: Any, expression: str, times: str, message: str
) -> None:
    for extra in ((), ("--json",)):
        result = run("roll", expression, "--times", times, *extra)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith(message)


def test_roll_times_shows_at_most_the_reply_dice_and_says_how_many_more(run: Any) -> None:
    result = run("roll", "150d6", "--times", "60", "--seed", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 61
    assert lines[-1] == f"… 8,800 more dice not shown (at most {REPLY_DICE_SHOWN} per reply)"
    assert lines[2].startswith("150d6 (… 150 more dice) = ")
    assert len(result.stdout) < REPLY_TEXT_CHARS


def test_roll_times_json_lists_at_most_the_reply_dice(run: Any) -> None:
    result = run("roll", "150d6", "--times", "60", "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    assert len(result.stdout) < 100_000
    data = json.loads(result.stdout)
    assert sum(len(r["dice"]) for r in data["rolls"]) == REPLY_DICE_SHOWN
    assert sum(len(r["dice"]) + r["dice_omitted"] for r in data["rolls"]) == 150 * 60
    assert data["totals"] == [r["total"] for r in data["rolls"]]


def test_roll_times_bounds_explosions_across_the_reply(isolated_env: Path) -> None:
    """Each of the rolls gets an equal share of REPLY_DICE_ROLLED, explosions included."""
    import asyncio

    from adventorator.commands import Invocation
    from adventorator.commands.roll import RollOptions, roll
    from adventorator.context import AppContext
    from adventorator.rules.dice import DiceLimitError
    from tests.rules.strategies import CountingRandom

    for expression in ("50d6e6", "90d6e6", "100d6e>1", "10d6e>1"):
        rng = CountingRandom(3)
        invocation = Invocation(app=AppContext(), rng=rng)
        message = ""
        try:
            asyncio.run(roll(invocation, RollOptions(expr=expression, times=100)))
        except DiceLimitError as error:
            message = str(error)
        assert message == "" or "Too many dice" in message
        assert rng.calls <= REPLY_DICE_ROLLED
