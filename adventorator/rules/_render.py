"""One-line renderings of d20 tests, plain and Markdown, in the d20/Avrae style.

``2d20kh1 (17, ~~4~~) + 3 [DEX modifier] = `20` `` in Markdown: dropped and
rerolled dice struck through, natural 1s and 20s bold, each term labelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from adventorator.rules._types import Modifier
from adventorator.rules.dice import DieRecord

if TYPE_CHECKING:
    from adventorator.rules._attack import AttackResult
    from adventorator.rules._results import CheckResult

__all__ = ["attack_markdown", "attack_text", "check_markdown", "check_text"]


def _die_text(die: DieRecord) -> str:
    if die.rerolled:
        return f"{die.value} rerolled"
    return str(die.value) if die.kept else f"{die.value} dropped"


def _die_markdown(die: DieRecord) -> str:
    face = f"**{die.value}**" if die.value in (1, die.sides) else str(die.value)
    return face if die.kept and not die.rerolled else f"~~{face}~~"


def _terms(modifiers: Iterable[Modifier]) -> str:
    parts = [f" {'-' if m.value < 0 else '+'} {abs(m.value)} [{m.source}]" for m in modifiers]
    return "".join(parts)


def _d20(expression: str, dice: Iterable[DieRecord], *, markdown: bool) -> str:
    render = _die_markdown if markdown else _die_text
    return f"{expression} ({', '.join(render(d) for d in dice)})"


def _check_line(result: CheckResult, *, markdown: bool) -> str:
    d20 = _d20(result.d20_roll.expression, result.dice, markdown=markdown)
    if result.reliable_talent_applied:
        d20 += f" -> {result.d20} [Reliable Talent]"
    total = f"`{result.total}`" if markdown else str(result.total)
    line = f"{d20}{_terms(result.breakdown)} = {total}"
    if result.dc is not None:
        outcome = "success" if result.success else "failure"
        line += f" vs DC {result.dc}: {f'**{outcome}**' if markdown else outcome}"
    return line


def check_text(result: CheckResult) -> str:
    """``Dexterity (Stealth) check: 2d20kh1 (17, 4 dropped) + 3 [DEX modifier] = 20``."""
    return f"{result.check.title}: {_check_line(result, markdown=False)}"


def check_markdown(result: CheckResult) -> str:
    """``**Dexterity (Stealth) check**: 2d20kh1 (17, ~~4~~) + 3 [DEX modifier] = `20` ``."""
    return f"**{result.check.title}**: {_check_line(result, markdown=True)}"


def _attack_outcome(result: AttackResult) -> str:
    if result.critical:
        return "critical hit"
    if result.fumble:
        return "natural 1: miss"
    if result.hit is None:
        return ""
    return "hit" if result.hit else "miss"


def _attack_line(result: AttackResult, *, markdown: bool) -> str:
    d20 = _d20(result.d20_roll.expression, result.dice, markdown=markdown)
    total = f"`{result.total}`" if markdown else str(result.total)
    line = f"{d20}{_terms(result.breakdown)} = {total}"
    if result.target_ac is not None:
        line += f" vs AC {result.target_ac}"
    outcome = _attack_outcome(result)
    if outcome:
        line += f": {f'**{outcome}**' if markdown else outcome}"
    return line


def attack_text(result: AttackResult) -> str:
    """``Attack: 1d20 (20) + 5 [attack bonus] = 25 vs AC 15: critical hit``."""
    return f"Attack: {_attack_line(result, markdown=False)}"


def attack_markdown(result: AttackResult) -> str:
    """``**Attack**: 1d20 (**20**) + 5 [attack bonus] = `25` vs AC 15: **critical hit**``."""
    return f"**Attack**: {_attack_line(result, markdown=True)}"
