"""Hypothesis strategies that mirror the dice grammar, and a random generator that counts draws."""

from __future__ import annotations

import random

from hypothesis import strategies as st


class CountingRandom(random.Random):
    """A seeded generator that counts the dice drawn from it."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self.calls = 0

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        self.calls += 1
        return super().randrange(start, stop, step)


SIDES = (1, 2, 3, 4, 6, 8, 10, 12, 20)


BINARY_OPS = ("+", "-", "*", "/", "//", "%", "==", "!=", "<", ">", "<=", ">=")


@st.composite
def _selector(draw: st.DrawFn, sides: int) -> str:
    kind = draw(st.sampled_from(("", "h", "l", "<", ">")))
    if kind in ("h", "l"):
        return f"{kind}{draw(st.integers(0, 4))}"
    return f"{kind}{draw(st.integers(0, sides + 1))}"


@st.composite
def _repeating_selector(draw: st.DrawFn, sides: int, *, rank: bool) -> str:
    """Selectors for rr/e that leave at least one face alone, so they end."""
    kinds = ["", ">", "<"] + (["h", "l"] if rank else [])
    kind = draw(st.sampled_from(kinds))
    if kind in ("h", "l"):
        return f"{kind}{draw(st.integers(0, 3))}"
    if kind == ">":
        return f">{draw(st.integers(1, sides + 1))}"
    if kind == "<":
        return f"<{draw(st.integers(0, sides))}"
    if sides == 1:
        return "2"
    return str(draw(st.integers(1, sides)))


@st.composite
def _dice_op(draw: st.DrawFn, sides: int) -> str:
    name = draw(st.sampled_from(("k", "p", "rr", "ro", "ra", "e", "mi", "ma")))
    if name in ("mi", "ma"):
        return f"{name}{draw(st.integers(0, sides + 1))}"
    if name in ("rr", "e"):
        return name + draw(_repeating_selector(sides, rank=name == "e"))
    return name + draw(_selector(sides))


@st.composite
def dice_terms(
    draw: st.DrawFn, *, max_count: int = 6, ops: bool = True, sides_from: tuple[int, ...] = SIDES
) -> str:
    count = draw(st.integers(0, max_count))
    sides = draw(st.sampled_from(sides_from))
    prefix = "" if count == 1 and draw(st.booleans()) else str(count)
    suffix = "".join(draw(st.lists(_dice_op(sides), max_size=3))) if ops else ""
    return f"{prefix}d{sides}{suffix}"


def _set_ops() -> st.SearchStrategy[str]:
    op = st.builds(lambda name, sel: name + sel, st.sampled_from(("k", "p")), _selector(6))
    return st.lists(op, max_size=2).map("".join)


_annotation = st.sampled_from(("", "", "", " [fire]", "[x]", " [a][b]"))


_literal = st.one_of(
    st.integers(0, 20).map(str), st.sampled_from(("0.5", "2.5", ".5", "3.", "1.25"))
)


def expressions(
    *,
    ops: bool = True,
    max_leaves: int = 6,
    max_count: int = 6,
    sides_from: tuple[int, ...] = SIDES,
) -> st.SearchStrategy[str]:
    """Dice expressions in the notation shared with d20 (no d%, no D, d20's spacing)."""
    atom = st.one_of(_literal, dice_terms(ops=ops, max_count=max_count, sides_from=sides_from))
    leaves = st.builds(lambda a, note: a + note, atom, _annotation)

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.builds(
            lambda a, op, b: f"{a} {op} {b}", children, st.sampled_from(BINARY_OPS), children
        )
        unary = st.builds(lambda sign, a: sign + a, st.sampled_from(("-", "+")), children)
        paren = st.builds(
            lambda a, o, note: f"({a}){o}{note}",
            children,
            _set_ops() if ops else st.just(""),
            _annotation,
        )
        number_set = st.builds(
            lambda items, o: "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")" + o,
            st.lists(children, max_size=3),
            _set_ops() if ops else st.just(""),
        )
        return st.one_of(binary, unary, paren, number_set)

    return st.recursive(leaves, extend, max_leaves=max_leaves)
