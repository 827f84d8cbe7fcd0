"""The play state a sheet carries: hit points, death saves, conditions, exhaustion, defences.

The sheet stores them as the player would write them (``hp``, ``conditions``,
``exhaustion``, ``resistances`` ...); the rules engine works on its own values
(``rules.hp.HitPointState``, ``rules.damage.Defences``). These functions convert
one into the other, so commands never touch the JSON and the rules never see
a sheet. ``play_state`` is the part of a sheet an event records and undo restores.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator

from adventorator.rules.conditions import (
    Condition,
    condition_defences,
    hit_point_maximum,
    validate_exhaustion,
)
from adventorator.rules.damage import DamageType, Defences, parse_damage_type
from adventorator.rules.hp import HitPointState
from adventorator.rules.srd import RulesError
from adventorator.sheet._fields import _name_parser

if TYPE_CHECKING:
    from adventorator.sheet._model import CharacterSheet

__all__ = [
    "PLAY_STATE_FIELDS",
    "DamageTypeName",
    "defences",
    "hit_points",
    "play_state",
    "rules_conditions",
    "with_conditions",
    "with_hit_points",
    "with_play_state",
]

DamageTypeName = Annotated[
    DamageType,
    BeforeValidator(
        _name_parser(parse_damage_type, "damage type", ", ".join(t.value for t in DamageType))
    ),
]

# What an event records and undo restores: everything a fight changes on a sheet.
PLAY_STATE_FIELDS = ("hp", "conditions", "exhaustion", "concentration")


def rules_conditions(sheet: CharacterSheet) -> tuple[Condition, ...]:
    """The sheet's named conditions as the rules know them (exhaustion is its own level)."""
    return tuple(Condition(c.value) for c in sheet.conditions if c.value != "exhaustion")


def hit_points(sheet: CharacterSheet) -> HitPointState:
    """The sheet's hit points for the rules, with the maximum exhaustion 4+ halves.

    ``RulesError`` when the sheet records no hit points.
    """
    if sheet.hp is None:
        raise RulesError(f"{sheet.name} has no hit points on the sheet: set them with hp --max N")
    hp = sheet.hp
    maximum, _ = hit_point_maximum(hp.max, sheet.exhaustion)
    return HitPointState(
        current=min(hp.current, maximum),
        maximum=maximum,
        temporary=hp.temp,
        successes=hp.death_saves.successes,
        failures=hp.death_saves.failures,
        stable=hp.stable,
        dead=hp.dead,
    )


def with_hit_points(sheet: CharacterSheet, state: HitPointState) -> CharacterSheet:
    """The sheet holding ``state``; an exhaustion-halved maximum keeps the written one."""
    written = sheet.hp.max if sheet.hp is not None else state.maximum
    effective, _ = hit_point_maximum(written, sheet.exhaustion)
    maximum = written if state.maximum == effective else state.maximum
    hp = {
        "max": maximum,
        "current": state.current,
        "temp": state.temporary,
        "death_saves": {"successes": state.successes, "failures": state.failures},
        "stable": state.stable,
        "dead": state.dead,
    }
    return _revalidated(sheet, {"hp": hp})


def with_conditions(
    sheet: CharacterSheet, conditions: Iterable[str], exhaustion: int
) -> CharacterSheet:
    """The sheet with exactly these named conditions and this exhaustion level (0-6)."""
    names = [c for c in dict.fromkeys(conditions) if c != "exhaustion"]
    return _revalidated(sheet, {"conditions": names, "exhaustion": validate_exhaustion(exhaustion)})


def defences(sheet: CharacterSheet) -> tuple[Defences, tuple[str, ...]]:
    """The sheet's resistances, immunities and vulnerabilities, plus its conditions' own.

    The reasons say which condition added a defence (petrified: resistance to all).
    """
    own = Defences.of(
        resistances=sheet.resistances,
        immunities=sheet.immunities,
        vulnerabilities=sheet.vulnerabilities,
    )
    extra, reasons = condition_defences(rules_conditions(sheet))
    return own.union(extra), reasons


def play_state(sheet: CharacterSheet) -> dict[str, Any]:
    """The recorded play state: ``{"hp": {...} | None, "conditions": [...], "exhaustion": n}``.

    ``concentration`` is there only while it is held, so events recorded before it
    existed still equal the state of a character who concentrates on nothing.
    """
    hp = None if sheet.hp is None else sheet.hp.model_dump(mode="json")
    state: dict[str, Any] = {
        "hp": hp,
        "conditions": [c.value for c in sheet.conditions],
        "exhaustion": sheet.exhaustion,
    }
    if sheet.concentration is not None:
        state["concentration"] = sheet.concentration
    return state


def with_play_state(sheet: CharacterSheet, state: dict[str, Any]) -> CharacterSheet:
    """The sheet with a recorded play state put back (what undo restores)."""
    return _revalidated(sheet, {field: state.get(field) for field in PLAY_STATE_FIELDS})


def _revalidated(sheet: CharacterSheet, changes: dict[str, Any]) -> CharacterSheet:
    # Through validation again, so a change can never store a sheet that would not load.
    data = {**sheet.to_data(), **changes}
    data = {key: value for key, value in data.items() if value is not None}
    try:
        return type(sheet).model_validate(data)
    except ValueError as error:  # pydantic's ValidationError
        raise RulesError(f"that change would leave {sheet.name}'s sheet invalid: {error}") from None
