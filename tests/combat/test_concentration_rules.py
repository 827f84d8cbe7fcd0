"""The pure concentration and condition-immunity rules (SRD 5.1 Spellcasting, Concentration)."""

from __future__ import annotations

import pytest

from adventorator.rules.concentration import (
    ConcentrationSave,
    concentration_dc,
    lost_by_state,
    spell_name,
)
from adventorator.rules.condition_immunity import immune_to, immunity_message
from adventorator.rules.srd import RulesError


@pytest.mark.parametrize(
    ("taken", "dc"),
    [
        (1, 10),  # 10 is the floor
        (19, 10),
        (20, 10),
        (21, 10),  # half of 21 rounds down to 10
        (22, 11),
        (23, 11),  # odd damage rounds down
        (45, 22),
        (100, 50),
    ],
)
def test_the_dc_is_10_or_half_the_damage_whichever_is_higher(taken: int, dc: int) -> None:
    assert concentration_dc(taken) == dc


def test_no_damage_taken_is_no_save() -> None:
    assert concentration_dc(0) is None
    with pytest.raises(RulesError):
        concentration_dc(-1)


@pytest.mark.parametrize(
    ("conditions", "dead", "reason"),
    [
        ([], False, None),
        (["poisoned", "prone"], False, None),  # not incapacitating
        (["prone", "unconscious"], False, "unconscious: incapacitated"),
        (["stunned"], False, "stunned: incapacitated"),
        (["paralyzed"], False, "paralyzed: incapacitated"),
        (["incapacitated"], False, "incapacitated"),
        ([], True, "dead"),
    ],
)
def test_incapacitated_or_dead_ends_it(
    conditions: list[str], dead: bool, reason: str | None
) -> None:
    assert lost_by_state(conditions, dead=dead) == reason


def test_the_save_line() -> None:
    assert (
        ConcentrationSave.rolled("Bless", 10, 14, True).line()
        == "Concentration (Bless): CON save 14 vs DC 10: kept"
    )
    assert (
        ConcentrationSave.rolled("Bless", 11, 7, False).line()
        == "Concentration (Bless): CON save 7 vs DC 11: lost"
    )
    ended = ConcentrationSave.ended("Bless", "unconscious: incapacitated")
    assert ended.line() == "Concentration (Bless): lost (unconscious: incapacitated)"
    assert ended.to_json()["kept"] is False


def test_spell_names() -> None:
    assert spell_name("  hold   person ") == "hold person"
    with pytest.raises(RulesError):
        spell_name("   ")
    with pytest.raises(RulesError):
        spell_name("x" * 101)


def test_condition_immunities() -> None:
    assert immune_to(["poisoned"], ["poisoned", "exhaustion"]) == ("poisoned",)
    assert immune_to(["prone"], ["poisoned"]) == ()
    assert immunity_message("Skeleton", ["poisoned"]) == (
        "Skeleton is immune to poisoned (condition immunity): not added"
    )
