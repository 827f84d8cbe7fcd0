"""`adv roll` and `adv check` print one roll notation; `--adv`/`--dis` say what they roll."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.support import adv_app


@pytest.fixture
def run(isolated_env: Path) -> Any:
    runner = CliRunner()
    app = adv_app()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, list(args))

    return invoke


def test_roll_marks_dropped_dice(run: Any) -> None:
    result = run("roll", "4d6kh3", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "4d6kh3 (2, 5, ~1~, 3) = 10"


def test_roll_and_check_show_a_reroll_the_same_way(run: Any) -> None:
    for seed in range(200):
        args = ("check", "--save", "wis", "--score", "10", "--bonus", "1d6ro1", "--seed", str(seed))
        data = json.loads(run(*args, "--json").stdout)
        dice = data["bonus_dice"][0]["roll"]["dice"]
        if dice[0]["rerolled"]:
            break
    else:
        pytest.fail("no reroll in 200 seeds")
    line = f"+ 1d6ro1 (~1~ -> {dice[1]['value']}) [bonus]"
    assert line in run(*args).stdout
    rolled = run("roll", "1d6ro1", "--seed", "0").stdout.strip()
    assert re.fullmatch(r"1d6ro1 \((~1~ -> )?\d\) = \d", rolled), rolled


def test_check_shows_bonus_dice_faces(run: Any) -> None:
    result = run("check", "--skill", "stealth", "--score", "14", "--bonus", "1d4", "--seed", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(
        run(
            "check", "--skill", "stealth", "--score", "14", "--bonus", "1d4", "--seed", "2",
            "--json",
        ).stdout
    )  # fmt: skip
    face = data["bonus_dice"][0]["roll"]["dice"][0]["value"]
    assert f"+ 1d4 ({face}) [bonus] = {data['total']}" in result.stdout


def test_roll_flags_a_natural_20(run: Any) -> None:
    for seed in range(200):
        data = json.loads(run("roll", "1d20+5", "--seed", str(seed), "--json").stdout)
        if data["crit"] == "crit":
            break
    else:
        pytest.fail("no natural 20 in 200 seeds")
    assert data["text"].endswith("= 25 (natural 20)")
    assert run("roll", "1d20+5", "--seed", str(seed)).stdout.strip() == data["text"]


@pytest.mark.parametrize(("flag", "header"), [("--adv", "2d20kh1 + 5"), ("--dis", "2d20kl1 + 5")])
def test_stats_header_names_what_is_rolled(run: Any, flag: str, header: str) -> None:
    result = run("roll", "1d20+5", flag, "--stats")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{header}: min 6, max 25, ")
    data = json.loads(run("roll", "1d20+5", flag, "--stats", "--json").stdout)
    assert data["expression"] == header


def test_advantage_rerolls_before_it_keeps(run: Any) -> None:
    """Halfling Lucky's order, as checks roll it: each 1 rerolled, then the better die."""
    stats = json.loads(run("roll", "1d20ro1", "--adv", "--stats", "--json").stdout)
    assert stats["expression"] == "2d20ro1kh1"
    # Rerolling after the keep would make a final 1 rarer: (1/20)^2 * (1/20), not this.
    assert stats["pmf"]["1"] == pytest.approx((1 / 20 * 1 / 20) ** 2)
    rolled = json.loads(run("roll", "1d20ro1", "--adv", "--seed", "4", "--json").stdout)
    assert rolled["expression"] == "2d20ro1kh1"


@pytest.mark.parametrize("flag", ["--adv", "--dis"])
@pytest.mark.parametrize("extra", [(), ("--stats",)])
def test_advantage_without_a_leading_d20_is_an_error(
    run: Any, flag: str, extra: tuple[str, ...]
) -> None:
    result = run("roll", "2d6+1", flag, *extra)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: {flag} does nothing on 2d6 + 1: it applies to a leading 1d20 (e.g. 1d20+5)"
    )
