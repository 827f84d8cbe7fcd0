"""Selectors: which members of a set or dice pool an operator acts on.

Repeats of an operator join into a union (``k1k2k3``, ``kh1kl1``). The union
of any list of selectors reduces to at most five parts, because highest-N
sets are nested (``h1`` inside ``h3``), and so are lowest-N, ``>N`` and
``<N``: the union is computed in one pass plus one sort, whatever the number
of selectors. Ties go to the earlier member, as in d20.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._ast import Number, Selector

__all__ = ["Selection", "first_match", "matches_face", "select"]


class Selection:
    """The reduced union of a list of selectors."""

    __slots__ = ("by_value", "equal", "greater", "high", "less", "low")

    def __init__(self, selectors: Sequence[Selector]) -> None:
        self.equal = frozenset(s.number for s in selectors if s.kind == "")
        greater = [s.number for s in selectors if s.kind == ">"]
        less = [s.number for s in selectors if s.kind == "<"]
        self.greater = min(greater) if greater else None
        self.less = max(less) if less else None
        self.high = max((s.number for s in selectors if s.kind == "h"), default=0)
        self.low = max((s.number for s in selectors if s.kind == "l"), default=0)
        self.by_value = bool(self.equal) or self.greater is not None or self.less is not None

    @property
    def by_rank(self) -> bool:
        return self.high > 0 or self.low > 0

    def matches(self, value: Number) -> bool:
        """Whether the value part of the union matches ``value``."""
        return (
            value in self.equal
            or (self.greater is not None and value > self.greater)
            or (self.less is not None and value < self.less)
        )


def matches_face(selection: Selection, sides: int) -> tuple[bool, bool]:
    """(some face matches, every face matches) the value part, on a die of ``sides`` faces."""
    if not selection.by_value:
        return False, False
    hits = _count_hits(selection, sides)
    return hits > 0, hits == sides


def _count_hits(selection: Selection, sides: int) -> int:
    """Faces 1..sides matched by the value part, without looping over every face."""
    low = 1 if selection.less is None else max(1, selection.less)
    high = sides if selection.greater is None else min(sides, selection.greater)
    # Faces outside [low, high] match < or >; inside, only literal values can.
    outside = (sides - high) + (low - 1) if low <= high else sides
    inside = sum(1 for v in selection.equal if low <= v <= high) if low <= high else 0
    return outside + inside


def _by_value(values: Sequence[Number], alive: list[int], selection: Selection) -> list[int]:
    equal, greater, less = selection.equal, selection.greater, selection.less
    if greater is None and less is None:
        if len(equal) == 1:
            (target,) = equal
            return [i for i in alive if values[i] == target]
        return [i for i in alive if values[i] in equal]
    if not equal and less is None and greater is not None:
        return [i for i in alive if values[i] > greater]
    if not equal and greater is None and less is not None:
        return [i for i in alive if values[i] < less]
    return [i for i in alive if selection.matches(values[i])]


def select(values: Sequence[Number], alive: list[int], selection: Selection) -> set[int]:
    """Indices (among ``alive``) selected by the union."""
    chosen: set[int] = set(_by_value(values, alive, selection)) if selection.by_value else set()
    count = len(alive)
    key = values.__getitem__
    high, low = selection.high, selection.low
    if high:
        if high >= count:
            return set(alive)
        if high == 1:
            chosen.add(max(alive, key=key))
        else:
            chosen.update(sorted(alive, key=key, reverse=True)[:high])
    if low:
        if low >= count:
            return set(alive)
        if low == 1:
            chosen.add(min(alive, key=key))
        else:
            chosen.update(sorted(alive, key=key)[:low])
    return chosen


def first_match(
    values: Sequence[Number], alive: list[int], selectors: Sequence[Selector]
) -> int | None:
    """d20's ``max_targets=1``: the first index the first fruitful selector picks."""
    if not alive:
        return None
    key = values.__getitem__
    for selector in selectors:
        kind, number = selector.kind, selector.number
        if kind == "h":
            if number > 0:
                return max(alive, key=key)
        elif kind == "l":
            if number > 0:
                return min(alive, key=key)
        else:
            for i in alive:
                value = values[i]
                if (
                    (kind == "" and value == number)
                    or (kind == ">" and value > number)
                    or (kind == "<" and value < number)
                ):
                    return i
    return None
