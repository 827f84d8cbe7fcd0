"""Operators applied while a roll runs: on dice pools, on sets, through parentheses.

Semantics follow d20 1.1.2 (see the compatibility spec), with one documented
choice: where d20 rerolls several dice in the arbitrary order of a Python
``set``, we reroll in slot order, left to right. Totals and kept dice are the
same either way; only which die receives which new value can differ.

``rr`` and ``e`` that can never stop (every face matches, or ``rr`` with an
``h``/``l`` selector) raise ``DiceLimitError`` before rolling anything;
every other runaway stops at ``Limits.max_rolls`` dice.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable
from itertools import compress

from ._ast import Op
from ._errors import DiceLimitError, shorten, where
from ._select import Selection, first_match, matches_face, select
from ._tree import DiceResult, ParenResult, Result, SetResult

__all__ = ["Context", "DiceOp", "MemberOp", "apply_view_op", "dice_op", "member_op"]


class Context:
    """Per-roll state: the injected generator and the dice still allowed."""

    __slots__ = ("randrange", "remaining", "source")

    def __init__(self, randrange: Callable[[int], int], remaining: int, source: str) -> None:
        self.randrange = randrange
        self.remaining = remaining
        self.source = source

    def draw(self, sides: int, pos: int) -> int:
        """One extra die (reroll or explosion), counted against the limit."""
        if self.remaining <= 0:
            raise DiceLimitError(
                f"Too many dice rolled{where(self.source, pos)}: the limit is reached "
                "(rerolls and explosions count)",
                expression=self.source,
                position=pos,
            )
        self.remaining -= 1
        return self.randrange(sides) + 1


DiceOp = Callable[[DiceResult, Context], None]
MemberOp = Callable[[list[Result]], None]


def _alive(res: DiceResult) -> list[int]:
    return list(compress(range(len(res.die_kept)), res.die_kept))


def _reroll_slot(res: DiceResult, slot: int, value: int) -> None:
    assert res.draws is not None
    res.slot_draw[slot] = len(res.draws)
    res.draws.append(value)
    res.draw_slot.append(slot)
    res.values[slot] = value


def _add_slot(res: DiceResult, value: int) -> None:
    assert res.draws is not None
    res.draw_slot.append(len(res.values))
    res.slot_draw.append(len(res.draws))
    res.draws.append(value)
    res.values.append(value)
    res.die_kept.append(True)


def _never_stops(op: Op, sides: int, source: str, why: str) -> DiceLimitError:
    return DiceLimitError(
        f"'{shorten(op)}'{where(source, op.pos)} {why} on a d{sides}, so it would never stop",
        expression=source,
        position=op.pos,
    )


def _keep(selection: Selection) -> DiceOp:
    if not selection.by_value and (selection.high, selection.low) in ((1, 0), (0, 1)):
        pick = max if selection.high else min

        def keep_one(res: DiceResult, ctx: Context) -> None:
            alive = _alive(res)
            if alive:
                best = pick(alive, key=res.values.__getitem__)
                kept = res.die_kept
                for i in alive:
                    kept[i] = i == best

        return keep_one

    def keep(res: DiceResult, ctx: Context) -> None:
        alive = _alive(res)
        chosen = select(res.values, alive, selection)
        if len(chosen) == len(alive):
            return
        kept = res.die_kept
        for i in alive:
            if i not in chosen:
                kept[i] = False

    return keep


def _drop(selection: Selection) -> DiceOp:
    def drop(res: DiceResult, ctx: Context) -> None:
        kept = res.die_kept
        for i in select(res.values, _alive(res), selection):
            kept[i] = False

    return drop


def _reroll(op: Op, selection: Selection, source: str) -> DiceOp:
    def reroll(res: DiceResult, ctx: Context) -> None:
        targets = sorted(select(res.values, _alive(res), selection))
        if not targets:
            return
        if selection.by_rank:
            raise _never_stops(op, res.sides, source, "always selects a die")
        if matches_face(selection, res.sides)[1]:
            raise _never_stops(op, res.sides, source, "matches every face")
        res.start_history()
        sides, pos, matches = res.sides, op.pos, selection.matches
        while targets:
            again = []
            for slot in targets:
                value = ctx.draw(sides, pos)
                _reroll_slot(res, slot, value)
                if matches(value):
                    again.append(slot)
            targets = again

    return reroll


def _reroll_once(op: Op, selection: Selection) -> DiceOp:
    def reroll_once(res: DiceResult, ctx: Context) -> None:
        targets = sorted(select(res.values, _alive(res), selection))
        if targets:
            res.start_history()
            for slot in targets:
                _reroll_slot(res, slot, ctx.draw(res.sides, op.pos))

    return reroll_once


def _reroll_add(op: Op) -> DiceOp:
    def reroll_add(res: DiceResult, ctx: Context) -> None:
        slot = first_match(res.values, _alive(res), op.selectors)
        if slot is not None:
            res.start_history()
            res.exploded.add(res.slot_draw[slot])
            _add_slot(res, ctx.draw(res.sides, op.pos))

    return reroll_add


def _explode(op: Op, selection: Selection, source: str) -> DiceOp:
    def explode(res: DiceResult, ctx: Context) -> None:
        alive = _alive(res)
        chosen = select(res.values, alive, selection)
        if not chosen:
            return
        if selection.by_value and matches_face(selection, res.sides)[1]:
            raise _never_stops(op, res.sides, source, "matches every face")
        res.start_history()
        values, sides, pos = res.values, res.sides, op.pos
        ranked = sorted(values[slot] for slot in alive) if selection.by_rank else None
        while chosen:
            first_new = len(values)
            for slot in sorted(chosen):
                res.exploded.add(res.slot_draw[slot])
                _add_slot(res, ctx.draw(sides, pos))
            chosen = _next_explosions(values, first_new, selection, ranked)

    return explode


def _next_explosions(
    values: list[int], first_new: int, selection: Selection, ranked: list[int] | None
) -> set[int]:
    """Which of the dice just added explode in turn.

    d20 re-selects over the whole pool and skips dice that already exploded.
    Old dice never need a second look: their values did not change, and new
    dice can only push them *out* of a highest/lowest-N group, never in. So
    only the new dice are tested, their rank found by bisection in ``ranked``
    (the sorted values of every kept die): linear work per round, not a sort.
    """
    new = range(first_new, len(values))
    chosen = {s for s in new if selection.matches(values[s])} if selection.by_value else set()
    if ranked is None:
        return chosen
    for slot in new:
        insort(ranked, values[slot])
    total = len(ranked)
    later_equal = Counter(values[slot] for slot in new)
    for slot in new:
        value = values[slot]
        lower, upper = bisect_left(ranked, value), bisect_right(ranked, value)
        later_equal[value] -= 1
        # Ties rank by roll order, so equal dice rolled before this one come first.
        equal_before = upper - lower - later_equal[value] - 1
        if (total - upper) + equal_before < selection.high or lower + equal_before < selection.low:
            chosen.add(slot)
    return chosen


def _clamp(op: Op) -> DiceOp:
    bound = op.selectors[-1].number
    raise_low = op.name == "mi"

    def clamp(res: DiceResult, ctx: Context) -> None:
        values, kept = res.values, res.die_kept
        if raise_low:
            hits = [s for s, v in enumerate(values) if kept[s] and v < bound]
        else:
            hits = [s for s, v in enumerate(values) if kept[s] and v > bound]
        if hits:
            res.start_history()
            for slot in hits:
                res.forced.setdefault(res.slot_draw[slot], []).append(bound)
                values[slot] = bound

    return clamp


def dice_op(op: Op, source: str) -> DiceOp:
    """The function that applies one operator to a rolled dice term."""
    selection = Selection(op.selectors)
    if op.name == "k":
        return _keep(selection)
    if op.name == "p":
        return _drop(selection)
    if op.name == "rr":
        return _reroll(op, selection, source)
    if op.name == "ro":
        return _reroll_once(op, selection)
    if op.name == "ra":
        return _reroll_add(op)
    if op.name == "e":
        return _explode(op, selection, source)
    return _clamp(op)


def drop_result(node: Result) -> None:
    node.kept = False
    node.total = 0


def member_op(op: Op) -> MemberOp:
    """k or p on the members of a set (each member's total is its value)."""
    selection = Selection(op.selectors)
    keep = op.name == "k"

    def apply(members: list[Result]) -> None:
        alive = [i for i, member in enumerate(members) if member.kept]
        chosen = select([member.total for member in members], alive, selection)
        for i in alive:
            if (i in chosen) != keep:
                drop_result(members[i])

    return apply


def apply_view_op(paren: ParenResult, as_dice: DiceOp, as_members: MemberOp, ctx: Context) -> None:
    """k/p on ``(x)``: act on the set inside, through any nesting of parentheses.

    ``(4d6)kh3`` keeps dice, ``((1, 2, 3))kh1`` keeps set members, and
    ``(1 + 2)p3`` drops the sum itself, as d20 does.
    """
    chain: list[ParenResult] = []
    node: Result = paren.inner
    while isinstance(node, ParenResult):
        chain.append(node)
        node = node.inner
    if isinstance(node, DiceResult):
        as_dice(node, ctx)
        node.recount()
    elif isinstance(node, SetResult):
        as_members(node.items)
        node.total = sum([item.total for item in node.items]) if node.kept else 0
    else:
        as_members([node])
    for outer in reversed(chain):
        outer.total = outer.inner.total if outer.kept else 0
    paren.total = paren.inner.total if paren.kept else 0
