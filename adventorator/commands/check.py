"""``check``: an ability check, skill check or saving throw, resolved by the Ruleset."""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option


@dataclass(frozen=True)
class CheckOptions:
    ability: str | None = option(
        "Ability to use: str, dex, con, int, wis, cha (a skill's default if omitted).",
        default=None,
    )
    skill: str | None = option("Skill, e.g. stealth or 'sleight of hand'.", default=None)
    save: str | None = option("Make a saving throw of this ability instead.", default=None)
    dc: int | None = option("Difficulty class to beat.", default=None, min=1, max=40)
    advantage: bool = option("Roll with advantage.", default=False, cli_flags=("--adv",))
    disadvantage: bool = option("Roll with disadvantage.", default=False, cli_flags=("--dis",))
    bonus: str | None = option("Extra dice or flat bonus, e.g. 1d4 (Bless) or 2.", default=None)
    character: str | None = option(
        "Use this character's sheet (default: your active character).",
        default=None,
        autocomplete=True,
    )
    score: int | None = option(
        "Manual mode: the ability score (1-30) instead of a sheet.",
        default=None,
        min=1,
        max=30,
        discord=False,
    )
    level: int | None = option(
        "Manual mode: character level, for the proficiency bonus (default 1).",
        default=None,
        min=1,
        max=20,
        discord=False,
    )
    proficient: bool = option("Manual mode: proficient in it.", default=False, discord=False)
    expertise: bool = option("Manual mode: expertise in it.", default=False, discord=False)
    odds: bool = option("Also show the exact chance of beating the DC.", default=False)


async def check(invocation: Invocation, options: CheckOptions) -> Reply:
    """Resolve the check with the invocation's Ruleset, from flags or a real sheet."""
    from adventorator.commands._checks import (
        bonus_dice,
        check_reply,
        check_target,
        manual_check,
        uses_manual_stats,
    )

    effect = None
    if uses_manual_stats(options):
        check_input = manual_check(options, invocation.ruleset, invocation.syntax)
    else:
        from adventorator.commands._characters import character_for

        kind, ability, skill = check_target(options, invocation.syntax)
        record = await character_for(invocation, options.character)
        check_input = record.sheet.check_input(
            invocation.ruleset,
            kind,
            ability=ability,
            skill=skill,
            dc=options.dc,
            advantage=int(options.advantage),
            disadvantage=int(options.disadvantage),
            bonus_dice=bonus_dice(options),
        )
        # The character's conditions and exhaustion change the roll (SRD Conditions).
        check_input, effect = record.sheet.conditioned(check_input)
    result = invocation.ruleset.perform_check(check_input, rng=invocation.rng)
    return await check_reply(invocation, result, odds=options.odds, effect=effect)


SPEC = CommandSpec(
    path=("check",),
    help=(
        "Make an ability check, skill check or saving throw with your active character "
        "(`adv check --skill stealth --dc 15`) or manual stats (`--score 16 --proficient`)."
    ),
    options=CheckOptions,
    handler=check,
    uses_rng=True,
)
