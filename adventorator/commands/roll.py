"""``roll``: evaluate dice notation, or show its exact distribution."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.limits import (
    REPLY_CHART_ROWS,
    REPLY_DICE_ROLLED,
    REPLY_DICE_SHOWN,
    REPLY_PMF_ENTRIES,
    REPLY_TEXT_CHARS,
)
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
    if options.advantage or options.disadvantage:
        _refuse_idle_advantage(invocation, options)
    if options.stats:
        return _stats_reply(options.expr, advantage)
    if not 1 <= options.times <= MAX_TIMES:
        times = invocation.syntax.name("times", command="roll")
        raise InputError(f"{times} must be between 1 and {MAX_TIMES}, got {options.times}")
    tree, limits = _reply_plan(options.expr, options.times)
    results = [
        dice.roll(tree, rng=invocation.rng, advantage=advantage, limits=limits)
        for _ in range(options.times)
    ]
    text_room, markdown_room = dice.Room(), dice.Room()
    texts = [dice.render_text(result, room=text_room) for result in results]
    markdowns = [dice.render_markdown(result, room=markdown_room) for result in results]
    json_room = dice.Room()
    rolls = [
        dice.result_to_json(result, room=json_room, text=text, markdown=markdown)
        for result, text, markdown in zip(results, texts, markdowns, strict=True)
    ]
    hidden = _hidden_line(text_room)
    if len(results) == 1:
        return Reply(
            text=texts[0] + hidden,
            markdown=markdowns[0] + hidden,
            rich=lambda: _rich_lines(results),
            data=rolls[0],
            fit=lambda limit: _fitted_markdown(results, limit),
        )
    return Reply(
        text="\n".join(texts) + hidden,
        markdown="\n".join(markdowns) + hidden,
        rich=lambda: _rich_lines(results),
        fit=lambda limit: _fitted_markdown(results, limit),
        data={
            "expression": results[0].expression,
            "times": len(results),
            "totals": [result.total for result in results],
            "rolls": rolls,
        },
    )


def _refuse_idle_advantage(invocation: Invocation, options: RollOptions) -> None:
    """A flag that would change nothing is an error, not silently ignored."""
    tree = dice.parse(options.expr)
    if dice.applies_advantage(tree):
        return
    flag = "advantage" if options.advantage else "disadvantage"
    raise InputError(
        f"{invocation.syntax.option(flag, command='roll')} does nothing on {tree.text}: "
        "it applies to a leading 1d20 (e.g. 1d20+5)"
    )


def _reply_plan(expression: str, times: int) -> tuple[dice.Expression, dice.Limits]:
    """Parse once, and refuse up front a reply too large to roll or show.

    Every roll of the reply gets an equal share of ``REPLY_DICE_ROLLED``, so
    rerolls and explosions cannot push the whole reply past it either.
    """
    tree = dice.parse(expression)
    rolled = tree.dice_count * times
    if rolled > REPLY_DICE_ROLLED:
        raise dice.DiceLimitError(
            f"Too many dice for one reply: {tree.dice_count:,} dice x {times} times is "
            f"{rolled:,}, at most {REPLY_DICE_ROLLED:,}",
            expression=tree.source,
        )
    shown = len(tree.text) * times
    if shown > REPLY_TEXT_CHARS:
        raise dice.DiceLimitError(
            f"Too long for one reply: the expression as shown ({len(tree.text):,} characters) "
            f"x {times} times is "
            f"{shown:,}, at most {REPLY_TEXT_CHARS:,}",
            expression=tree.source,
        )
    per_roll = min(dice.DEFAULT_LIMITS.max_rolls, REPLY_DICE_ROLLED // times)
    if per_roll == dice.DEFAULT_LIMITS.max_rolls:
        return tree, dice.DEFAULT_LIMITS
    return tree, replace(dice.DEFAULT_LIMITS, max_rolls=per_roll)


def _hidden_line(room: dice.Room) -> str:
    if not room.hidden:
        return ""
    return f"\n… {room.hidden:,} more dice not shown (at most {REPLY_DICE_SHOWN} per reply)"


def _fitted_markdown(results: list[dice.RollResult], limit: int) -> str:
    """The markdown within ``limit`` characters, the total first: a message too long to show.

    The dice get what room is left after the totals (``… N more dice``).
    """
    totals = ", ".join(f"`{result.total}`" for result in results)
    head = f"**{'Total' if len(results) == 1 else 'Totals'}**: {totals}"
    room = dice.Room(dice=REPLY_DICE_SHOWN // 4, chars=max(limit - len(head) - 100, 0))
    lines = [dice.render_markdown(result, room=room) for result in results]
    hidden = f"\n… {room.hidden:,} more dice not shown" if room.hidden else ""
    return "\n".join([head, *lines]) + hidden


def _rich_lines(results: list[dice.RollResult]) -> Any:
    from rich.console import Group
    from rich.text import Text

    room = dice.Room()
    lines = [dice.render_rich(result, room=room) for result in results]
    hidden = _hidden_line(room)
    return Group(*lines, *([Text(hidden.lstrip("\n"))] if hidden else []))


def _stats_reply(expression: str, advantage: dice.Advantage) -> Reply:
    """The exact distribution: all of it, chart and JSON, is paid from the dice work budget."""
    # The header names what is rolled: --adv on 1d20+5 is 2d20kh1 + 5.
    tree = dice.with_advantage(dice.parse(expression), advantage)
    dist = dice.distribution(tree)
    chart = dice.render_distribution(dist, rows=REPLY_CHART_ROWS)
    summary = (
        f"{tree.text}: min {dist.min}, max {dist.max}, mean {dist.mean:.3f}, stdev {dist.stdev:.3f}"
    )
    rows = dice.buckets(dist, REPLY_PMF_ENTRIES)
    return Reply(
        text=f"{summary}\n{chart}",
        data={
            "expression": tree.text,
            "min": dist.min,
            "max": dist.max,
            "mean": dist.mean,
            "stdev": dist.stdev,
            "outcomes": dist.outcomes,
            # 1 when every total has its own entry; else keys are ranges "low..high".
            "bucket_width": rows[0].high - rows[0].low + 1,
            "pmf": {row.label: row.p for row in rows},
            "p_at_least": {row.label: row.at_least for row in rows},
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
