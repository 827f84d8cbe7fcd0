"""Errors raised by the dice engine.

Every problem a dice expression can cause is a ``DiceError``; nothing else
escapes the engine for any input string::

    InputError                     (adventorator.errors)
    └── DiceError                  .expression, .position (0-based offset or None)
        ├── DiceSyntaxError        not dice notation; .found and .expected say why
        ├── DiceLimitError         over a ``Limits`` bound: length, dice rolled,
        │                          nesting depth, terms, die size
        ├── DiceValueError         valid notation, impossible value: a 0-sided die,
        │                          division by zero, a number too large
        └── DiceStatsError         exact odds are not available: explosions,
                                   ``rr`` that can loop, too large to compute
"""

from __future__ import annotations

from adventorator.errors import InputError

__all__ = [
    "DiceError",
    "DiceLimitError",
    "DiceStatsError",
    "DiceSyntaxError",
    "DiceValueError",
    "describe_char",
    "shorten",
    "where",
]


def where(expression: str, position: int | None) -> str:
    """Return ``" at column N"`` (or ``" at line L, column C"``) for a message."""
    if position is None:
        return ""
    line = expression.count("\n", 0, position) + 1
    column = position - (expression.rfind("\n", 0, position) + 1) + 1
    if line == 1:
        return f" at column {column}"
    return f" at line {line}, column {column}"


def shorten(text: object, width: int = 24) -> str:
    """User-controlled text cut down for a one-line message."""
    shown = str(text)
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def describe_char(char: str) -> str:
    """Show one character of user input safely in a one-line message."""
    if not char:
        return "end of input"
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


_CONTEXT_WIDTH = 60


class DiceError(InputError):
    """A dice expression is invalid, too big, or cannot be evaluated."""

    def __init__(self, message: str, *, expression: str = "", position: int | None = None) -> None:
        super().__init__(message)
        self.expression = expression
        self.position = position

    @property
    def line(self) -> int | None:
        """1-based line of ``position``, or None."""
        if self.position is None:
            return None
        return self.expression.count("\n", 0, self.position) + 1

    @property
    def column(self) -> int | None:
        """1-based column of ``position`` within its line, or None."""
        if self.position is None:
            return None
        return self.position - (self.expression.rfind("\n", 0, self.position) + 1) + 1

    def context_lines(self) -> list[str]:
        """The expression and a caret under the error, windowed for long input."""
        if self.position is None or not self.expression:
            return []
        start = self.expression.rfind("\n", 0, self.position) + 1
        end = self.expression.find("\n", self.position)
        line = self.expression[start : end if end != -1 else len(self.expression)]
        column = self.position - start
        # Keep hostile megabyte inputs from flooding the terminal.
        left = max(0, column - _CONTEXT_WIDTH // 2)
        shown = line[left : left + _CONTEXT_WIDTH]
        prefix = "..." if left else ""
        suffix = "..." if left + _CONTEXT_WIDTH < len(line) else ""
        printable = "".join(ch if ch.isprintable() else "?" for ch in shown)
        return [f"{prefix}{printable}{suffix}", " " * (len(prefix) + column - left) + "^"]


class DiceSyntaxError(DiceError):
    """The text is not valid dice notation."""

    def __init__(
        self,
        message: str,
        *,
        expression: str = "",
        position: int | None = None,
        found: str = "",
        expected: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, expression=expression, position=position)
        self.found = found
        self.expected = expected


class DiceLimitError(DiceError):
    """The expression goes over one of the engine's ``Limits``."""


class DiceValueError(DiceError):
    """The notation is valid but a value is impossible (0-sided die, division by zero...)."""


class DiceStatsError(DiceError):
    """Exact odds cannot be computed for this expression."""
