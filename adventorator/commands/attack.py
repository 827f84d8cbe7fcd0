"""``attack``: a weapon attack from a sheet, against a character or an armor class."""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option


@dataclass(frozen=True)
class AttackOptions:
    weapon: str = option(
        "The attack on the sheet, e.g. longsword (a unique prefix is enough).", positional=True
    )
    # --as: a game master acting for a monster (`--as "goblin 2"`); --character still works.
    character: str | None = option(
        "Attack as this character or monster: yours, or anyone's as game master "
        "(default: your active character).",
        default=None,
        autocomplete=True,
        cli_flags=("--as", "--character"),
    )
    target: str | None = option(
        "The character attacked: its AC, conditions and defences count, and it takes the damage.",
        default=None,
        autocomplete=True,
    )
    ac: int | None = option(
        "The target's armor class (without --target: nothing is applied).",
        default=None,
        min=1,
        max=40,
    )
    advantage: bool = option("Roll with advantage.", default=False, cli_flags=("--adv",))
    disadvantage: bool = option("Roll with disadvantage.", default=False, cli_flags=("--dis",))
    bonus: str | None = option(
        "Extra dice or flat bonus to hit, e.g. 1d4 (Bless) or 2.", default=None
    )
    extra: bool = option(
        "Add the once-per-turn extra damage (Sneak Attack) on a hit.", default=False
    )
    odds: bool = option(
        "Also show the exact chance to hit, the mean damage and the chance to drop the target.",
        default=False,
    )


async def attack(invocation: Invocation, options: AttackOptions) -> Reply:
    """Roll the attack, and on a hit its damage, applied to a target character."""
    from adventorator.commands._attacking import run_attack

    return await run_attack(invocation, options)


SPEC = CommandSpec(
    path=("attack",),
    help=(
        "Attack with a weapon from your sheet: `adv attack longsword --ac 15`, or "
        "`adv attack shortsword --target brannoc` to apply the damage to a character; "
        '`--as "goblin 2"` attacks as another combatant.'
    ),
    options=AttackOptions,
    handler=attack,
    uses_rng=True,
    purpose="attack with a weapon",
    planner_requires=("weapon",),
)
