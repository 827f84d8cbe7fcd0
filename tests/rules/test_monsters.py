"""The SRD monsters shipped in the package: counts, known stat blocks, lookup and laziness."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from importlib import resources

import pytest

from adventorator.rules.damage import DamageType
from adventorator.rules.monsters import (
    all_monsters,
    find_monster,
    monster_names,
    roll_hit_points,
    search_monsters,
)
from adventorator.rules.srd import Ability, RulesError, Skill


def test_the_package_ships_334_monsters_and_the_licence() -> None:
    data = resources.files("adventorator.rules") / "data"
    document = json.loads(gzip.decompress((data / "srd_monsters.json.gz").read_bytes()))
    assert len(document["monsters"]) == 334
    assert len(all_monsters()) == 334
    assert len(set(monster_names())) == 334
    assert monster_names() == sorted(monster_names(), key=str.casefold)
    assert "Permission is hereby granted" in (data / "LICENSE-5e-database.md").read_text()
    attribution = (data / "README.md").read_text()
    assert (
        "licensed under the Creative Commons Attribution 4.0 International License" in attribution
    )


def test_goblin() -> None:
    goblin = find_monster("goblin")
    assert (goblin.name, goblin.ac, goblin.hit_points, goblin.hit_points_roll) == (
        "Goblin",
        15,
        7,
        "2d6",
    )
    assert goblin.armor_class[0].note == "Leather Armor, Shield"
    assert goblin.abilities[Ability.DEX] == 14
    assert goblin.skills == {Skill.STEALTH: 6}
    assert (goblin.challenge, goblin.xp, goblin.proficiency_bonus) == ("1/4", 50, 2)
    assert goblin.senses == {"darkvision": 60, "passive_perception": 9}
    scimitar, shortbow = goblin.attacks
    assert (scimitar.name, scimitar.attack_bonus, scimitar.kind, scimitar.reach) == (
        "Scimitar",
        4,
        "melee",
        5,
    )
    assert [(p.dice, p.type) for p in scimitar.damage] == [("1d6+2", DamageType.SLASHING)]
    assert (shortbow.name, shortbow.attack_bonus, shortbow.range) == ("Shortbow", 4, (80, 320))
    assert [(p.dice, p.type) for p in shortbow.damage] == [("1d6+2", DamageType.PIERCING)]
    assert [t.name for t in goblin.special_abilities] == ["Nimble Escape"]


def test_adult_red_dragon() -> None:
    dragon = find_monster("Adult Red Dragon")
    assert dragon.index == "adult-red-dragon"
    assert dragon.immunities == (DamageType.FIRE,)
    assert dragon.saves[Ability.DEX] == 6
    multiattack = dragon.multiattack
    assert multiattack is not None
    assert "one with its bite and two with its claws" in multiattack.desc
    assert [(s.action, s.count) for s in multiattack.multiattack or ()] == [
        ("Frightful Presence", 1),
        ("Bite", 1),
        ("Claw", 2),
    ]
    bite = next(a for a in dragon.attacks if a.name == "Bite")
    assert [(p.dice, p.type.value) for p in bite.damage] == [
        ("2d10+8", "piercing"),
        ("2d6", "fire"),
    ]
    breath = next(a for a in dragon.actions if a.name == "Fire Breath")
    assert breath.dc is not None
    assert (breath.dc.ability, breath.dc.value, breath.usage) == (Ability.DEX, 21, "Recharge 5-6")
    assert not breath.is_attack
    assert len(dragon.legendary_actions) == 3


def test_undead_defences() -> None:
    skeleton = find_monster("skeleton")
    assert skeleton.vulnerabilities == (DamageType.BLUDGEONING,)
    assert skeleton.immunities == (DamageType.POISON,)
    assert set(skeleton.condition_immunities) == {"exhaustion", "poisoned"}
    zombie = find_monster("zombie")
    assert zombie.immunities == (DamageType.POISON,)
    assert zombie.condition_immunities == ("poisoned",)


def test_qualified_defences_keep_their_text() -> None:
    werewolf = find_monster("werewolf-human")
    assert set(werewolf.immunities) >= {DamageType.BLUDGEONING, DamageType.SLASHING}
    assert any("silvered" in n for n in werewolf.defence_notes)
    # "piercing from magic weapons wielded by good creatures" is not a plain vulnerability
    rakshasa = find_monster("rakshasa")
    assert rakshasa.vulnerabilities == ()
    assert any("good creatures" in n for n in rakshasa.defence_notes)


def test_choices_of_damage_are_alternatives() -> None:
    longsword = next(a for a in find_monster("veteran").attacks if a.name == "Longsword")
    (part,) = longsword.damage
    assert (part.dice, part.note) == ("1d8+3", "One handed")
    assert [(p.dice, p.note) for p in part.alternatives] == [("1d10+3", "Two handed")]


@pytest.mark.parametrize("name", ["goblin", "GOBLIN", " Goblin ", "gob"])
def test_find_by_index_name_or_unique_prefix(name: str) -> None:
    assert find_monster(name).index == "goblin"


def test_find_prefers_an_exact_name_over_longer_ones() -> None:
    assert find_monster("Dretch").index == "dretch"
    assert find_monster("ape").index == "ape"  # not Giant Ape, not "ape..." prefixes


def test_ambiguous_prefix_lists_candidates() -> None:
    with pytest.raises(RulesError) as raised:
        find_monster("adult")
    message = str(raised.value)
    assert message.startswith("'adult' matches 10 monsters: Adult Black Dragon; ")
    assert "Adult White Dragon" in message


def test_names_with_commas_are_listed_apart() -> None:
    with pytest.raises(RulesError, match="Werewolf, Human Form; Werewolf, Hybrid Form; "):
        find_monster("werewolf")


def test_many_candidates_are_summarised() -> None:
    with pytest.raises(RulesError, match=r"matches \d+ monsters: .* and \d+ more$"):
        find_monster("g")


def test_unknown_names_are_one_line_errors() -> None:
    with pytest.raises(RulesError, match=r"^no SRD monster 'zzyzx' \(adv monster list"):
        find_monster("zzyzx")
    with pytest.raises(RulesError, match=r"similar: .*Red Dragon Wyrmling"):
        find_monster("d dragon")
    with pytest.raises(RulesError, match="name a monster"):
        find_monster("  ")


def test_search_puts_prefix_matches_first() -> None:
    names = [m.name for m in search_monsters("gob")]
    assert names == ["Goblin", "Hobgoblin"]  # "gob" starts one name and is inside the other
    names = [m.name for m in search_monsters("dragon", limit=50)]
    assert names[0] == "Dragon Turtle"  # the one name starting with "dragon"
    assert "Adult Red Dragon" in names[1:]
    assert len(search_monsters("", limit=25)) == 25
    assert len(search_monsters("a", limit=3)) == 3


def test_hit_points_roll_the_hit_dice() -> None:
    goblin = find_monster("goblin")
    rolls = {roll_hit_points(goblin, random.Random(seed)) for seed in range(200)}
    assert rolls == set(range(2, 13))  # 2d6
    tarrasque = find_monster("tarrasque")
    assert tarrasque.hit_points_roll == "33d20+330"
    assert 363 <= roll_hit_points(tarrasque, random.Random(1)) <= 990


def test_adv_roll_does_not_load_the_monster_data() -> None:
    script = (
        "import sys\n"
        "from adventorator.cli import main\n"
        "sys.argv = ['adv', 'roll', '1d20', '--seed', '1']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('adventorator.rules.monsters' in sys.modules, 'gzip' in sys.modules,"
        " file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False False"


def test_importing_the_module_does_not_read_the_data() -> None:
    script = (
        "import sys; import adventorator.rules.monsters as m;"
        "print(m.all_monsters.cache_info().currsize, 'gzip' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["0", "False"]
