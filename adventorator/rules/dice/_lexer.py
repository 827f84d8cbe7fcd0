"""Character-level scanning of atoms: numbers, dice, operators, annotations.

Only ASCII digits are digits (``str.isdigit`` accepts '٦' and '²'), and only
ASCII blanks are whitespace.
"""

from __future__ import annotations

import math

from ._ast import DICE_OPS, IMMEDIATE_OPS, Dice, Literal, Number, Op, Selector
from ._errors import (
    DiceLimitError,
    DiceSyntaxError,
    DiceValueError,
    describe_char,
    shorten,
    where,
)
from ._limits import Limits

__all__ = ["DIGITS", "MAX_DIGITS", "WHITESPACE", "Scanner", "syntax_error"]

WHITESPACE = frozenset(" \t\n\r\f")
DIGITS = frozenset("0123456789")
_SELECTOR_KINDS = frozenset("hl<>")
# Python refuses to convert ints of more than 4,300 digits to or from text.
MAX_DIGITS = 4000
_TWO_LETTER_OPS = tuple(op for op in DICE_OPS if len(op) == 2)


def syntax_error(
    text: str, pos: int, expected: tuple[str, ...], problem: str = ""
) -> DiceSyntaxError:
    """Build the one-line syntax error: what was found, where, what was expected."""
    found = describe_char(text[pos] if pos < len(text) else "")
    head = problem or f"Unexpected {found}"
    wanted = ""
    if expected:
        wanted = expected[0]
        if len(expected) > 1:
            wanted = f"{', '.join(expected[:-1])} or {expected[-1]}"
        wanted = f": expected {wanted}"
    return DiceSyntaxError(
        f"{head}{where(text, pos)}{wanted}",
        expression=text,
        position=pos,
        found=found,
        expected=expected,
    )


_KINDS = {
    "Cc": "Control character",
    "Cf": "Format or bidi control character",
    "Cs": "Surrogate",
    "Co": "Private-use character",
    "Cn": "Unassigned character",
    "Zl": "Line separator",
    "Zp": "Paragraph separator",
}


def _first_unsafe(text: str, start: int, end: int) -> tuple[int, str] | None:
    """Where ``text[start:end]`` holds a character no annotation may, and what it is.

    What ``adventorator.text.unsafe_characters`` refuses in names: controls,
    and format characters such as U+202E, which reverses the rest of a line
    in bidi-aware clients (a 12 would read as 21).
    """
    chunk = text[start:end]
    if chunk.isprintable():  # the common case, in C
        return None
    import unicodedata

    from adventorator.text import unsafe_characters

    for offset, char in enumerate(chunk):
        if not char.isprintable() and unsafe_characters(char):
            return start + offset, _KINDS[unicodedata.category(char)]
    return None


class Scanner:
    """A cursor over the input with one method per kind of atom."""

    __slots__ = ("limits", "pos", "text")

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.pos = 0
        self.limits = limits

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in WHITESPACE:
            pos += 1
        self.pos = pos

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def error(self, expected: tuple[str, ...], problem: str = "") -> DiceSyntaxError:
        return syntax_error(self.text, self.pos, expected, problem)

    def _digits(self) -> str:
        text, start = self.text, self.pos
        pos = start
        while pos < len(text) and text[pos] in DIGITS:
            pos += 1
        if pos - start > MAX_DIGITS:  # only reachable with a raised Limits.max_length
            raise DiceValueError(
                f"Number too large{where(text, start)}", expression=text, position=start
            )
        self.pos = pos
        return text[start:pos]

    def number_or_dice(self) -> Literal | Dice:
        """Scan ``3``, ``.5``, ``3.14``, ``NdS``, ``dS`` or ``Nd%`` (``D`` works too)."""
        start = self.pos
        whole = self._digits()
        if self.peek() == ".":
            self.pos += 1
            fraction = self._digits()
            if not whole and not fraction:
                self.pos = start
                raise self.error(("a number", "a die", "'('"))
            return Literal(self._decimal(whole + "." + fraction, start), start)
        if not whole and self.peek() not in ("d", "D"):
            raise self.error(("a number", "a die", "'('", "'+'", "'-'"))
        count_end = self.pos
        self.skip_ws()
        if self.peek() not in ("d", "D"):
            self.pos = count_end
            return Literal(int(whole), start)
        count_end = self.pos
        self.pos += 1
        if self.peek() == ".":
            raise self.error(("the number of sides",))
        return self._dice(int(whole) if whole else 1, start, count_end)

    def _decimal(self, digits: str, start: int) -> Number:
        value = float(digits)
        if not math.isfinite(value):
            raise DiceValueError(
                f"Number too large{where(self.text, start)}", expression=self.text, position=start
            )
        return value

    def _dice(self, count: int, start: int, count_end: int) -> Dice:
        self.skip_ws()
        sides_pos = self.pos
        percent = self.peek() == "%"
        if percent:
            self.pos += 1
            sides = 100
        else:
            digits = self._digits()
            if not digits:
                raise self.error(("the number of sides",))
            sides = int(digits)
        limits, text = self.limits, self.text
        if count > limits.max_rolls:
            raise DiceLimitError(
                f"Too many dice{where(text, start)}: {shorten(count)} asked, at most "
                f"{limits.max_rolls} may be rolled at once",
                expression=text,
                position=start,
            )
        if sides > limits.max_sides:
            raise DiceLimitError(
                f"Die too large{where(text, sides_pos)}: d{shorten(sides)}, "
                f"at most d{limits.max_sides}",
                expression=text,
                position=sides_pos,
            )
        if sides == 0 and count > 0:
            raise DiceValueError(
                f"Cannot roll a 0-sided die{where(text, sides_pos)}",
                expression=text,
                position=sides_pos,
            )
        return Dice(count, sides, percent, start, count_end)

    def ops(self, allowed: tuple[str, ...]) -> tuple[Op, ...]:
        """Scan operators like ``kh3``, ``rr1``, ``e>5``; repeats merge into one union."""
        result: list[Op] = []
        while True:
            self.skip_ws()
            pos = self.pos
            name = self._op_name()
            if not name:
                return tuple(result)
            if name not in allowed:
                raise syntax_error(self.text, pos, (), f"Operator '{name}' only applies to dice")
            selector = self._selector(name)
            if result and result[-1].name == name and name not in IMMEDIATE_OPS:
                last = result[-1]
                result[-1] = Op(name, (*last.selectors, selector), last.pos)
            else:
                result.append(Op(name, (selector,), pos))

    def _op_name(self) -> str:
        text, pos = self.text, self.pos
        pair = text[pos : pos + 2]
        if pair in _TWO_LETTER_OPS:
            self.pos += 2
            return pair
        if pos < len(text) and text[pos] in ("k", "p", "e"):
            self.pos += 1
            return text[pos]
        return ""

    def _selector(self, name: str) -> Selector:
        self.skip_ws()
        kind = ""
        kind_pos = self.pos
        if self.peek() in _SELECTOR_KINDS:
            kind = self.peek()
            self.pos += 1
            self.skip_ws()
        digits = self._digits()
        if not digits:
            raise self.error((f"a number after '{name}{kind}'",))
        if kind and name in IMMEDIATE_OPS:
            raise syntax_error(
                self.text,
                kind_pos,
                (f"a plain number after '{name}'",),
                f"'{name}' takes a plain number, not '{shorten(kind + digits)}'",
            )
        return Selector(kind, int(digits))

    def annotations(self) -> tuple[str, ...]:
        """Scan ``[text]`` annotations; no ``]``, line break, control or format character inside."""
        result: list[str] = []
        text = self.text
        while True:
            self.skip_ws()
            if self.peek() != "[":
                return tuple(result)
            start = self.pos
            pos = text.find("]", start + 1)
            if pos == -1:
                pos = len(text)
            unsafe = _first_unsafe(text, start + 1, pos)
            if unsafe is not None:
                self.pos, kind = unsafe
                problem = f"{kind} {describe_char(text[self.pos])} in annotation"
                raise self.error(("']'",), problem)
            if pos >= len(text):
                self.pos = start
                raise self.error(("']'",), "Unclosed annotation")
            result.append(text[start : pos + 1])
            self.pos = pos + 1
