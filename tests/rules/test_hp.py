"""Hit points, temporary HP, death saves and instant death (SRD 5.1 "Damage and Healing")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adventorator.rules.hp import (
    HitPointState,
    HpEvent,
    apply_damage,
    apply_healing,
    death_save,
    set_current,
    set_maximum,
    set_temporary,
    stabilize,
)
from adventorator.rules.srd import RulesError

E = HpEvent


def hp(current: int, maximum: int = 20, **fields: object) -> HitPointState:
    return HitPointState(current=current, maximum=maximum, **fields)  # type: ignore[arg-type]


def dying(successes: int = 0, failures: int = 0, maximum: int = 20) -> HitPointState:
    return hp(0, maximum, successes=successes, failures=failures)


DEAD = hp(0, dead=True)
STABLE = hp(0, stable=True)
LOST_STABILITY = (E.NO_LONGER_STABLE, E.DEATH_SAVE_FAILURE)

# --- damage -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "amount", "critical", "after", "events"),
    [
        pytest.param(hp(20), 0, False, hp(20), (), id="zero damage changes nothing"),
        pytest.param(hp(20), 7, False, hp(13), (E.LOST_HP,), id="plain damage"),
        pytest.param(hp(20), 19, True, hp(1), (E.LOST_HP,), id="critical above 0 is just damage"),
        pytest.param(
            hp(20, temporary=5), 3, False, hp(20, temporary=2), (E.TEMPORARY_ABSORBED,),
            id="SRD temporary HP: lost first",
        ),
        pytest.param(
            hp(20, temporary=5), 5, False, hp(20), (E.TEMPORARY_ABSORBED,),
            id="SRD temporary HP: exactly used up",
        ),
        pytest.param(
            hp(20, temporary=5), 12, False, hp(13), (E.TEMPORARY_ABSORBED, E.LOST_HP),
            id="SRD temporary HP: leftover damage carries over",
        ),
        pytest.param(hp(20), 20, False, hp(0), (E.LOST_HP, E.FELL_UNCONSCIOUS),
                     id="SRD falling unconscious: exactly 0"),
        pytest.param(hp(6, 12), 17, False, hp(0, 12), (E.LOST_HP, E.FELL_UNCONSCIOUS),
                     id="SRD instant death: remainder 11 < max 12 survives"),
        pytest.param(hp(6, 12), 18, False, hp(0, 12, dead=True), (E.LOST_HP, E.DIED_OUTRIGHT),
                     id="SRD instant death: remainder 12 == max 12 kills"),
        pytest.param(
            hp(6, 12, temporary=4), 22, False, hp(0, 12, dead=True),
            (E.TEMPORARY_ABSORBED, E.LOST_HP, E.DIED_OUTRIGHT),
            id="SRD instant death: counted after temporary HP",
        ),
        pytest.param(
            hp(6, 12, temporary=4), 21, False, hp(0, 12),
            (E.TEMPORARY_ABSORBED, E.LOST_HP, E.FELL_UNCONSCIOUS),
            id="SRD instant death: 1 short after temporary HP",
        ),
    ],
)  # fmt: skip
def test_damage_above_zero(
    before: HitPointState,
    amount: int,
    critical: bool,
    after: HitPointState,
    events: tuple[HpEvent, ...],
) -> None:
    change = apply_damage(before, amount, critical=critical)
    assert (change.before, change.after, change.events) == (before, after, events)


@pytest.mark.parametrize(
    ("before", "amount", "critical", "after", "events"),
    [
        pytest.param(dying(), 1, False, dying(failures=1), (E.DEATH_SAVE_FAILURE,),
                     id="SRD damage at 0: one failure"),
        pytest.param(dying(), 1, True, dying(failures=2), (E.DEATH_SAVE_FAILURE,),
                     id="SRD damage at 0: a critical is two failures"),
        pytest.param(dying(2, 1), 3, False, dying(2, 2), (E.DEATH_SAVE_FAILURE,),
                     id="SRD damage at 0: successes are kept"),
        pytest.param(dying(failures=2), 1, False, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="SRD damage at 0: third failure kills"),
        pytest.param(dying(failures=1), 1, True, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="SRD damage at 0: critical to third"),
        pytest.param(dying(failures=2), 1, True, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="failures never count past three"),
        pytest.param(dying(), 19, False, dying(failures=1), (E.DEATH_SAVE_FAILURE,),
                     id="SRD damage at 0: below the maximum is a failure"),
        pytest.param(dying(), 20, False, hp(0, dead=True), (E.DIED_OUTRIGHT,),
                     id="SRD damage at 0: the maximum or more kills outright"),
        pytest.param(STABLE, 1, False, dying(failures=1), LOST_STABILITY,
                     id="SRD stabilizing: damage ends stable"),
        pytest.param(STABLE, 3, True, dying(failures=2), LOST_STABILITY,
                     id="SRD stabilizing: a critical ends stable with two failures"),
        pytest.param(hp(0, temporary=5), 5, True, hp(0), (E.TEMPORARY_ABSORBED,),
                     id="damage at 0 fully absorbed by temporary HP costs no save"),
        pytest.param(DEAD, 10, False, DEAD, (E.NO_EFFECT_DEAD,), id="the dead take no damage"),
    ],
)  # fmt: skip
def test_damage_at_zero(
    before: HitPointState,
    amount: int,
    critical: bool,
    after: HitPointState,
    events: tuple[HpEvent, ...],
) -> None:
    change = apply_damage(before, amount, critical=critical)
    assert (change.after, change.events) == (after, events)


def test_knock_out_leaves_the_creature_stable_but_massive_damage_still_kills() -> None:
    # SRD "Knocking a Creature Out": unconscious and stable at 0.
    assert apply_damage(hp(5), 9, knock_out=True).after == STABLE
    assert apply_damage(hp(5), 9, knock_out=True).events == (E.LOST_HP, E.KNOCKED_OUT)
    assert apply_damage(hp(5), 25, knock_out=True).after == DEAD


def test_monsters_that_die_at_zero() -> None:
    # SRD "Monsters and Death": most monsters die the instant they drop to 0.
    goblin = hp(7, 7, dies_at_zero=True)
    change = apply_damage(goblin, 7)
    assert change.after == hp(0, 7, dies_at_zero=True, dead=True)
    assert change.events == (E.LOST_HP, E.DIED)


def test_change_reports_what_was_lost() -> None:
    change = apply_damage(hp(20, temporary=5), 12)
    assert (change.temporary_lost, change.hp_lost, change.hp_gained) == (5, 7, 0)
    assert change.to_json()["events"] == ["temporary HP absorbed damage", "lost hit points"]
    assert change.to_json()["after"]["current"] == 13


# --- healing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "amount", "after", "events"),
    [
        pytest.param(hp(10), 5, hp(15), (E.HEALED,), id="plain healing"),
        pytest.param(hp(10), 50, hp(20), (E.HEALED,), id="SRD healing: never above the maximum"),
        pytest.param(hp(20), 5, hp(20), (), id="already at the maximum"),
        pytest.param(hp(10, temporary=2), 5, hp(15, temporary=2), (E.HEALED,),
                     id="SRD healing: temporary HP are untouched"),
        pytest.param(dying(2, 2), 1, hp(1), (E.HEALED, E.REGAINED_CONSCIOUSNESS),
                     id="SRD healing at 0: conscious, death saves reset"),
        pytest.param(STABLE, 4, hp(4), (E.HEALED, E.REGAINED_CONSCIOUSNESS),
                     id="SRD healing at 0: a stable creature wakes"),
        pytest.param(dying(1, 1), 0, dying(1, 1), (), id="zero healing changes nothing"),
        pytest.param(DEAD, 10, DEAD, (E.NO_EFFECT_DEAD,), id="healing cannot raise the dead"),
    ],
)  # fmt: skip
def test_healing(
    before: HitPointState, amount: int, after: HitPointState, events: tuple[HpEvent, ...]
) -> None:
    change = apply_healing(before, amount)
    assert (change.after, change.events) == (after, events)


# --- temporary hit points ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "amount", "replace", "after", "events"),
    [
        pytest.param(hp(10), 5, False, hp(10, temporary=5), (E.GAINED_TEMPORARY,), id="gain"),
        pytest.param(hp(10, temporary=8), 5, False, hp(10, temporary=8), (E.KEPT_TEMPORARY,),
                     id="SRD temporary HP: don't stack, the higher is kept"),
        pytest.param(hp(10, temporary=5), 8, False, hp(10, temporary=8), (E.GAINED_TEMPORARY,),
                     id="SRD temporary HP: the higher replaces, not adds"),
        pytest.param(hp(10, temporary=8), 0, True, hp(10), (E.GAINED_TEMPORARY,),
                     id="replace: they run out"),
        pytest.param(dying(1, 1), 6, False, hp(0, temporary=6, successes=1, failures=1),
                     (E.GAINED_TEMPORARY,), id="SRD temporary HP at 0: no wake, no stabilise"),
        pytest.param(DEAD, 6, False, DEAD, (E.NO_EFFECT_DEAD,), id="dead"),
    ],
)  # fmt: skip
def test_temporary(
    before: HitPointState,
    amount: int,
    replace: bool,
    after: HitPointState,
    events: tuple[HpEvent, ...],
) -> None:
    change = set_temporary(before, amount, replace_existing=replace)
    assert (change.after, change.events) == (after, events)


# --- death saving throws ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "d20", "bonus", "after", "events"),
    [
        pytest.param(dying(), 10, 0, dying(successes=1), (E.DEATH_SAVE_SUCCESS,),
                     id="SRD death saves: 10 succeeds"),
        pytest.param(dying(), 9, 0, dying(failures=1), (E.DEATH_SAVE_FAILURE,),
                     id="SRD death saves: 9 fails"),
        pytest.param(dying(), 9, 1, dying(successes=1), (E.DEATH_SAVE_SUCCESS,),
                     id="a bonus (Bless) counts toward 10"),
        pytest.param(dying(2, 0), 15, 0, STABLE, (E.DEATH_SAVE_SUCCESS, E.STABILISED),
                     id="SRD death saves: third success stabilises and resets"),
        pytest.param(dying(2, 2), 12, 0, STABLE, (E.DEATH_SAVE_SUCCESS, E.STABILISED),
                     id="successes need not be consecutive"),
        pytest.param(dying(0, 2), 3, 0, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="SRD death saves: third failure kills"),
        pytest.param(dying(), 1, 0, dying(failures=2), (E.DEATH_SAVE_FAILURE,),
                     id="SRD death saves: natural 1 is two failures"),
        pytest.param(dying(), 1, 20, dying(failures=2), (E.DEATH_SAVE_FAILURE,),
                     id="natural 1 fails whatever the bonus"),
        pytest.param(dying(0, 1), 1, 0, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="natural 1 from one failure kills"),
        pytest.param(dying(0, 2), 1, 0, hp(0, failures=3, dead=True),
                     (E.DEATH_SAVE_FAILURE, E.DIED), id="natural 1 from two failures: three"),
        pytest.param(dying(1, 2), 20, 0, hp(1), (E.REGAINED_1_HP, E.REGAINED_CONSCIOUSNESS),
                     id="SRD death saves: natural 20 regains 1 HP and resets"),
        pytest.param(dying(), 20, -5, hp(1), (E.REGAINED_1_HP, E.REGAINED_CONSCIOUSNESS),
                     id="natural 20 whatever the penalty"),
    ],
)  # fmt: skip
def test_death_save(
    before: HitPointState,
    d20: int,
    bonus: int,
    after: HitPointState,
    events: tuple[HpEvent, ...],
) -> None:
    change = death_save(before, d20, bonus=bonus)
    assert (change.after, change.events) == (after, events)


@pytest.mark.parametrize(
    ("state", "message"),
    [(hp(5), "has hit points"), (STABLE, "is stable"), (DEAD, "is dead")],
)
def test_only_the_dying_make_death_saves(state: HitPointState, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        death_save(state, 10)


@pytest.mark.parametrize("face", [0, 21, True])
def test_death_save_needs_a_d20_face(face: int) -> None:
    with pytest.raises(RulesError, match="d20"):
        death_save(dying(), face)


# --- stabilising and game master settings -----------------------------------------------------


def test_stabilize() -> None:
    change = stabilize(dying(2, 2))
    assert (change.after, change.events) == (STABLE, (E.STABILISED,))
    assert stabilize(STABLE).events == (E.ALREADY_STABLE,)
    with pytest.raises(RulesError, match="dead"):
        stabilize(DEAD)
    with pytest.raises(RulesError, match="0 hit points"):
        stabilize(hp(3))


@pytest.mark.parametrize(
    ("before", "current", "after", "events"),
    [
        pytest.param(hp(10), 15, hp(15), (E.HP_SET,), id="set"),
        pytest.param(hp(10), 0, hp(0), (E.HP_SET, E.FELL_UNCONSCIOUS), id="set to 0 drops"),
        pytest.param(dying(1, 2), 5, hp(5), (E.HP_SET, E.REGAINED_CONSCIOUSNESS), id="wakes"),
        pytest.param(DEAD, 1, hp(1), (E.HP_SET, E.REVIVED), id="revivify"),
        pytest.param(hp(10), 10, hp(10), (), id="unchanged"),
    ],
)
def test_set_current(
    before: HitPointState, current: int, after: HitPointState, events: tuple[HpEvent, ...]
) -> None:
    change = set_current(before, current)
    assert (change.after, change.events) == (after, events)


def test_set_maximum_clamps_current() -> None:
    assert set_maximum(hp(18), 10).after == hp(10, 10)
    assert set_maximum(hp(18), 30).after == hp(18, 30)
    with pytest.raises(RulesError, match="maximum"):
        set_maximum(hp(18), 0)


# --- validation and JSON ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current": 21, "maximum": 20}, "current hit points"),
        ({"current": -1, "maximum": 20}, "current hit points"),
        ({"current": 0, "maximum": 0}, "maximum"),
        ({"current": 5, "maximum": 20, "temporary": -1}, "temporary"),
        ({"current": 5, "maximum": 20, "stable": True}, "only a creature at 0"),
        ({"current": 5, "maximum": 20, "failures": 1}, "death saves"),
        ({"current": 0, "maximum": 20, "successes": 3}, "successes"),
        ({"current": 0, "maximum": 20, "failures": 3}, "dead"),
        ({"current": 0, "maximum": 20, "stable": True, "dead": True}, "both"),
        ({"current": 0, "maximum": 20, "dead": "yes"}, "true or false"),
        ({"current": 5.5, "maximum": 20}, "whole number"),
    ],
)
def test_impossible_states_are_refused(fields: dict[str, object], message: str) -> None:
    with pytest.raises(RulesError, match=message):
        HitPointState(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [-1, 1.5, True, 10**7])
def test_bad_amounts_are_refused(amount: int) -> None:
    for apply in (apply_damage, apply_healing):
        with pytest.raises(RulesError):
            apply(hp(10), amount)


def test_json_round_trip() -> None:
    state = hp(0, 30, temporary=4, successes=2, failures=1, dies_at_zero=False)
    data = state.to_json()
    assert data["dying"] is True
    assert HitPointState.from_json(data) == state
    with pytest.raises(RulesError, match="current and maximum"):
        HitPointState.from_json({"current": 3})


# --- properties -------------------------------------------------------------------------------


@st.composite
def states(draw: st.DrawFn) -> HitPointState:
    maximum = draw(st.integers(1, 200))
    current = draw(st.integers(0, maximum))
    temporary = draw(st.integers(0, 50))
    if current > 0:
        return HitPointState(current=current, maximum=maximum, temporary=temporary)
    kind = draw(st.sampled_from(("dying", "stable", "dead")))
    if kind == "dying":
        return HitPointState(
            current=0,
            maximum=maximum,
            temporary=temporary,
            successes=draw(st.integers(0, 2)),
            failures=draw(st.integers(0, 2)),
        )
    return HitPointState(current=0, maximum=maximum, **{kind: True})


amounts = st.integers(0, 500)


@given(states(), amounts)
def test_healing_never_exceeds_the_maximum_nor_touches_temporary(
    state: HitPointState, amount: int
) -> None:
    after = apply_healing(state, amount).after
    assert after.current <= after.maximum
    assert after.current >= state.current
    assert after.temporary == state.temporary


@given(states(), amounts, st.booleans())
def test_damage_never_heals_and_conserves_what_it_takes(
    state: HitPointState, amount: int, critical: bool
) -> None:
    change = apply_damage(state, amount, critical=critical)
    after = change.after
    assert after.current <= state.current
    assert after.temporary <= state.temporary
    assert change.hp_lost + change.temporary_lost <= amount
    if not state.dead and after.current > 0:
        # While the creature stays up, every point is taken from temporary HP or HP.
        assert change.hp_lost + change.temporary_lost == amount
    assert after.dead or not state.dead  # the dead stay dead


@given(states(), st.integers(0, 100))
def test_temporary_hp_keep_the_higher(state: HitPointState, amount: int) -> None:
    after = set_temporary(state, amount).after
    if not state.dead:
        assert after.temporary == max(state.temporary, amount)
