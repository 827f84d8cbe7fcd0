"""``roll``: evaluate dice notation, or show its exact distribution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.rules import dice

MAX_TIMES = 100


@dataclass(frozen=True)
class RollOptions:
    expr: str = option("Dice expression, e.g. 2d20kh1+5 or 4d6kh3.", positional=True)
    advantage: bool = option(
        "Roll the leading d20 with advantage.", default=False, cli_flags=("--adv",)
    )
    disadvantage: bool = option(
        "Roll the leading d20 with disadvantage.", default=False, cli_flags=("--dis",)
    )
    times: int = option(
        "Roll the expression this many times.", default=1, min=1, max=MAX_TIMES, discord=False
    )
    stats: bool = option(
        "Show the exact distribution instead of rolling.", default=False, discord=False
    )


def advantage_from_flags(adv: bool, dis: bool) -> dice.Advantage:
    """Advantage and disadvantage together cancel, as in the SRD."""
    if adv and not dis:
        return dice.Advantage.ADVANTAGE
    if dis and not adv:
        return dice.Advantage.DISADVANTAGE
    return dice.Advantage.NONE


async def roll(invocation: Invocation, options: RollOptions) -> Reply:
    """Roll ``options.expr`` with the invocation's random generator."""
    advantage = advantage_from_flags(options.advantage, options.disadvantage)
    if options.stats:
        return _stats_reply(options.expr, advantage)
    if not 1 <= options.times <= MAX_TIMES:
        raise InputError(f"--times must be between 1 and {MAX_TIMES}, got {options.times}")
    results = [
        dice.roll(options.expr, rng=invocation.rng, advantage=advantage)
        for _ in range(options.times)
    ]
    if len(results) == 1:
        return _single_reply(results[0])
    return Reply(
        text="\n".join(dice.render_text(result) for result in results),
        markdown="\n".join(dice.render_markdown(result) for result in results),
        rich=lambda: _rich_lines(results),
        data={
            "expression": results[0].expression,
            "times": len(results),
            "totals": [result.total for result in results],
            "rolls": [dice.result_to_json(result) for result in results],
        },
    )


def _single_reply(result: dice.RollResult) -> Reply:
    return Reply(
        text=dice.render_text(result),
        markdown=dice.render_markdown(result),
        rich=lambda: dice.render_rich(result),
        data=dice.result_to_json(result),
    )


def _rich_lines(results: list[dice.RollResult]) -> Any:
    from rich.console import Group

    return Group(*(dice.render_rich(result) for result in results))


def _stats_reply(expression: str, advantage: dice.Advantage) -> Reply:
    dist = dice.distribution(expression, advantage=advantage)
    chart = dice.render_distribution(dist)
    summary = (
        f"{expression}: min {dist.min}, max {dist.max}, "
        f"mean {dist.mean:.3f}, stdev {dist.stdev:.3f}"
    )
    return Reply(
        text=f"{summary}\n{chart}",
        data={
            "expression": expression,
            "min": dist.min,
            "max": dist.max,
            "mean": dist.mean,
            "stdev": dist.stdev,
            "pmf": {str(total): float(p) for total, p in sorted(dist.pmf.items())},
            "p_at_least": {str(total): float(dist.p_at_least(total)) for total in sorted(dist.pmf)},
        },
    )


SPEC = CommandSpec(
    path=("roll",),
    help="Roll dice: `adv roll 2d20kh1+5`, `adv roll 4d6kh3 --times 6`, `adv roll 8d6 --stats`.",
    options=RollOptions,
    handler=roll,
    uses_rng=True,
    pure=True,
)
