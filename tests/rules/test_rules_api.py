"""The public rules API: ``adventorator.rules`` and the ``Ruleset`` protocol.

Every name in ``adventorator.rules.__all__`` resolves; the package loads its
names lazily so the ``adv roll`` path stays light; and the combat half of the
engine (contests, group checks, initiative, attacks, damage) is reachable
through any ``Ruleset``, composing the ruleset's own ``perform_check``.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

import adventorator.rules as rules
from adventorator.rules import (
    CheckInput,
    CheckKind,
    CheckResult,
    Dnd5eRuleset,
    Modifier,
    Ruleset,
    Skill,
)
from adventorator.rules import engine as engine_module
from tests.scripted import script


def test_every_public_name_resolves_to_the_engines_object() -> None:
    assert sorted(rules.__all__) == sorted(engine_module.__all__)
    for name in rules.__all__:
        assert getattr(rules, name) is getattr(engine_module, name)
    assert set(rules.__all__) <= set(dir(rules))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'perform_check'"):
        rules.perform_check  # noqa: B018  (the attribute access is the test)


def test_importing_the_package_or_the_dice_loads_no_check_or_attack_module() -> None:
    code = (
        "import sys; import adventorator.rules; import adventorator.rules.dice;"
        "from adventorator.rules import srd;"
        "loaded = {'adventorator.rules.engine', 'adventorator.rules._check',"
        " 'adventorator.rules._attack', 'fractions'} & set(sys.modules);"
        "print(sorted(loaded))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


class LoggedRuleset(Dnd5eRuleset):
    """D&D 5e that records every check it performs: composed operations must go through it."""

    def __init__(self) -> None:
        self.performed: list[str] = []

    def perform_check(self, check: CheckInput, *, rng: random.Random) -> CheckResult:
        self.performed.append(check.title)
        return super().perform_check(check, rng=rng)


def athletics(score: int, dc: int | None = None) -> CheckInput:
    return CheckInput(kind=CheckKind.SKILL, skill=Skill.ATHLETICS, score=score, dc=dc)


def test_contests_groups_and_initiative_use_the_rulesets_own_checks() -> None:
    ruleset = LoggedRuleset()
    contest = ruleset.contested_check(athletics(14), athletics(18), rng=script(13, 10))
    assert contest.winner == "a"  # 13 + 2 against 10 + 4
    group = ruleset.group_check([athletics(10), athletics(10)], rng=script(15, 2), dc=10)
    assert group.success is True
    initiative = ruleset.roll_initiative(14, rng=script(12))
    assert initiative.total == 14
    assert ruleset.performed == [
        "Strength (Athletics) check",
        "Strength (Athletics) check",
        "Strength (Athletics) check",
        "Strength (Athletics) check",
        "Initiative",
    ]


def fight(ruleset: Ruleset) -> tuple[bool | None, int]:
    """What a combat command will do: attack through the protocol, then roll damage."""
    attack = ruleset.attack_roll(
        5, target_ac=15, rng=script(20), bonuses=[Modifier("magic weapon", 1)]
    )
    damage = ruleset.damage_roll("1d8+3", critical=attack.critical, rng=script(4, 6))
    return attack.hit, damage.total


def test_attacks_and_damage_are_reachable_through_the_protocol() -> None:
    assert fight(Dnd5eRuleset()) == (True, 4 + 6 + 3)


def test_a_subclass_changes_one_table_and_keeps_the_rest() -> None:
    class FlatProficiency(Dnd5eRuleset):
        name = "flat"

        def proficiency_bonus(self, level: int) -> int:
            return 4

    ruleset: Ruleset = FlatProficiency()
    assert (ruleset.name, ruleset.proficiency_bonus(1)) == ("flat", 4)
    assert ruleset.ability_modifier(18) == 4
    assert Dnd5eRuleset().proficiency_bonus(1) == 2
