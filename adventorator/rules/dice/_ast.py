"""The syntax tree: immutable, produced by the parser, shared by every roll.

Binary operators of one precedence level form one n-ary ``Chain`` so that a
2,000-term sum is a flat node, not a 2,000-deep tree. Annotations and
operators (``kh3``, ``rr1``...) belong to the atom they follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Chain",
    "Dice",
    "Expression",
    "Literal",
    "Node",
    "NumberSet",
    "Op",
    "Paren",
    "Selector",
    "Unary",
    "dice_label",
    "format_node",
    "format_number",
    "format_ops",
]

Number = int | float

# Operators that a dice term accepts; sets and parentheses accept only k and p.
DICE_OPS = ("rr", "ro", "ra", "mi", "ma", "k", "p", "e")
SET_OPS = ("k", "p")
# Repeats of these are not merged into one union (d20 calls them "immediate").
IMMEDIATE_OPS = frozenset({"mi", "ma"})


@dataclass(frozen=True, slots=True)
class Selector:
    """``kind`` is ``""`` (a literal value), ``"h"``, ``"l"``, ``">"`` or ``"<"``."""

    kind: str
    number: int

    def __str__(self) -> str:
        return f"{self.kind}{self.number}"


@dataclass(frozen=True, slots=True)
class Op:
    """One operator with the union of its selectors: ``k1k2k3`` is one ``Op``."""

    name: str
    selectors: tuple[Selector, ...]
    pos: int

    def __str__(self) -> str:
        return "".join(f"{self.name}{selector}" for selector in self.selectors)


@dataclass(frozen=True, slots=True)
class Literal:
    value: Number
    pos: int
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dice:
    """``count`` dice of ``sides`` faces; ``percent`` marks ``d%`` (1-100).

    ``count_end`` is where the count text ends (the ``d``), so that
    ``double_dice`` can rewrite the count in the user's own text.
    """

    count: int
    sides: int
    percent: bool
    pos: int
    count_end: int
    ops: tuple[Op, ...] = ()
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NumberSet:
    """``(a, b, c)``, ``(x,)`` or ``()``."""

    items: tuple[Node, ...]
    pos: int
    ops: tuple[Op, ...] = ()
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paren:
    """``(x)``: operators on it act on the set inside (``(4d6)kh3`` keeps dice)."""

    inner: Node
    pos: int
    ops: tuple[Op, ...] = ()
    annotations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class Chain:
    """``first op1 x1 op2 x2 ...``, left-associative; ``rest`` holds (op, node, op_pos)."""

    first: Node
    rest: tuple[tuple[str, Node, int], ...]


Node = Literal | Dice | NumberSet | Paren | Unary | Chain


@dataclass(frozen=True, slots=True)
class Expression:
    """A parsed dice expression: what ``parse()`` returns and ``roll()`` accepts.

    ``text`` is the normalised form (``"1d20 + 5"``), ``dice_count`` the number
    of dice rolled before any reroll or explosion.
    """

    root: Node
    source: str = field(compare=False)
    text: str = field(compare=False)
    dice_count: int = field(compare=False)
    # Per-expression caches (compiled program, advantage variants).
    _program: Any = field(default=None, compare=False, repr=False)
    _variants: dict[Any, Expression] = field(default_factory=dict, compare=False, repr=False)

    def __str__(self) -> str:
        return self.text


def format_number(value: Number) -> str:
    """Numbers as d20 prints them: ``5``, ``0.5``, ``3.0``."""
    return str(value)


def format_ops(ops: tuple[Op, ...]) -> str:
    return "".join(str(op) for op in ops)


def _annotate(text: str, annotations: tuple[str, ...]) -> str:
    if annotations:
        return f"{text} {''.join(annotations)}"
    return text


def dice_label(node: Dice) -> str:
    """``4d6kh3``: the dice term without its annotations."""
    sides = "%" if node.percent else str(node.sides)
    return f"{node.count}d{sides}{format_ops(node.ops)}"


def format_node(node: Node) -> str:
    """The normalised text of a node (recursion is bounded by ``max_depth``)."""
    if isinstance(node, Literal):
        return _annotate(format_number(node.value), node.annotations)
    if isinstance(node, Dice):
        return _annotate(dice_label(node), node.annotations)
    if isinstance(node, NumberSet):
        inside = ", ".join(format_node(item) for item in node.items)
        if len(node.items) == 1:
            inside += ","
        return _annotate(f"({inside}){format_ops(node.ops)}", node.annotations)
    if isinstance(node, Paren):
        text = f"({format_node(node.inner)}){format_ops(node.ops)}"
        return _annotate(text, node.annotations)
    if isinstance(node, Unary):
        return f"{node.op}{format_node(node.operand)}"
    parts = [format_node(node.first)]
    for op, operand, _ in node.rest:
        parts.append(op)
        parts.append(format_node(operand))
    return " ".join(parts)
