"""Damage types and the SRD's order of immunity, resistance and vulnerability."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adventorator.rules.damage import (
    DamageType,
    Defences,
    adjust_damage,
    adjust_damage_parts,
    parse_damage_type,
)
from adventorator.rules.srd import RulesError

# Copied from the SRD 5.1 data (5e-SRD-Damage-Types.json), not read at run time.
SRD_DAMAGE_TYPES = [
    "acid",
    "bludgeoning",
    "cold",
    "fire",
    "force",
    "lightning",
    "necrotic",
    "piercing",
    "poison",
    "psychic",
    "radiant",
    "slashing",
    "thunder",
]


def test_the_thirteen_srd_damage_types() -> None:
    assert [t.value for t in DamageType] == SRD_DAMAGE_TYPES


@pytest.mark.parametrize("name", ["fire", "Fire", "FIRE", " fire ", DamageType.FIRE])
def test_parse_any_case(name: str) -> None:
    assert parse_damage_type(name) is DamageType.FIRE


@pytest.mark.parametrize("name", ["", "firee", "holy", "nonmagical bludgeoning"])
def test_unknown_type_lists_the_valid_ones(name: str) -> None:
    with pytest.raises(RulesError, match="valid types: acid, bludgeoning"):
        parse_damage_type(name)


F = DamageType.FIRE


@pytest.mark.parametrize(
    ("amount", "res", "imm", "vul", "expected"),
    [
        pytest.param(11, (), (), (), 11, id="no defences"),
        pytest.param(11, ("fire",), (), (), 5, id="SRD resistance: halved, rounded down"),
        pytest.param(1, ("fire",), (), (), 0, id="SRD resistance: 1 halves to 0"),
        pytest.param(11, (), (), ("fire",), 22, id="SRD vulnerability: doubled"),
        pytest.param(11, ("fire",), (), ("fire",), 10, id="SRD: resistance then vulnerability"),
        pytest.param(11, (), ("fire",), (), 0, id="SRD immunity: no damage"),
        pytest.param(11, ("fire",), ("fire",), ("fire",), 0, id="immunity beats everything"),
        pytest.param(11, ("fire", "FIRE", F), (), (), 5, id="SRD: multiple resistances count once"),
        pytest.param(11, (), (), ("fire", "fire"), 22, id="SRD: multiple vulnerabilities once"),
        pytest.param(11, ("cold",), ("poison",), ("acid",), 11, id="other types do nothing"),
        pytest.param(0, ("fire",), (), ("fire",), 0, id="zero stays zero"),
    ],
)
def test_adjust_damage_in_srd_order(
    amount: int,
    res: tuple[str, ...],
    imm: tuple[str, ...],
    vul: tuple[str, ...],
    expected: int,
) -> None:
    result = adjust_damage(amount, "fire", resistances=res, immunities=imm, vulnerabilities=vul)
    assert (result.original, result.amount, result.damage_type) == (amount, expected, F)


def test_reasons_name_the_type_the_step_and_the_rule() -> None:
    both = adjust_damage(11, "Fire", resistances=["fire"], vulnerabilities=["fire"])
    assert both.reasons == (
        "resistant to fire: halved 11 → 5 (SRD Damage Resistance and Vulnerability)",
        "vulnerable to fire: doubled 5 → 10 (SRD Damage Resistance and Vulnerability)",
    )
    immune = adjust_damage(7, "poison", immunities=["poison"])
    assert immune.reason == "immune to poison: 7 → 0 (SRD Damage Resistance and Vulnerability)"
    assert adjust_damage(7, "fire").reason == ""


def test_a_single_name_is_not_read_letter_by_letter() -> None:
    assert adjust_damage(10, "fire", resistances="fire").amount == 5


def test_untyped_damage_is_never_adjusted() -> None:
    result = adjust_damage(9, None, resistances=list(DamageType))
    assert (result.amount, result.damage_type, result.reasons) == (9, None, ())


@pytest.mark.parametrize("amount", [-1, 2.5, True])
def test_bad_amounts(amount: int) -> None:
    with pytest.raises(RulesError, match="whole number"):
        adjust_damage(amount, "fire")


def test_parts_of_one_hit_are_adjusted_by_their_own_type() -> None:
    # A flame tongue longsword against a fire-resistant, slashing-vulnerable creature.
    defences = Defences.of(resistances=["fire"], vulnerabilities=["Slashing"])
    total, parts = adjust_damage_parts([(7, "slashing"), (9, "fire"), (2, None)], defences)
    assert [p.amount for p in parts] == [14, 4, 2]
    assert total == 20


def test_defences_union() -> None:
    a = Defences.of(resistances=["fire"])
    b = Defences.of(resistances=["cold"], immunities=["poison"])
    assert a.union(b) == Defences.of(resistances=["fire", "cold"], immunities=["poison"])


types = st.sampled_from(list(DamageType))
type_sets = st.frozensets(types)


@given(st.integers(0, 10_000), types, type_sets, type_sets, type_sets)
def test_adjusted_damage_is_never_negative_and_bounded(
    amount: int,
    kind: DamageType,
    res: frozenset[DamageType],
    imm: frozenset[DamageType],
    vul: frozenset[DamageType],
) -> None:
    result = adjust_damage(amount, kind, resistances=res, immunities=imm, vulnerabilities=vul)
    assert 0 <= result.amount <= 2 * amount
    if kind in imm:
        assert result.amount == 0
    elif kind not in res | vul:
        assert result.amount == amount
