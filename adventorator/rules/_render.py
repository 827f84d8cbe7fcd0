"""One-line renderings of d20 tests, plain and Markdown, in the d20/Avrae style.

``2d20kh1 (17, ~~4~~) + 3 [DEX modifier] = `20` `` in Markdown, and
``2d20kh1 (17, ~4~) + 3 [DEX modifier] = 20`` in plain text: the dice engine's
one notation (``dice.render_terms``) for the d20 and every bonus dice
expression, each flat term labelled, a natural 20 or 1 flagged after the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from adventorator.rules._types import BonusDiceRoll, Modifier
from adventorator.rules.dice import natural_flag, render_signed_terms, render_terms

if TYPE_CHECKING:
    from adventorator.rules._attack import AttackResult
    from adventorator.rules._results import CheckResult, D20Test

__all__ = ["attack_markdown", "attack_text", "check_markdown", "check_text", "d20_terms"]


def _terms(modifiers: Iterable[Modifier]) -> str:
    parts = [f" {'-' if m.value < 0 else '+'} {abs(m.value)} [{m.source}]" for m in modifiers]
    return "".join(parts)


def _bonus_term(bonus: BonusDiceRoll, *, markdown: bool) -> str:
    """`` + 1d4 (3) [Bless]``: the bonus dice with their faces, a leading minus as the sign."""
    sign, shown = render_signed_terms(bonus.result, markdown=markdown)
    label = f" [{bonus.bonus.source}]" if bonus.bonus.source else ""
    return f" {sign} {shown}{label}"


def d20_terms(result: D20Test, *, markdown: bool) -> str:
    """The d20, flat modifiers and bonus dice (faces shown), without the total.

    ``2d20kh1 (17, ~4~) + 3 [DEX modifier] + 1d4 (2) [Bless]``.
    """
    line = render_terms(result.d20_roll, markdown=markdown) + _terms(result.modifiers)
    return line + "".join(_bonus_term(b, markdown=markdown) for b in result.bonus_rolls)


def _total(result: D20Test, *, markdown: bool) -> str:
    # Markdown bolds a natural 20 or 1 instead, as the dice engine's markdown does.
    if markdown:
        return f" = `{result.total}`"
    return f" = {result.total}{natural_flag(result.d20_roll)}"


def _check_line(result: CheckResult, *, markdown: bool) -> str:
    d20 = render_terms(result.d20_roll, markdown=markdown)
    if result.reliable_talent_applied:
        d20 += f" -> {result.d20} [Reliable Talent]"
    line = d20 + _terms(result.modifiers)
    line += "".join(_bonus_term(b, markdown=markdown) for b in result.bonus_rolls)
    line += _total(result, markdown=markdown)
    if result.dc is not None:
        outcome = "success" if result.success else "failure"
        line += f" vs DC {result.dc}: {f'**{outcome}**' if markdown else outcome}"
    return line


def check_text(result: CheckResult) -> str:
    """``Dexterity (Stealth) check: 2d20kh1 (17, ~4~) + 3 [DEX modifier] = 20``."""
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
    # No natural flag: the outcome already says "critical hit" or "natural 1: miss".
    total = f"`{result.total}`" if markdown else str(result.total)
    line = f"{d20_terms(result, markdown=markdown)} = {total}"
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
