"""Hit points, temporary hit points, dropping to 0 and death saving throws (SRD 5.1).

Every function takes a ``HitPointState`` and returns an ``HpChange``: the state
before, the state after and the events in between, so a caller can record the
change, show it and undo it by restoring ``before``. Nothing here rolls dice:
a death save takes the d20 face the caller rolled.

Rules, from SRD 5.1 "Combat: Damage and Healing":
- damage is taken from temporary hit points first ("Temporary Hit Points");
- at 0 hit points a creature falls unconscious and makes death saving throws
  ("Falling Unconscious", "Death Saving Throws");
- damage that leaves a remainder of at least the hit point maximum once the
  creature is at 0 kills it outright ("Instant Death");
- healing never exceeds the maximum, wakes a creature at 0 and resets its death
  saves, and never restores temporary hit points ("Healing");
- temporary hit points do not stack: the higher amount is kept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any

from adventorator.rules.srd import RulesError

__all__ = [
    "AMOUNT_LIMIT",
    "DEATH_SAVE_DC",
    "HP_LIMIT",
    "HitPointState",
    "HpChange",
    "HpEvent",
    "apply_damage",
    "apply_healing",
    "death_save",
    "set_current",
    "set_maximum",
    "set_temporary",
    "stabilize",
]

DEATH_SAVE_DC = 10  # SRD: "If the roll is 10 or higher, you succeed."
_THREE = 3  # three successes stabilise, three failures kill
# Bounds that still catch typos: the SRD's largest monster (the tarrasque) has 676 HP.
HP_LIMIT = 100_000
AMOUNT_LIMIT = 1_000_000


class HpEvent(enum.StrEnum):
    """What happened to a creature's hit points, in the order it happened."""

    TEMPORARY_ABSORBED = "temporary HP absorbed damage"
    LOST_HP = "lost hit points"
    FELL_UNCONSCIOUS = "fell unconscious"
    KNOCKED_OUT = "knocked out (unconscious and stable)"
    DIED_OUTRIGHT = "died outright"
    DEATH_SAVE_SUCCESS = "death save success"
    DEATH_SAVE_FAILURE = "death save failure"
    DIED = "died"
    NO_LONGER_STABLE = "no longer stable"
    STABILISED = "stabilised"
    REGAINED_1_HP = "regained 1 HP"
    HEALED = "regained hit points"
    REGAINED_CONSCIOUSNESS = "regained consciousness"
    GAINED_TEMPORARY = "gained temporary HP"
    KEPT_TEMPORARY = "kept the higher temporary HP"
    HP_SET = "hit points set"
    MAXIMUM_SET = "hit point maximum set"
    REVIVED = "revived"
    NO_EFFECT_DEAD = "dead: no effect"
    ALREADY_STABLE = "already stable"


def _whole(name: str, value: int, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise RulesError(f"{name} must be {low}-{high}, got {value}")
    return value


@dataclass(frozen=True, kw_only=True)
class HitPointState:
    """A creature's hit points and, at 0 HP, its death saving throws.

    ``dies_at_zero`` is for monsters: the SRD lets most of them die the moment
    they drop to 0 instead of making death saves ("Monsters and Death").
    Impossible combinations (a stable creature with hit points, death saves
    above 0 HP) raise ``RulesError`` when built.
    """

    current: int
    maximum: int
    temporary: int = 0
    successes: int = 0
    failures: int = 0
    stable: bool = False
    dead: bool = False
    dies_at_zero: bool = False

    def __post_init__(self) -> None:
        _whole("hit point maximum", self.maximum, 1, HP_LIMIT)
        _whole("current hit points", self.current, 0, self.maximum)
        _whole("temporary hit points", self.temporary, 0, HP_LIMIT)
        _whole("death save successes", self.successes, 0, _THREE - 1)
        _whole("death save failures", self.failures, 0, _THREE)
        for flag in ("stable", "dead", "dies_at_zero"):
            if not isinstance(getattr(self, flag), bool):
                raise RulesError(f"{flag} must be true or false, got {getattr(self, flag)!r}")
        at_zero = self.current == 0
        if (self.stable or self.dead) and not at_zero:
            raise RulesError("only a creature at 0 hit points can be stable or dead")
        if self.stable and self.dead:
            raise RulesError("a creature cannot be both stable and dead")
        if (self.successes or self.failures) and not at_zero:
            raise RulesError("only a creature at 0 hit points has death saves")
        if self.failures == _THREE and not self.dead:
            raise RulesError("three death save failures means the creature is dead")

    @property
    def dying(self) -> bool:
        """At 0 HP, neither stable nor dead: it makes death saving throws."""
        return self.current == 0 and not self.stable and not self.dead

    @property
    def unconscious(self) -> bool:
        """At 0 HP and alive (dying or stable)."""
        return self.current == 0 and not self.dead

    @property
    def effective(self) -> int:
        """Current plus temporary hit points: the damage it takes to reach 0."""
        return self.current + self.temporary

    def to_json(self) -> dict[str, Any]:
        """Every field by name, plus ``dying``; ``from_json`` reads it back."""
        return {
            "current": self.current,
            "maximum": self.maximum,
            "temporary": self.temporary,
            "successes": self.successes,
            "failures": self.failures,
            "stable": self.stable,
            "dead": self.dead,
            "dies_at_zero": self.dies_at_zero,
            "dying": self.dying,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HitPointState:
        """The state ``to_json`` wrote (``dying`` is derived, so ignored)."""
        if "current" not in data or "maximum" not in data:
            raise RulesError("hit point state needs current and maximum")
        return cls(
            current=data["current"],
            maximum=data["maximum"],
            temporary=data.get("temporary", 0),
            successes=data.get("successes", 0),
            failures=data.get("failures", 0),
            stable=data.get("stable", False),
            dead=data.get("dead", False),
            dies_at_zero=data.get("dies_at_zero", False),
        )


@dataclass(frozen=True)
class HpChange:
    """One change to a creature's hit points: ``before``, ``after`` and the events."""

    before: HitPointState
    after: HitPointState
    events: tuple[HpEvent, ...]

    @property
    def hp_lost(self) -> int:
        """Hit points (not temporary) lost."""
        return max(0, self.before.current - self.after.current)

    @property
    def hp_gained(self) -> int:
        """Hit points (not temporary) regained."""
        return max(0, self.after.current - self.before.current)

    @property
    def temporary_lost(self) -> int:
        """Temporary hit points used up."""
        return max(0, self.before.temporary - self.after.temporary)

    def to_json(self) -> dict[str, Any]:
        """``{before, after, events}`` with events as their text."""
        return {
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "events": [event.value for event in self.events],
        }


def _amount(name: str, amount: int) -> int:
    return _whole(name, amount, 0, AMOUNT_LIMIT)


def _knocked_to_zero(state: HitPointState, *, knock_out: bool) -> tuple[HitPointState, HpEvent]:
    """The creature has just dropped to 0 with no damage left to kill it outright."""
    if state.dies_at_zero:
        return replace(state, dead=True), HpEvent.DIED
    # SRD "Knocking a Creature Out": the attacker may leave it unconscious and stable.
    if knock_out:
        return replace(state, stable=True), HpEvent.KNOCKED_OUT
    return state, HpEvent.FELL_UNCONSCIOUS


def _damage_at_zero(
    state: HitPointState, amount: int, *, critical: bool
) -> tuple[HitPointState, list[HpEvent]]:
    """SRD "Damage at 0 Hit Points": one failure (two on a critical), or instant death."""
    events: list[HpEvent] = []
    if state.stable:
        # SRD "Stabilizing a Creature": it stops being stable if it takes any damage.
        events.append(HpEvent.NO_LONGER_STABLE)
        state = replace(state, stable=False)
    if amount >= state.maximum:
        return replace(state, dead=True), [*events, HpEvent.DIED_OUTRIGHT]
    failures = min(_THREE, state.failures + (2 if critical else 1))
    events.append(HpEvent.DEATH_SAVE_FAILURE)
    if failures == _THREE:
        return replace(state, failures=failures, dead=True), [*events, HpEvent.DIED]
    return replace(state, failures=failures), events


def apply_damage(
    state: HitPointState, amount: int, *, critical: bool = False, knock_out: bool = False
) -> HpChange:
    """Take ``amount`` damage (already adjusted for resistances): temporary HP first.

    ``critical`` matters only at 0 HP, where it is two death save failures.
    ``knock_out`` (a melee attacker's choice) leaves a creature it drops to 0
    unconscious and stable; massive damage still kills. Damage fully absorbed
    by temporary hit points costs no death save, since no hit points were lost.
    """
    _amount("damage", amount)
    if state.dead:
        return HpChange(state, state, (HpEvent.NO_EFFECT_DEAD,) if amount else ())
    if amount == 0:
        return HpChange(state, state, ())
    events: list[HpEvent] = []
    absorbed = min(state.temporary, amount)
    remaining = amount - absorbed
    after = replace(state, temporary=state.temporary - absorbed)
    if absorbed:
        events.append(HpEvent.TEMPORARY_ABSORBED)
    if remaining == 0:
        return HpChange(state, after, tuple(events))
    if after.current == 0:
        after, more = _damage_at_zero(after, remaining, critical=critical)
        return HpChange(state, after, (*events, *more))
    events.append(HpEvent.LOST_HP)
    if remaining < after.current:
        return HpChange(state, replace(after, current=after.current - remaining), tuple(events))
    overflow = remaining - after.current
    after = replace(after, current=0, successes=0, failures=0)
    if overflow >= after.maximum:  # SRD "Instant Death"
        return HpChange(state, replace(after, dead=True), (*events, HpEvent.DIED_OUTRIGHT))
    after, dropped = _knocked_to_zero(after, knock_out=knock_out)
    return HpChange(state, after, (*events, dropped))


def apply_healing(state: HitPointState, amount: int) -> HpChange:
    """Regain ``amount`` hit points, up to the maximum; temporary HP are untouched.

    At 0 HP any healing wakes the creature and resets its death saves (SRD
    "Healing"). The dead stay dead: only magic such as revivify brings them
    back, which the game master records with ``set_current``.
    """
    _amount("healing", amount)
    if state.dead:
        return HpChange(state, state, (HpEvent.NO_EFFECT_DEAD,) if amount else ())
    current = min(state.maximum, state.current + amount)
    if current == state.current:
        return HpChange(state, state, ())
    after = replace(state, current=current, successes=0, failures=0, stable=False)
    events = [HpEvent.HEALED]
    if state.current == 0:
        events.append(HpEvent.REGAINED_CONSCIOUSNESS)
    return HpChange(state, after, tuple(events))


def set_temporary(state: HitPointState, amount: int, *, replace_existing: bool = False) -> HpChange:
    """Gain ``amount`` temporary hit points; they do not stack, so the higher is kept.

    ``replace_existing`` sets them exactly (they ran out, or the game master
    corrects them). Temporary HP never wake or stabilise a creature at 0.
    """
    _whole("temporary hit points", amount, 0, HP_LIMIT)
    if state.dead:
        return HpChange(state, state, (HpEvent.NO_EFFECT_DEAD,))
    if not replace_existing and amount <= state.temporary:
        return HpChange(state, state, (HpEvent.KEPT_TEMPORARY,))
    after = replace(state, temporary=amount)
    return HpChange(state, after, (HpEvent.GAINED_TEMPORARY,) if after != state else ())


def death_save(state: HitPointState, d20_roll: int, *, bonus: int = 0) -> HpChange:
    """Record one death saving throw: ``d20_roll`` is the d20's face, ``bonus`` any additions.

    SRD "Death Saving Throws": a total of 10 or more succeeds; a natural 1 is
    two failures; a natural 20 brings the creature back with 1 hit point. The
    third success stabilises it, the third failure kills it, and both counts
    reset when it stabilises or regains hit points. Only a dying creature rolls.
    """
    _whole("death save d20", d20_roll, 1, 20)
    _whole("death save bonus", bonus, -AMOUNT_LIMIT, AMOUNT_LIMIT)
    if not state.dying:
        why = "is dead" if state.dead else "is stable" if state.stable else "has hit points"
        raise RulesError(f"only a dying creature makes death saves; this one {why}")
    if d20_roll == 20:
        after = replace(state, current=1, successes=0, failures=0)
        return HpChange(state, after, (HpEvent.REGAINED_1_HP, HpEvent.REGAINED_CONSCIOUSNESS))
    if d20_roll != 1 and d20_roll + bonus >= DEATH_SAVE_DC:
        if state.successes + 1 == _THREE:
            after = replace(state, successes=0, failures=0, stable=True)
            return HpChange(state, after, (HpEvent.DEATH_SAVE_SUCCESS, HpEvent.STABILISED))
        after = replace(state, successes=state.successes + 1)
        return HpChange(state, after, (HpEvent.DEATH_SAVE_SUCCESS,))
    failures = min(_THREE, state.failures + (2 if d20_roll == 1 else 1))
    if failures == _THREE:
        after = replace(state, failures=failures, dead=True)
        return HpChange(state, after, (HpEvent.DEATH_SAVE_FAILURE, HpEvent.DIED))
    return HpChange(state, replace(state, failures=failures), (HpEvent.DEATH_SAVE_FAILURE,))


def stabilize(state: HitPointState) -> HpChange:
    """Make a dying creature stable (Medicine DC 10 or a healer's kit; SRD "Stabilizing").

    A stable creature stays at 0 HP, unconscious, and makes no death saves.
    """
    if state.dead:
        raise RulesError("a dead creature cannot be stabilised")
    if state.current > 0:
        raise RulesError("only a creature at 0 hit points can be stabilised")
    if state.stable:
        return HpChange(state, state, (HpEvent.ALREADY_STABLE,))
    after = replace(state, stable=True, successes=0, failures=0)
    return HpChange(state, after, (HpEvent.STABILISED,))


def set_current(state: HitPointState, current: int) -> HpChange:
    """The game master sets hit points directly (``adv hp NAME --set N``).

    Above 0 the creature is conscious with no death saves, and a dead one is
    revived (revivify, or a correction); setting 0 drops it as damage would.
    """
    _whole("current hit points", current, 0, state.maximum)
    if current == state.current:
        return HpChange(state, state, ())
    if current > 0:
        after = replace(state, current=current, successes=0, failures=0, stable=False, dead=False)
        extra = HpEvent.REVIVED if state.dead else HpEvent.REGAINED_CONSCIOUSNESS
        events = (HpEvent.HP_SET, extra) if state.current == 0 else (HpEvent.HP_SET,)
        return HpChange(state, after, events)
    after, dropped = _knocked_to_zero(replace(state, current=0), knock_out=False)
    return HpChange(state, after, (HpEvent.HP_SET, dropped))


def set_maximum(state: HitPointState, maximum: int) -> HpChange:
    """Set the hit point maximum (level up, exhaustion 4); current HP never exceed it."""
    _whole("hit point maximum", maximum, 1, HP_LIMIT)
    if maximum == state.maximum:
        return HpChange(state, state, ())
    after = replace(state, maximum=maximum, current=min(state.current, maximum))
    return HpChange(state, after, (HpEvent.MAXIMUM_SET,))
