"""How ``check`` builds its CheckInput and Reply (imported when a check runs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

from adventorator.commands._types import Invocation, Reply
from adventorator.commands.check import CheckOptions
from adventorator.errors import InputError
from adventorator.limits import ODDS_DEADLINE_SECONDS
from adventorator.rules import BonusDice, CheckInput, CheckKind, CheckResult, Proficiency
from adventorator.rules.dice import DiceStatsError
from adventorator.rules.srd import Ability, Skill, parse_ability, parse_skill

if TYPE_CHECKING:
    from adventorator.commands._syntax import Syntax
    from adventorator.rules import Ruleset
    from adventorator.rules.condition_effects import RollEffect

T = TypeVar("T")


def check_target(
    options: CheckOptions, syntax: Syntax
) -> tuple[CheckKind, Ability | None, Skill | None]:
    """What is rolled: the kind, and the ability and skill named by the flags."""
    save, skill_flag = (syntax.name(name, command="check") for name in ("save", "skill"))
    if options.save and options.skill:
        raise InputError(f"{save} and {skill_flag} cannot be combined: a save uses no skill")
    skill = parse_skill(options.skill) if options.skill else None
    named = options.save or options.ability
    ability = parse_ability(named) if named else None
    if skill is None and ability is None:
        ability_flag = syntax.name("ability", command="check")
        raise InputError(f"say what to check: {ability_flag}, {skill_flag} or {save}")
    kind = CheckKind.SAVE if options.save else CheckKind.SKILL if skill else CheckKind.ABILITY
    return kind, ability, skill


def bonus_dice(options: CheckOptions) -> tuple[BonusDice, ...]:
    return (BonusDice(options.bonus, "bonus"),) if options.bonus else ()


def manual_check(options: CheckOptions, ruleset: Ruleset, syntax: Syntax) -> CheckInput:
    """The CheckInput described by the flags alone (manual mode), under ``ruleset``."""
    if options.score is None:
        score = syntax.option("score", "N", command="check")
        raise InputError(f"manual mode needs the ability score: add {score}")
    if options.character:
        character, score = (syntax.name(n, command="check") for n in ("character", "score"))
        raise InputError(
            f"{character} and {score} cannot be combined: pick a sheet or manual stats"
        )
    kind, ability, skill = check_target(options, syntax)
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
        proficiency_bonus=ruleset.proficiency_bonus(options.level or 1),
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


def _outcome(line: str, result: CheckResult, *, markdown: bool) -> str:
    """The line with its outcome replaced by an automatic failure."""
    if result.dc is not None:
        word = "success" if result.success else "failure"
        line = line.removesuffix(f": **{word}**" if markdown else f": {word}")
    failed = "automatic failure"
    return f"{line}: {f'**{failed}**' if markdown else failed}"


def condition_lines(result: CheckResult, effect: RollEffect) -> tuple[str, str]:
    """The check's plain and Markdown lines, saying which condition changed it and why."""
    text, markdown = result.text(), result.markdown()
    if effect.auto_fail:
        text, markdown = (
            _outcome(text, result, markdown=False),
            _outcome(markdown, result, markdown=True),
        )
    why = "".join(f"\n- {line}" for line in effect.reason_texts)
    return text + why, markdown + why


async def check_reply(
    invocation: Invocation,
    result: CheckResult,
    *,
    odds: bool,
    effect: RollEffect | None = None,
) -> Reply:
    data = result.to_json()
    text, markdown = result.text(), result.markdown()
    if effect is not None:
        data = effect.annotate(data)
        text, markdown = condition_lines(result, effect)
    if odds:
        if result.dc is None:
            flags = [invocation.syntax.name(n, command="check") for n in ("odds", "dc")]
            raise InputError(f"{flags[0]} needs a {flags[1]} to beat")
        ruleset, check = invocation.ruleset, result.check
        chance = await off_loop(lambda: ruleset.success_chance(check), what="Exact odds")
        if effect is not None and effect.auto_fail:
            chance = Fraction(0)
        data["odds"] = float(chance)
        line = f"Chance to meet DC {result.dc}: {float(chance):.1%}"
        text, markdown = f"{text}\n{line}", f"{markdown}\n{line}"
    return Reply(text=text, markdown=markdown, data=data)


async def off_loop(
    work: Callable[[], T], *, what: str, deadline: float = ODDS_DEADLINE_SECONDS
) -> T:
    """Run CPU-bound ``work`` in a worker thread, so the event loop keeps serving.

    The dice engine's work budget is what bounds ``work``; the deadline is the
    second line. A thread cannot be stopped, so past the deadline the caller
    gets a ``DiceStatsError`` while the thread finishes within its budget.
    """
    try:
        return await asyncio.wait_for(asyncio.to_thread(work), deadline)
    except TimeoutError:
        raise DiceStatsError(
            f"{what} took longer than {deadline:g} s: try a smaller bonus"
        ) from None
