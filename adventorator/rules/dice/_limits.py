"""Bounds that keep untrusted dice expressions cheap."""

from __future__ import annotations

from dataclasses import dataclass, fields

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps applied to every parse, roll and distribution.

    - ``max_length``: characters of input.
    - ``max_rolls``: dice drawn in one roll, rerolls and explosions included.
      Expressions that can never stay under it (``1001d6``) fail at parse time.
    - ``max_depth``: height of the syntax tree: each parenthesis, set, unary
      sign, or change of operator precedence is one level.
    - ``max_terms``: numbers, dice and sets in one expression.
    - ``max_sides``: faces of one die.
    - ``max_stats_work``: work units ``distribution()`` may spend before giving
      up with ``DiceStatsError``: one unit is about one outcome pair combined
      or one outcome handled (see ``_stats_base.Budget``); the final
      distribution, its chart and its JSON are paid for too.
    - ``max_stats_outcomes``: distinct values one distribution may hold, in
      any intermediate step and in the result (``1d10000 * 1d74`` has 298,825).
    - ``max_stats_total``: the largest magnitude of any value in a
      distribution, so every total, mean and deviation is a finite float with
      integers exact (it is below 2**53).
    """

    max_length: int = 1000
    max_rolls: int = 1000
    max_depth: int = 50
    max_terms: int = 200
    max_sides: int = 10_000
    max_stats_work: int = 1_500_000
    max_stats_outcomes: int = 20_000
    max_stats_total: int = 10**15

    def __post_init__(self) -> None:
        for spec in fields(self):
            value = getattr(self, spec.name)
            if type(value) is not int or value < 1:
                raise ValueError(f"Limits.{spec.name} must be a positive int, not {value!r}")


DEFAULT_LIMITS = Limits()
