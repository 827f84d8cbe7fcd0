"""Syntax tree to evaluated tree: each expression compiles once into closures.

The closures are cached on the ``Expression``; a roll then costs one call per
node. Every die is drawn with ``rng.randrange(sides) + 1`` (``d%`` uses
``randrange(100) + 1``), one call per die, so scripted generators can drive
the engine through that one method.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence

from ._ast import Chain, Dice, Expression, Literal, Node, Number, NumberSet, Paren, Unary
from ._dice_ops import Context, DiceOp, apply_view_op, dice_op, member_op
from ._errors import DiceValueError, where
from ._tree import (
    ChainResult,
    DiceResult,
    LiteralResult,
    ParenResult,
    Result,
    SetResult,
    UnaryResult,
)

__all__ = ["BINARY", "Program", "compile_expression", "truncate"]

Program = Callable[[Context], Result]
_Binary = Callable[[Number, Number], Number]


def _compare(test: Callable[[Number, Number], bool]) -> _Binary:
    return lambda left, right: int(test(left, right))


BINARY: dict[str, _Binary] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "==": _compare(operator.eq),
    "!=": _compare(operator.ne),
    "<": _compare(operator.lt),
    ">": _compare(operator.gt),
    "<=": _compare(operator.le),
    ">=": _compare(operator.ge),
}


def compile_expression(expression: Expression) -> Program:
    """Build (once) the closure that rolls ``expression``."""
    return _Compiler(expression.source).node(expression.root, fresh=False)


class _Compiler:
    __slots__ = ("source",)

    def __init__(self, source: str) -> None:
        self.source = source

    def node(self, node: Node, *, fresh: bool) -> Program:
        """``fresh``: an enclosing k/p may drop this node, so never share its result."""
        if isinstance(node, Literal):
            return self.literal(node, fresh)
        if isinstance(node, Dice):
            return self.dice(node)
        if isinstance(node, NumberSet):
            return self.number_set(node)
        if isinstance(node, Paren):
            return self.paren(node, fresh)
        if isinstance(node, Unary):
            return self.unary(node)
        return self.chain(node)

    @staticmethod
    def literal(node: Literal, fresh: bool) -> Program:
        if fresh:
            return lambda ctx: LiteralResult(node)
        shared = LiteralResult(node)  # nothing can drop it: one result serves every roll
        return lambda ctx: shared

    def dice(self, node: Dice) -> Program:
        count, sides = node.count, node.sides
        ops: Sequence[DiceOp] = [dice_op(op, self.source) for op in node.ops]
        if count == 1 and not ops:

            def one_die(ctx: Context) -> Result:
                value = ctx.randrange(sides) + 1
                return DiceResult(node, [value], value)

            return one_die
        counter = range(count)
        if not ops:

            def plain_dice(ctx: Context) -> Result:
                draw = ctx.randrange
                values = [draw(sides) + 1 for _ in counter]
                return DiceResult(node, values, sum(values))

            return plain_dice

        def dice(ctx: Context) -> Result:
            draw = ctx.randrange
            values = [draw(sides) + 1 for _ in counter]
            res = DiceResult(node, values, 0)
            for op in ops:
                op(res, ctx)
            res.recount()
            return res

        return dice

    def number_set(self, node: NumberSet) -> Program:
        items = [self.node(item, fresh=True) for item in node.items]
        ops = [member_op(op) for op in node.ops]

        def number_set(ctx: Context) -> Result:
            members = [item(ctx) for item in items]
            if ops:
                for op in ops:
                    op(members)
            return SetResult(node, members)

        return number_set

    def paren(self, node: Paren, fresh: bool) -> Program:
        inner = self.node(node.inner, fresh=fresh or bool(node.ops))
        if not node.ops:
            return lambda ctx: ParenResult(node, inner(ctx))
        view_ops = [(dice_op(op, self.source), member_op(op)) for op in node.ops]

        def paren(ctx: Context) -> Result:
            res = ParenResult(node, inner(ctx))
            for as_dice, as_members in view_ops:
                apply_view_op(res, as_dice, as_members, ctx)
            return res

        return paren

    def unary(self, node: Unary) -> Program:
        operand = self.node(node.operand, fresh=False)
        if node.op == "-":
            return lambda ctx: _negate(node, operand(ctx))
        return lambda ctx: _plus(node, operand(ctx))

    def chain(self, node: Chain) -> Program:
        first = self.node(node.first, fresh=False)
        rest = [(BINARY[op], self.node(operand, fresh=False)) for op, operand, _ in node.rest]
        source = self.source
        if len(rest) == 1:
            apply, second = rest[0]

            def pair(ctx: Context) -> Result:
                left = first(ctx)
                right = second(ctx)
                try:
                    total = apply(left.total, right.total)
                except (ArithmeticError, ValueError) as exc:
                    raise _arithmetic_error(exc, source, node.rest[0][2]) from None
                return ChainResult(node, [left, right], total)

            return pair

        def chain(ctx: Context) -> Result:
            left = first(ctx)
            items = [left]
            total = left.total
            for index, (apply, operand) in enumerate(rest):
                right = operand(ctx)
                items.append(right)
                try:
                    total = apply(total, right.total)
                except (ArithmeticError, ValueError) as exc:
                    raise _arithmetic_error(exc, source, node.rest[index][2]) from None
            return ChainResult(node, items, total)

        return chain


def _negate(node: Unary, operand: Result) -> Result:
    return UnaryResult(node, operand, -operand.total)


def _plus(node: Unary, operand: Result) -> Result:
    return UnaryResult(node, operand, +operand.total)


def _arithmetic_error(exc: Exception, source: str, pos: int) -> DiceValueError:
    message = "Division by zero" if isinstance(exc, ZeroDivisionError) else "Number too large"
    return DiceValueError(f"{message}{where(source, pos)}", expression=source, position=pos)


# About 3,600 decimal digits: below Python's 4,300-digit limit on int-to-text conversion.
_MAX_TOTAL_BITS = 12_000


def truncate(value: Number, source: str) -> int:
    """The final total: truncated toward zero, as d20 does (``-3.5`` gives -3)."""
    if type(value) is not int:
        try:
            value = int(value)
        except (OverflowError, ValueError):
            raise DiceValueError(
                f"The total is not a finite number ({value})", expression=source, position=None
            ) from None
    if value.bit_length() > _MAX_TOTAL_BITS:
        raise DiceValueError("The total is too large to show", expression=source, position=None)
    return value
