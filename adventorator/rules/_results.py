"""Results of checks, contests and group checks: values, JSON and renderings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adventorator.rules._render import check_markdown, check_text, d20_terms
from adventorator.rules._types import BonusDiceRoll, Modifier
from adventorator.rules.dice import Advantage, DieRecord, RollResult

if TYPE_CHECKING:
    from adventorator.rules._check import CheckInput

__all__ = ["CheckResult", "ContestResult", "D20Test", "GroupCheckResult"]


@dataclass(frozen=True, kw_only=True)
class D20Test:
    """What checks and attacks share: a d20, flat modifiers and bonus dice.

    ``natural`` is the face of the kept d20; ``modifier`` sums ``breakdown``:
    the flat ``modifiers`` followed by one entry per rolled bonus dice expression.
    """

    d20_roll: RollResult
    natural: int
    modifiers: tuple[Modifier, ...]
    bonus_rolls: tuple[BonusDiceRoll, ...]
    total: int
    advantage: Advantage

    @property
    def dice(self) -> tuple[DieRecord, ...]:
        """Every d20 rolled, in order: kept, dropped and rerolled ones."""
        return tuple(d for d in self.d20_roll.dice if d.sides == 20)

    @property
    def breakdown(self) -> tuple[Modifier, ...]:
        """Every non-d20 term: flat modifiers, then each bonus dice total."""
        rolled = tuple(Modifier(r.bonus.label, r.result.total) for r in self.bonus_rolls)
        return self.modifiers + rolled

    @property
    def modifier(self) -> int:
        """Sum of ``breakdown``: everything added to the d20."""
        return sum(m.value for m in self.breakdown)

    def terms(self, *, markdown: bool = False) -> str:
        """The roll without its total, in the one dice notation, bonus dice faces shown.

        ``2d20kh1 (17, ~4~) + 3 [DEX modifier] + 1d4 (2) [Bless]``.
        """
        return d20_terms(self, markdown=markdown)

    def d20_json(self, *, kept: int) -> dict[str, Any]:
        """The JSON keys every d20 test has; ``kept`` is what the kept die counts as."""
        return {
            "expression": self.d20_roll.expression,
            "advantage": self.advantage.name.lower(),
            "d20": [d.value for d in self.dice],
            "d20_dice": [
                {"value": d.value, "kept": d.kept, "rerolled": d.rerolled} for d in self.dice
            ],
            "natural": self.natural,
            "kept": kept,
            "modifier": self.modifier,
            "breakdown": [{"source": m.source, "value": m.value} for m in self.breakdown],
            "bonus_dice": [r.to_json() for r in self.bonus_rolls],
            "total": self.total,
        }


@dataclass(frozen=True, kw_only=True)
class CheckResult(D20Test):
    """How a check's total was reached.

    ``d20`` is what the kept die counts as, which differs from ``natural`` only
    when Reliable Talent lifts a 9 or lower to 10. ``total`` is always
    ``d20 + modifier``.
    """

    check: CheckInput
    d20: int
    success: bool | None

    @property
    def reliable_talent_applied(self) -> bool:
        """True when Reliable Talent raised the kept die."""
        return self.d20 != self.natural

    @property
    def dc(self) -> int | None:
        """The DC the check was made against, if any."""
        return self.check.dc

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; ``total == kept + modifier`` always holds.

        ``d20`` lists every d20 face rolled (dropped and rerolled included),
        ``natural`` is the kept die's face and ``kept`` the value it counted as.
        """
        check = self.check
        return {
            "kind": check.kind.value,
            "ability": check.resolved_ability.value,
            "skill": None if check.skill is None else check.skill.value,
            "title": check.title,
            **self.d20_json(kept=self.d20),
            "reliable_talent": self.reliable_talent_applied,
            "dc": self.dc,
            "success": self.success,
        }

    def text(self) -> str:
        """One plain line, e.g. ``Dexterity (Stealth) check: 2d20kh1 (17, ~4~) ...``."""
        return check_text(self)

    def markdown(self) -> str:
        """One Markdown line (Discord): dropped dice struck through, 1s and 20s bold."""
        return check_markdown(self)


@dataclass(frozen=True)
class ContestResult:
    """Two checks compared: the higher total wins; a tie leaves things as they were."""

    a: CheckResult
    b: CheckResult

    @property
    def winner(self) -> Literal["a", "b"] | None:
        """``"a"``, ``"b"``, or None on a tie."""
        if self.a.total == self.b.total:
            return None
        return "a" if self.a.total > self.b.total else "b"

    @property
    def margin(self) -> int:
        """How far apart the totals are (0 on a tie)."""
        return abs(self.a.total - self.b.total)

    def to_json(self) -> dict[str, Any]:
        """``{a, b, winner, margin}`` with both checks' JSON."""
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "winner": self.winner,
            "margin": self.margin,
        }

    def text(self) -> str:
        """One plain line: both checks and the outcome."""
        return f"{self.a.text()} | {self.b.text()} | {_contest_outcome(self)}"

    def markdown(self) -> str:
        """One Markdown line: both checks and the outcome."""
        return f"{self.a.markdown()} | {self.b.markdown()} | **{_contest_outcome(self)}**"


def _contest_outcome(contest: ContestResult) -> str:
    if contest.winner is None:
        return "tie: nothing changes"
    winner = contest.a if contest.winner == "a" else contest.b
    return f"{contest.winner.upper()} wins ({winner.check.title}, by {contest.margin})"


@dataclass(frozen=True)
class GroupCheckResult:
    """Several checks against DCs; the group succeeds if at least half succeed."""

    results: tuple[CheckResult, ...]

    @property
    def successes(self) -> int:
        """How many members succeeded."""
        return sum(1 for r in self.results if r.success)

    @property
    def success(self) -> bool:
        """At least half of the members succeeded (2 of 4 is enough)."""
        return 2 * self.successes >= len(self.results)

    def to_json(self) -> dict[str, Any]:
        """``{results, successes, members, success}``."""
        return {
            "results": [r.to_json() for r in self.results],
            "successes": self.successes,
            "members": len(self.results),
            "success": self.success,
        }

    def text(self) -> str:
        """One plain line: the tally and the outcome."""
        outcome = "success" if self.success else "failure"
        return f"Group check: {self.successes} of {len(self.results)} succeeded: {outcome}"

    def markdown(self) -> str:
        """One Markdown line: the tally and the outcome."""
        outcome = "success" if self.success else "failure"
        return f"Group check: {self.successes} of {len(self.results)} succeeded: **{outcome}**"
