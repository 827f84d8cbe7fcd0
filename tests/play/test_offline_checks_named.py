"""The offline narrator reads a table's words: every SRD skill and ability named, a stated DC,
impossible state changes refused with the command to use, and narration by margin.

Pure: no database, no model. The skill and ability cases are generated from
``rules.srd`` so a skill can never be left out.
"""

from __future__ import annotations

import random

import pytest

from adventorator.commands import COMMANDS, Syntax
from adventorator.play._outcomes import Degree, degree_of
from adventorator.play.narrator import ProposalRejected, validate_proposal
from adventorator.play.offline_narrator import offline_narration, offline_proposal
from adventorator.play.offline_planner import offline_plan
from adventorator.play.proposals import PlannerOutput, plan_name
from adventorator.rules.engine import CheckKind, CheckResult, Dnd5eRuleset
from adventorator.rules.srd import DC_BY_DIFFICULTY, Ability, Skill
from adventorator.sheet import parse_sheet_json
from tests.play.support import fighter_json

SKILL_WORDS = {skill: skill.value.replace("_", " ") for skill in Skill}


@pytest.mark.parametrize("skill", list(Skill), ids=lambda s: s.value)
@pytest.mark.parametrize(
    "phrasing",
    ["I make a {} check", "roll {}", "a DC 10 {} check", "{}", "I roll {} with my bonus"],
)
def test_every_skill_name_rolls_its_skill(skill: Skill, phrasing: str) -> None:
    text = phrasing.format(SKILL_WORDS[skill])

    proposal = offline_proposal(text)

    assert (proposal.action, proposal.skill) == ("skill_check", skill.value), proposal.reason
    assert proposal.dc == (10 if "DC 10" in text else 15)


@pytest.mark.parametrize("ability", list(Ability), ids=lambda a: a.value)
@pytest.mark.parametrize(
    ("phrasing", "action"),
    [
        ("make a {long} saving throw", "saving_throw"),
        ("a {short} save dc 12", "saving_throw"),
        ("roll a {long} save", "saving_throw"),
        ("a {long} check", "ability_check"),
        ("make a {short} check", "ability_check"),
    ],
)
def test_every_ability_name_with_save_or_check_rolls_it(
    ability: Ability, phrasing: str, action: str
) -> None:
    text = phrasing.format(long=ability.long.lower(), short=ability.value)

    proposal = offline_proposal(text)

    assert (proposal.action, proposal.ability, proposal.skill) == (action, ability.value, None)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("I try to sneak past", "stealth"),
        ("hide", "stealth"),
        ("climb the wall", "athletics"),
        ("recall what I know about dragons", "arcana"),
        ("persuade the guard", "persuasion"),
        ("look around", "perception"),
        ("I make a Dexterity (Stealth) check", "stealth"),
        ("I climb the wall with an acrobatics check", "acrobatics"),  # the named check wins
    ],
)
def test_common_phrasings_roll_the_right_check(text: str, skill: str) -> None:
    assert offline_proposal(text).skill == skill


@pytest.mark.parametrize(
    ("words", "dc"),
    [
        ("DC 12", 12),
        ("dc15", 15),
        ("DC: 18", 18),
        ("hard", DC_BY_DIFFICULTY["hard"]),
        ("easy", 10),
        ("medium", 15),
        ("moderate", 15),
        ("very hard", 25),
        ("nearly impossible", 30),
        ("very easy", 5),
    ],
)
def test_a_stated_dc_or_difficulty_is_used(words: str, dc: int) -> None:
    proposal = offline_proposal(f"a {words} stealth check")

    assert (proposal.skill, proposal.dc) == ("stealth", dc)
    assert words.lower() in proposal.reason.lower()


def test_the_srd_typical_dcs_are_the_ones_used() -> None:
    assert dict(DC_BY_DIFFICULTY) == {
        "very easy": 5,
        "easy": 10,
        "medium": 15,
        "hard": 20,
        "very hard": 25,
        "nearly impossible": 30,
    }


CLI = Syntax("cli", COMMANDS)
DISCORD = Syntax("discord", COMMANDS)


@pytest.mark.parametrize(
    ("text", "cli_hint", "discord_hint"),
    [
        ("I set my HP to 999", "`adv hp --set N`", "`/hp set:N`"),
        ("I level up to 20", "`adv sheet update", "`/sheet update"),
        ("I take 10 damage", "`adv damage 10`", "`/damage amount:10`"),
        ("I heal 5", "`adv heal 5`", "`/heal amount:5`"),
        ("I regain 7 hit points", "`adv heal 7`", "`/heal amount:7`"),
        ("give me 1000 gold", "`adv sheet update", "`/sheet update"),
        ("I'm now invisible", "`adv condition add", "`/condition add"),
    ],
)
def test_impossible_state_changes_are_refused_with_the_command_to_use(
    text: str, cli_hint: str, discord_hint: str
) -> None:
    for words, hint in ((CLI, cli_hint), (DISCORD, discord_hint)):
        proposal = offline_proposal(text, words)
        with pytest.raises(ProposalRejected) as refused:
            validate_proposal(proposal, words)
        why = str(refused.value)
        assert "which the narrator does not do" in why
        assert hint in why, why


def test_an_ability_check_naming_a_skill_keeps_the_skill() -> None:
    proposal = offline_proposal("x").model_validate(
        {"action": "ability_check", "ability": "dex", "skill": "stealth", "dc": 15, "reason": "r"}
    )

    valid = validate_proposal(proposal)

    assert (valid.kind, valid.ability, valid.skill) == (CheckKind.SKILL, "dex", "stealth")


@pytest.mark.parametrize(
    ("command", "sub", "name"),
    [
        ("sheet create", "create", "sheet create"),
        ("sheet", "create", "sheet create"),
        ("roll", None, "roll"),
        ("sheet  create", "create", "sheet create"),
        ("create", "create", "create"),
    ],
)
def test_a_command_that_already_holds_its_subcommand_is_not_repeated(
    command: str, sub: str | None, name: str
) -> None:
    assert plan_name(command, sub) == name
    assert PlannerOutput(command=command, subcommand=sub, confidence=1).name == name


STEALTH_DIS = {"skill": "stealth", "disadvantage": True}
NO_TIMES = ['"3 times" (check has no times)']


@pytest.mark.parametrize(
    ("text", "name", "args", "ignored"),
    [
        ("roll a d20 with advantage", "roll", {"expr": "d20", "advantage": True}, []),
        ("make a dex save dc 15", "check", {"save": "dex", "dc": 15}, []),
        ("roll 4d6kh3 six times", "roll", {"expr": "4d6kh3", "times": 6}, []),
        ("roll 2d6 twice", "roll", {"expr": "2d6", "times": 2}, []),
        (
            "stealth check with disadvantage",
            "check",
            {"skill": "stealth", "disadvantage": True},
            [],
        ),
        ("a hard strength check", "check", {"ability": "str", "dc": 20}, []),
        ("roll a d20 dc 15", "roll", {"expr": "d20"}, ['"dc 15" (roll has no dc)']),
        (
            "stealth check 3 times",
            "check",
            {"skill": "stealth"},
            ['"3 times" (check has no times)'],
        ),
    ],
)
def test_the_offline_planner_carries_advantage_dc_and_repetition_or_says_so(
    text: str, name: str, args: dict[str, object], ignored: list[str]
) -> None:
    plan = offline_plan(text)

    assert (plan.name, plan.args) == (name, args)
    assert (plan.model_extra or {}).get("ignored", []) == ignored


# Margin-aware narration ----------------------------------------------------------------------


def _stealth_results() -> dict[str, tuple[CheckResult, Degree]]:
    """One stealth check (a +0 fighter) per outcome bucket, found by seed; DC 15 first."""
    ruleset, sheet = Dnd5eRuleset(), parse_sheet_json(fighter_json("Brannoc"))
    found: dict[str, tuple[CheckResult, Degree]] = {}
    for dc in (15, 10):
        check = sheet.check_input(ruleset, "skill", skill="stealth", dc=dc)
        for seed in range(400):
            result = ruleset.perform_check(check, rng=random.Random(seed))
            degree = degree_of(result)
            assert degree is not None
            found.setdefault(degree.bucket, (result, degree))
    return found


RESULTS = _stealth_results()


def test_every_bucket_is_reached() -> None:
    assert set(RESULTS) == {"critical", "strong", "narrow", "near_miss", "clear_fail", "fumble"}


@pytest.mark.parametrize(
    ("bucket", "must", "must_not"),
    [
        ("critical", ("succe",), ("either way", "barely", "only just", "fail")),
        ("strong", ("succe",), ("either way", "barely", "fail")),
        ("narrow", ("succe",), ("fail", "spectacular")),
        ("near_miss", ("fail",), ("succe", "clumsy", "badly")),
        ("clear_fail", ("fail",), ("succe", "whisker", "nearly", "almost")),
        ("fumble", ("fail",), ("succe", "barely", "whisker", "nearly", "almost", "so close")),
    ],
)
def test_narration_is_chosen_by_margin_and_critical(
    bucket: str, must: tuple[str, ...], must_not: tuple[str, ...]
) -> None:
    degree = RESULTS[bucket][1]
    for n in range(12):  # every template of the bucket, by the text's hash
        told = offline_narration(
            player_text=f"I sneak {n}",
            character_name="Wren",
            check_title="Dexterity (Stealth) check",
            success=degree.success,
            degree=degree,
        ).lower()
        assert all(word in told for word in must), told
        assert not any(word in told for word in must_not), told


def test_a_natural_20_against_dc_15_is_a_triumph_and_described_so_for_the_model() -> None:
    result, degree = RESULTS["critical"]
    assert (result.natural, result.dc) == (20, 15)
    assert degree.describe() == (
        "CRITICAL SUCCESS (a natural 20, total beat DC 15 by 5): a triumph, tell it as decisive."
    )
    assert RESULTS["fumble"][1].describe().startswith("FUMBLE (a natural 1, total missed DC")
