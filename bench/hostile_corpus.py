"""Hostile dice expressions, shared by ``tests/rules/test_dice_hostile.py`` and ``bench/dice.py``.

Each case names the ``DiceError`` subclass it must raise (``None``: it must
succeed, cheaply), whether the error must carry a position, and whether it
is fed to ``roll()`` or to ``distribution()``.
"""

from __future__ import annotations

from typing import NamedTuple

from adventorator.rules.dice import (
    DiceError,
    DiceLimitError,
    DiceStatsError,
    DiceSyntaxError,
    DiceValueError,
)

__all__ = ["HOSTILE_CASES", "HostileCase"]


class HostileCase(NamedTuple):
    name: str
    expression: str
    expected: type[DiceError] | None
    positioned: bool = True
    mode: str = "roll"  # "roll" or "stats"


_MB = 1_000_000

HOSTILE_CASES: list[HostileCase] = [
    # Not dice notation at all.
    HostileCase("empty", "", DiceSyntaxError),
    HostileCase("blank", " \t\n ", DiceSyntaxError),
    HostileCase("nul", "\x00", DiceSyntaxError),
    HostileCase("nul-after-dice", "1d20\x00", DiceSyntaxError),
    HostileCase("arabic-indic-digits", "\u0661d\u0666", DiceSyntaxError),
    HostileCase("arabic-indic-sides", "1d\u0666", DiceSyntaxError),
    HostileCase("superscript-digit", "\u00b2d6", DiceSyntaxError),
    HostileCase("fullwidth-digit", "\uff11d6", DiceSyntaxError),
    HostileCase("bidi-override", "\u202e1d20", DiceSyntaxError),
    HostileCase("exponent", "1e5", DiceSyntaxError),
    HostileCase("decimal-count", "1.5d6", DiceSyntaxError),
    HostileCase("bare-d", "d", DiceSyntaxError),
    HostileCase("no-sides", "1d", DiceSyntaxError),
    HostileCase("dangling-operator", "1d20 +", DiceSyntaxError),
    HostileCase("keep-without-selector", "1d20kh", DiceSyntaxError),
    HostileCase("top-level-comma", "1,2", DiceSyntaxError),
    HostileCase("unclosed-parens", "((((1))", DiceSyntaxError),
    HostileCase("unmatched-paren", "1))", DiceSyntaxError),
    HostileCase("unclosed-annotation", "1d20 [fire", DiceSyntaxError),
    HostileCase("escape-in-annotation", "1d20 [\x1b[31mred]", DiceSyntaxError),
    HostileCase("mi-with-rank", "4d6mih1", DiceSyntaxError),
    HostileCase("reroll-on-set", "(1, 2)rr1", DiceSyntaxError),
    HostileCase("error-on-line-3", "\n\n1d20 + * 2", DiceSyntaxError),
    # Too big.
    HostileCase("1mb-junk", "x" * _MB, DiceLimitError),
    HostileCase("1mb-annotation", "1d20 [" + "a" * _MB + "]", DiceLimitError),
    HostileCase("1mb-digits", "9" * _MB, DiceLimitError),
    HostileCase("2000-term-sum", "+".join(["1"] * 2000), DiceLimitError),
    HostileCase("300-term-sum", "+".join(["1"] * 300), DiceLimitError),
    HostileCase("1000-nested-parens", "(" * 1000 + "1" + ")" * 1000, DiceLimitError),
    HostileCase("400-nested-parens", "(" * 400 + "1" + ")" * 400, DiceLimitError),
    HostileCase("999-unary-minus", "-" * 999 + "1", DiceLimitError),
    HostileCase("nested-sets", "(" * 300 + "1," + ")" * 300, DiceLimitError),
    HostileCase("1001-dice", "1001d6", DiceLimitError),
    HostileCase("dice-over-two-terms", "600d6 + 600d6", DiceLimitError),
    HostileCase("huge-count", "99999999999999999999d6", DiceLimitError),
    HostileCase("huge-die", "1d99999999999999999999", DiceLimitError),
    HostileCase("990-digit-count", "9" * 990 + "d6", DiceLimitError),
    HostileCase("990-digit-literal", "9" * 990, None),
    HostileCase("d10001", "1d10001", DiceLimitError),
    # Runaway rerolls and explosions.
    HostileCase("1d1e1", "1d1e1", DiceLimitError),
    HostileCase("rr-every-face", "1d20rr<21", DiceLimitError),
    HostileCase("rr-greater-than-0", "1d20rr>0", DiceLimitError),
    HostileCase("rr-union-every-face", "1d2rr1rr2", DiceLimitError),
    HostileCase("rr-highest", "2d6rrh1", DiceLimitError),
    HostileCase("rr-long-union", "1d20" + "".join(f"rr{i}" for i in range(1, 21)), DiceLimitError),
    HostileCase("explode-rank-chain", "300d10000eh150", None),
    HostileCase("explode-lowest-chain", "400d10000el200", None),
    HostileCase("explode-every-face", "1d10000e>0", DiceLimitError),
    HostileCase("explode-past-limit", "1000d2e2", DiceLimitError),
    HostileCase("reroll-once-past-limit", "1000d6ro1", DiceLimitError),
    HostileCase("reroll-past-limit", "999d6rr6", DiceLimitError),
    # Impossible values.
    HostileCase("zero-sided", "1d0", DiceValueError),
    HostileCase("divide-by-zero", "1/0", DiceValueError),
    HostileCase("floor-divide-by-rolled-zero", "1d6 // (1d1 - 1)", DiceValueError),
    HostileCase("modulo-zero", "1d6 % 0", DiceValueError),
    HostileCase("decimal-overflow", "1" * 400 + ".5", DiceValueError),
    HostileCase(
        "float-overflow-total", "9" * 300 + ".0 * " + "9" * 300 + ".0", DiceValueError, False
    ),
    HostileCase("int-too-big-for-division", "9" * 400 + " / 3", DiceValueError),
    HostileCase("int-too-big-for-float", "9" * 400 + " * 1.5", DiceValueError),
    # Valid but built to be slow somewhere: must succeed quickly.
    HostileCase("keep-repeated-330x", "1000d6" + "kh1" * 331, None),
    HostileCase("keep-literals-496x", "1000d6" + "k1" * 496, None),
    HostileCase("keep-union-sets", "(1, 2, 3, 4, 5)" + "kh1kl1" * 160, None),
    HostileCase("mi-repeated", "1000d6" + "mi1" * 330, None),
    HostileCase("explode-union", "100d20" + "e20" * 300, None),
    HostileCase("200-dice-terms", "1d6" + "+1d6" * 199, None),
    HostileCase("1000-dice", "1000d10000", None),
    HostileCase("300-annotations", "1d20 " + "[x]" * 300, None),
    HostileCase("whitespace-padding", "1d20" + "\t" * 990, None),
    HostileCase("49-nested-parens", "(" * 49 + "1d20" + ")" * 49, None),
    HostileCase("alternating-ops", "994d6" + "e7k<9" * 166, None),
    HostileCase("alternating-keeps", "994d6" + "kh999p0" * 142, None),
    HostileCase("alternating-rerolls", "994d6" + "rr7kl999" * 100, None),
    HostileCase("keep-highest-of-sets", "(" + ", ".join(["1d20"] * 150) + ")kh1", None),
    # Exact odds that cannot be computed, or only slowly: refused.
    HostileCase("stats-explosion", "1d20e20", DiceStatsError, mode="stats"),
    HostileCase("stats-rr", "1d20rr1", DiceStatsError, mode="stats"),
    HostileCase("stats-100d100", "100d100", DiceStatsError, False, mode="stats"),
    HostileCase("stats-60d100", "60d100", None, mode="stats"),
    HostileCase("stats-1000d6", "1000d6", DiceStatsError, False, mode="stats"),
    HostileCase("stats-1000d6kh500", "1000d6kh500", DiceStatsError, False, mode="stats"),
    HostileCase(
        "stats-keep-of-sets", "(1d100, 1d100, 1d100, 1d100)kh1", DiceStatsError, False, "stats"
    ),
    HostileCase("stats-product", "1d10000 * 1d10000", DiceStatsError, False, mode="stats"),
    HostileCase("stats-ro-rank", "20d20rol10", DiceStatsError, False, mode="stats"),
    HostileCase("stats-division-by-zero", "1 / (1d2 - 1)", DiceValueError, mode="stats"),
    HostileCase("stats-over-dice-limit", "1000d6ro1", DiceStatsError, False, mode="stats"),
    HostileCase("stats-fine", "4d6kh3 + 2d20kh1 + 8d6", None, mode="stats"),
]
