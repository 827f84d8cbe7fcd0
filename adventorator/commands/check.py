"""``check``: an ability check, skill check or saving throw, resolved by the Ruleset."""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.rules.engine import BonusDice, CheckInput, CheckKind, CheckResult, Proficiency
from adventorator.rules.srd import Ability, Skill, parse_ability, parse_skill


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


def check_target(options: CheckOptions) -> tuple[CheckKind, Ability | None, Skill | None]:
    """What is rolled: the kind, and the ability and skill named by the flags."""
    if options.save and options.skill:
        raise InputError("--save and --skill cannot be combined: a save uses no skill")
    skill = parse_skill(options.skill) if options.skill else None
    named = options.save or options.ability
    ability = parse_ability(named) if named else None
    if skill is None and ability is None:
        raise InputError("say what to check: --ability, --skill or --save")
    kind = CheckKind.SAVE if options.save else CheckKind.SKILL if skill else CheckKind.ABILITY
    return kind, ability, skill


def bonus_dice(options: CheckOptions) -> tuple[BonusDice, ...]:
    return (BonusDice(options.bonus, "bonus"),) if options.bonus else ()


def manual_check(options: CheckOptions) -> CheckInput:
    """The CheckInput described by the flags alone (manual mode)."""
    if options.score is None:
        raise InputError("manual mode needs the ability score: add --score N")
    if options.character:
        raise InputError("--character and --score cannot be combined: pick a sheet or manual stats")
    kind, ability, skill = check_target(options)
    proficiency = (
        Proficiency.EXPERTISE
        if options.expertise
        else Proficiency.PROFICIENT
        if options.proficient
        else Proficiency.NONE
    )
    return CheckInput(
        kind=kind,
        ability=ability,
        skill=skill,
        score=options.score,
        level=options.level or 1,
        proficiency=proficiency,
        advantage=int(options.advantage),
        disadvantage=int(options.disadvantage),
        bonus_dice=bonus_dice(options),
        dc=options.dc,
    )


def uses_manual_stats(options: CheckOptions) -> bool:
    return (
        options.score is not None
        or options.level is not None
        or options.proficient
        or options.expertise
    )


async def check(invocation: Invocation, options: CheckOptions) -> Reply:
    """Resolve the check with the invocation's Ruleset, from flags or a real sheet."""
    if uses_manual_stats(options):
        check_input = manual_check(options)
    else:
        from adventorator.commands._characters import character_for

        kind, ability, skill = check_target(options)
        record = await character_for(invocation, options.character)
        check_input = record.sheet.check_input(
            kind,
            ability=ability,
            skill=skill,
            dc=options.dc,
            advantage=int(options.advantage),
            disadvantage=int(options.disadvantage),
            bonus_dice=bonus_dice(options),
        )
    result = invocation.ruleset.perform_check(check_input, rng=invocation.rng)
    return check_reply(invocation, result, odds=options.odds)


def check_reply(invocation: Invocation, result: CheckResult, *, odds: bool) -> Reply:
    data = result.to_json()
    text, markdown = result.text(), result.markdown()
    if odds:
        if result.dc is None:
            raise InputError("--odds needs a --dc to beat")
        chance = invocation.ruleset.success_chance(result.check)
        data["odds"] = float(chance)
        line = f"Chance to meet DC {result.dc}: {float(chance):.1%}"
        text, markdown = f"{text}\n{line}", f"{markdown}\n{line}"
    return Reply(text=text, markdown=markdown, data=data)


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
