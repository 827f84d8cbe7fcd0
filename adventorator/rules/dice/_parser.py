"""Text to syntax tree: an iterative operator-precedence parser.

No recursion, so no input can raise ``RecursionError``: operators and open
parentheses wait on an explicit stack whose size is capped by
``Limits.max_depth`` (every entry becomes one level of the tree).

Precedence, loosest first: comparison < ``+ -`` < ``* / // %`` < unary < atom.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from ._ast import (
    DICE_OPS,
    SET_OPS,
    Chain,
    Dice,
    Expression,
    Node,
    NumberSet,
    Paren,
    Unary,
    format_node,
)
from ._errors import DiceLimitError, shorten, where
from ._lexer import Scanner, syntax_error
from ._limits import DEFAULT_LIMITS, Limits

__all__ = ["parse", "parse_uncached"]

_UNARY = 4
_BINARY = (
    ("//", 3), ("==", 1), ("!=", 1), ("<=", 1), (">=", 1),
    ("+", 2), ("-", 2), ("*", 3), ("/", 3), ("%", 3), ("<", 1), (">", 1),
)  # fmt: skip
_OPERAND = ("a number", "a die", "'('", "'+'", "'-'")


class _Frame:
    """An open parenthesis: ``(x)`` or a set ``(a, b, ...)``."""

    __slots__ = ("height", "is_set", "items", "pos")

    def __init__(self, pos: int) -> None:
        self.pos = pos
        self.items: list[Node] = []
        self.is_set = False
        self.height = 0


class _Pending:
    """A unary or binary operator waiting for its right operand."""

    __slots__ = ("op", "pos", "prec")

    def __init__(self, op: str, prec: int, pos: int) -> None:
        self.op = op
        self.prec = prec
        self.pos = pos


class _Operand:
    """A finished subtree, or an open chain ``a + b + ...`` still growing."""

    __slots__ = ("height", "node", "prec", "rest")

    def __init__(self, node: Node, height: int, prec: int = 0) -> None:
        self.node = node
        self.height = height
        self.prec = prec
        self.rest: list[tuple[str, Node, int]] = []

    def finish(self) -> Node:
        if self.rest:
            return Chain(self.node, tuple(self.rest))
        return self.node


class _Parser:
    __slots__ = ("dice_count", "limits", "operands", "scan", "stack", "terms", "text")

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.scan = Scanner(text, limits)
        self.operands: list[_Operand] = []
        self.stack: list[_Frame | _Pending] = []
        self.terms = 0
        self.dice_count = 0

    def run(self) -> Node:
        scan = self.scan
        scan.skip_ws()
        if scan.at_end():
            raise scan.error(_OPERAND, "Empty dice expression")
        expect_operand = True
        while True:
            scan.skip_ws()
            if expect_operand:
                expect_operand = self._operand_step()
            elif scan.at_end():
                break
            else:
                expect_operand = self._operator_step()
        self._reduce(0)
        if self.stack:
            frame = self.stack[-1]
            raise syntax_error(self.text, frame.pos, ("')'",), "Unclosed '('")
        return self.operands.pop().finish()

    # -- operand position -------------------------------------------------
    def _operand_step(self) -> bool:
        """Consume a prefix (sign, '(') or an atom; return whether an operand is still due."""
        scan = self.scan
        char = scan.peek()
        if char in ("+", "-") and char:
            self._push(_Pending(char, _UNARY, scan.pos))
            scan.pos += 1
            return True
        if char == "(":
            self._push(_Frame(scan.pos))
            scan.pos += 1
            return True
        top = self.stack[-1] if self.stack else None
        if char == ")" and isinstance(top, _Frame) and not top.items and not top.is_set:
            self.stack.pop()
            scan.pos += 1
            self._count_term(top.pos)
            self._postfix(NumberSet((), top.pos), 1)
            return False
        if not char:
            raise scan.error(_OPERAND, "Unexpected end of input")
        start = scan.pos
        atom = scan.number_or_dice()
        self._count_term(start)
        if isinstance(atom, Dice):
            self.dice_count += atom.count
            if self.dice_count > self.limits.max_rolls:
                raise DiceLimitError(
                    f"Too many dice{where(self.text, start)}: {shorten(self.dice_count)} in all, "
                    f"at most {self.limits.max_rolls} may be rolled at once",
                    expression=self.text,
                    position=start,
                )
            atom = dataclasses.replace(atom, ops=scan.ops(DICE_OPS))
        self._push_operand(dataclasses.replace(atom, annotations=scan.annotations()), 1, start)
        return False

    def _postfix(self, node: NumberSet | Paren, height: int) -> None:
        scan = self.scan
        ops = scan.ops(SET_OPS)
        node = dataclasses.replace(node, ops=ops, annotations=scan.annotations())
        self._push_operand(node, height, node.pos)

    # -- operator position ------------------------------------------------
    def _operator_step(self) -> bool:
        scan = self.scan
        text, pos = self.text, scan.pos
        for op, prec in _BINARY:
            if text.startswith(op, pos):
                self._reduce(prec)
                self._push(_Pending(op, prec, pos))
                scan.pos += len(op)
                return True
        char = text[pos]
        if char in (",", ")"):
            frame = self._reduce_to_frame(char)
            item = self.operands.pop()
            frame.height = max(frame.height, item.height)
            frame.items.append(item.finish())
            scan.pos += 1
            if char == ",":
                frame.is_set = True
                scan.skip_ws()
                if scan.peek() != ")":
                    return True
                scan.pos += 1
            self._close(frame)
            return False
        inside = any(isinstance(entry, _Frame) for entry in self.stack)
        expected = ("an operator", "','", "')'") if inside else ("an operator", "the end")
        raise scan.error(expected)

    def _close(self, frame: _Frame) -> None:
        self.stack.pop()
        if frame.is_set:
            self._postfix(NumberSet(tuple(frame.items), frame.pos), frame.height + 1)
        else:
            self._postfix(Paren(frame.items[0], frame.pos), frame.height + 1)

    def _reduce_to_frame(self, char: str) -> _Frame:
        self._reduce(0)
        if not self.stack:
            problem = "Unmatched ')'" if char == ")" else "',' outside parentheses"
            raise syntax_error(self.text, self.scan.pos, ("an operator", "the end"), problem)
        frame = self.stack[-1]
        assert isinstance(frame, _Frame)
        return frame

    # -- stacks -----------------------------------------------------------
    def _push(self, entry: _Frame | _Pending) -> None:
        if len(self.stack) >= self.limits.max_depth:
            self._too_deep(entry.pos)
        self.stack.append(entry)

    def _push_operand(self, node: Node, height: int, pos: int) -> None:
        if height > self.limits.max_depth:
            self._too_deep(pos)
        self.operands.append(_Operand(node, height))

    def _too_deep(self, pos: int) -> None:
        raise DiceLimitError(
            f"Expression nested too deeply{where(self.text, pos)}: "
            f"more than {self.limits.max_depth} levels",
            expression=self.text,
            position=pos,
        )

    def _count_term(self, pos: int) -> None:
        self.terms += 1
        if self.terms > self.limits.max_terms:
            raise DiceLimitError(
                f"Too many terms{where(self.text, pos)}: at most {self.limits.max_terms} "
                "numbers, dice and sets",
                expression=self.text,
                position=pos,
            )

    def _reduce(self, min_prec: int) -> None:
        """Apply waiting operators whose precedence is at least ``min_prec``."""
        stack, operands = self.stack, self.operands
        while stack:
            top = stack[-1]
            if isinstance(top, _Frame) or top.prec < min_prec:
                return
            stack.pop()
            right = operands.pop()
            if top.prec == _UNARY:
                node: Node = Unary(top.op, right.finish(), top.pos)
                self._push_operand(node, right.height + 1, top.pos)
                continue
            left = operands.pop()
            if left.prec == top.prec and left.rest:
                left.rest.append((top.op, right.finish(), top.pos))
                left.height = max(left.height, right.height + 1)
                operands.append(left)
            else:
                chain = _Operand(left.finish(), max(left.height, right.height) + 1, top.prec)
                chain.rest.append((top.op, right.finish(), top.pos))
                operands.append(chain)
            if operands[-1].height > self.limits.max_depth:
                self._too_deep(top.pos)


def parse_uncached(text: str, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse without the cache (the caller has checked the type and length)."""
    parser = _Parser(text, limits)
    root = parser.run()
    return Expression(root, text, format_node(root), parser.dice_count)


def check_length(text: object, limits: Limits) -> str:
    if not isinstance(text, str):
        raise TypeError(f"a dice expression must be a str, not {type(text).__name__}")
    if len(text) > limits.max_length:
        raise DiceLimitError(
            f"Dice expression too long: {len(text)} characters, at most {limits.max_length}",
            expression=text,
            position=limits.max_length,
        )
    return text


@lru_cache(maxsize=1024)
def parse_default(text: str) -> Expression:
    """``parse_uncached`` with the default limits, cached by text."""
    return parse_uncached(text, DEFAULT_LIMITS)


@lru_cache(maxsize=256)
def _parse_with(text: str, limits: Limits) -> Expression:
    return parse_uncached(text, limits)


def parse(expression: str, *, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse dice notation into an ``Expression`` (cached on text and limits).

    Raises ``DiceSyntaxError``, ``DiceLimitError`` or ``DiceValueError`` (a
    0-sided die, a number too large), each with the offending position.
    """
    check_length(expression, limits)
    if limits is DEFAULT_LIMITS or limits == DEFAULT_LIMITS:
        return parse_default(expression)
    return _parse_with(expression, limits)
