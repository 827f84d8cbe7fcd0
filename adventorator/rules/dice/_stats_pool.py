"""Exact distribution of one dice term with its operators (``4d6kh3``, ``2d20kh1ro1``...).

Three routes, cheapest first:

1. per-die operators at the front (``mi``/``ma``, ``ro`` by value) change the
   single-die distribution; with nothing after them the term is a plain sum;
2. keep/drop by rank only (``kh3``, ``kh1kl1``, ``kh3pl1``) is a fixed mask
   over the sorted pool: icepool's ``Pool.keep`` computes it;
3. anything else enumerates the sorted multisets of the pool, within budget.

Operators that can repeat without end (``rr`` that a face can match, ``e``)
have no finite exact distribution and raise ``DiceStatsError``.
"""

from __future__ import annotations

from collections.abc import Iterator
from math import comb

from ._ast import Dice, Op, dice_label
from ._errors import shorten
from ._select import Selection, first_match, matches_face, select
from ._stats_base import Budget, Dist, point, power_sum, transform

__all__ = ["dice_dist"]

_ICEPOOL_MAX_OUTCOMES = 120
_Plan = tuple[str, Op, Selection]
_State = tuple[int, ...]
_Faces = list[tuple[int, int]]


def dice_dist(node: Dice, ops: tuple[Op, ...], budget: Budget) -> Dist:
    """Distribution of the kept total of ``node`` under ``ops`` (its own, or more via parens)."""
    count, sides = node.count, node.sides
    what = f"'{shorten(dice_label(node), 40)}'"
    plan = [_plan(op, sides, budget) for op in ops]
    budget.draws(_max_draws(count, plan))
    if count == 0:
        return point(0)
    budget.spend(sides, what)
    raw = Dist(dict.fromkeys(range(1, sides + 1), 1), sides)
    die, start = raw, 0
    while start < len(plan) and _per_die(plan[start]):
        die = _apply_per_die(die, plan[start], raw, budget, what)
        start += 1
    rest = plan[start:]
    if not rest:
        return power_sum(die, count, budget, what)
    mask = _rank_mask(count, rest)
    if mask is not None and len(die.counts) <= _ICEPOOL_MAX_OUTCOMES:
        return _icepool_keep(die, count, mask, budget, what)
    return _enumerate(die, count, rest, sides, budget, what)


def _plan(op: Op, sides: int, budget: Budget) -> _Plan:
    selection = Selection(op.selectors)
    name = op.name
    if name in ("rr", "e"):
        some_face, _ = matches_face(selection, sides)
        if selection.by_rank or some_face:
            kind = "explosions" if name == "e" else f"'{shorten(op)}', which can reroll without end"
            raise budget.fail(f"Exact odds are not available for {kind}", op.pos)
        # No fresh face can match: it acts once, on values set by mi/ma.
        return ("reroll_once" if name == "rr" else "explode_once", op, selection)
    kinds = {
        "k": "keep", "p": "drop", "ro": "reroll_once", "ra": "add_one", "mi": "min", "ma": "max"
    }  # fmt: skip
    return (kinds[name], op, selection)


def _max_draws(count: int, plan: list[_Plan]) -> int:
    live = total = count
    for kind, _, _ in plan:
        if kind == "reroll_once":
            total += live
        elif kind == "add_one":
            total += 1
            live += 1
        elif kind == "explode_once":
            total += live
            live *= 2
    return total


def _per_die(step: _Plan) -> bool:
    kind, _, selection = step
    return kind in ("min", "max") or (kind == "reroll_once" and not selection.by_rank)


def _apply_per_die(die: Dist, step: _Plan, raw: Dist, budget: Budget, what: str) -> Dist:
    kind, op, selection = step
    bound = op.selectors[-1].number
    if kind == "min":
        return transform(die, lambda v: max(v, bound), budget, what)
    if kind == "max":
        return transform(die, lambda v: min(v, bound), budget, what)
    sides = len(raw.counts)
    budget.spend(len(die.counts) + sides, what)
    # Every matching value is replaced by a fresh die: pool their weight first,
    # so the cost is values + faces, not values x faces.
    rerolled = 0
    counts: dict[int | float, int] = {}
    for value, weight in die.counts.items():
        if selection.matches(value):
            rerolled += weight
        else:
            counts[value] = counts.get(value, 0) + weight * sides
    if rerolled:
        for face in raw.counts:
            counts[face] = counts.get(face, 0) + rerolled
    return Dist(counts, die.denom * sides)


def _rank_mask(count: int, rest: list[_Plan]) -> tuple[int, ...] | None:
    """Kept positions of the sorted pool (lowest first), if every step is k/p by rank.

    Not when one step unites highest and lowest (``kh1kl1``): like d20, ties go to
    the earliest die for both, so on ``(4, 4, 4)`` they pick the same die, and
    what is kept depends on ties - the enumeration handles that exactly.
    """
    alive = list(range(count))
    for kind, _, selection in rest:
        if kind not in ("keep", "drop") or selection.by_value:
            return None
        if selection.high and selection.low:
            return None
        chosen = select(alive, list(range(len(alive))), selection)
        keep = kind == "keep"
        alive = [rank for index, rank in enumerate(alive) if (index in chosen) == keep]
    kept = set(alive)
    return tuple(1 if rank in kept else 0 for rank in range(count))


def _icepool_keep(die: Dist, count: int, mask: tuple[int, ...], budget: Budget, what: str) -> Dist:
    kept = sum(mask)
    if kept == 0:
        return point(0)
    if kept == count:
        return power_sum(die, count, budget, what)
    outcomes = len(die.counts)
    # icepool's pool evaluation grows with outcomes^2 * dice * kept (measured,
    # 0.1-2 microseconds per unit); refuse before it runs away.
    budget.spend(5 * outcomes * outcomes * count * kept + 200 * count, what)
    import icepool

    pool_die = icepool.Die({value: weight for value, weight in die.counts.items()})
    result = pool_die.pool(count).keep(mask).sum()
    counts: dict[int | float, int] = {}
    for value, quantity in zip(result.outcomes(), result.quantities(), strict=True):
        if quantity:
            counts[int(value)] = int(quantity)
    return budget.bounded(Dist(counts, int(result.denominator())), what)


def _multisets(faces: _Faces, size: int) -> Iterator[tuple[_State, int]]:
    """Sorted ``size``-multisets of ``faces`` (value, weight) with their total weight."""
    if size == 0:
        yield (), 1
        return
    last = len(faces) - 1
    stack: list[tuple[int, int, _State, int]] = [(0, size, (), 1)]
    while stack:
        index, left, prefix, weight = stack.pop()
        if left == 0:
            yield prefix, weight
            continue
        value, count = faces[index]
        if index == last:
            yield prefix + (value,) * left, weight * count**left
            continue
        for taken in range(left + 1):
            share = weight * comb(left, taken) * count**taken
            stack.append((index + 1, left - taken, prefix + (value,) * taken, share))


def _enumerate(
    die: Dist, count: int, rest: list[_Plan], sides: int, budget: Budget, what: str
) -> Dist:
    faces = [(int(value), weight) for value, weight in sorted(die.counts.items())]
    budget.spend(comb(count + len(faces) - 1, count) * (5 + count // 4), what)
    states: dict[_State, int] = {}
    for state, weight in _multisets(faces, count):
        states[state] = states.get(state, 0) + weight
    denom = die.denom**count
    for step in rest:
        states, denom = _step(states, denom, step, sides, budget, what)
    counts: dict[int | float, int] = {}
    for state, weight in states.items():
        total = sum(state)
        counts[total] = counts.get(total, 0) + weight
    return budget.bounded(Dist(counts, denom), what)


def _step(
    states: dict[_State, int], denom: int, step: _Plan, sides: int, budget: Budget, what: str
) -> tuple[dict[_State, int], int]:
    kind, op, selection = step
    budget.spend(2 * len(states), what)
    if kind in ("min", "max", "keep", "drop"):
        out: dict[_State, int] = {}
        for state, weight in states.items():
            new = _deterministic(state, kind, op, selection)
            out[new] = out.get(new, 0) + weight
        return out, denom
    # Stochastic: each state keeps `stay` and adds `fresh` new dice.
    plans: list[tuple[_State, int, int]] = []
    for state, weight in states.items():
        everyone = list(range(len(state)))
        if kind == "add_one":
            stay, fresh = state, (0 if first_match(state, everyone, op.selectors) is None else 1)
        else:
            chosen = select(state, everyone, selection)
            fresh = len(chosen)
            stay = (
                state
                if kind == "explode_once"
                else tuple(v for i, v in enumerate(state) if i not in chosen)
            )
        plans.append((stay, fresh, weight))
    most = max(fresh for _, fresh, _ in plans)
    raw_faces: _Faces = [(face, 1) for face in range(1, sides + 1)]
    out = {}
    for stay, fresh, weight in plans:
        budget.spend(5 * comb(fresh + sides - 1, fresh), what)
        scale = weight * sides ** (most - fresh)
        for extra, extra_weight in _multisets(raw_faces, fresh):
            new = tuple(sorted(stay + extra))
            out[new] = out.get(new, 0) + scale * extra_weight
    return out, denom * sides**most


def _deterministic(state: _State, kind: str, op: Op, selection: Selection) -> _State:
    if kind == "min":
        bound = op.selectors[-1].number
        return tuple(max(v, bound) for v in state)
    if kind == "max":
        bound = op.selectors[-1].number
        return tuple(min(v, bound) for v in state)
    chosen = select(state, list(range(len(state))), selection)
    keep = kind == "keep"
    return tuple(v for i, v in enumerate(state) if (i in chosen) == keep)
