"""The offline narrator: keyword proposals and deterministic template narration."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from adventorator.play.offline_narrator import (
    OFFLINE_NARRATOR_LABEL,
    offline_narration,
    offline_proposal,
)
from adventorator.play.proposals import NarratorProposal
from adventorator.rules import srd

SKILL_CASES = [
    ("I sneak past the sleeping guard", "stealth", 15),
    ("I hide behind the crates", "stealth", 15),
    ("a hard climb up the cliff", "athletics", 20),
    ("I try to jump the chasm, it looks easy", "athletics", 10),
    ("I swim across the very hard current", "athletics", 25),
    ("I push the cart out of the mud", "athletics", 15),
    ("I lie to the guard about our papers", "deception", 15),
    ("I bluff my way in", "deception", 15),
    ("I persuade the merchant to lower the price", "persuasion", 15),
    ("I try to convince the captain", "persuasion", 15),
    ("I search the desk for a hidden letter", "investigation", 15),
    ("I look for tracks of a secret door", "investigation", 15),
    ("I inspect the strange statue", "investigation", 15),
    ("I listen at the door", "perception", 15),
    ("Do I notice anyone following us?", "perception", 15),
    ("I try to spot the archer", "perception", 15),
    ("I pick the lock, a trivial one", "sleight_of_hand", 5),
    ("I pickpocket the noble", "sleight_of_hand", 15),
    ("I tumble past the ogre", "acrobatics", 15),
    ("I balance along the narrow beam", "acrobatics", 15),
    ("What do I recall about these runes?", "arcana", 15),
    ("I try to remember the history of the old king", "history", 15),
    ("What do I know about this temple's god?", "religion", 15),
    ("I recall which herbs are safe to eat", "nature", 15),
    ("I calm the frightened horse", "animal_handling", 15),
    ("I heal the wounded scout", "medicine", 15),
    ("I treat his wounds", "medicine", 15),
    ("I track the goblins through the forest", "survival", 15),
    ("I intimidate the bandit", "intimidation", 15),
    ("I threaten the prisoner", "intimidation", 15),
    ("I perform a ballad for the crowd", "performance", 15),
    ("I sing a tavern song", "performance", 15),
    ("I read his intent", "insight", 15),
    ("I sense motive on the envoy", "insight", 15),
    ("Is she lying to us?", "insight", 15),
    ("I climb the nearly impossible wall of ice", "athletics", 30),
    ("a very easy jump", "athletics", 5),
]


@pytest.mark.parametrize(("text", "skill", "dc"), SKILL_CASES)
def test_skill_keywords(text: str, skill: str, dc: int) -> None:
    proposal = offline_proposal(text)

    assert (proposal.action, proposal.skill, proposal.dc) == ("skill_check", skill, dc)
    assert proposal.ability is None
    assert srd.parse_skill(proposal.skill or "") is srd.Skill(skill)


@pytest.mark.parametrize(
    ("text", "action", "ability", "dc"),
    [
        ("I try to resist the poison", "saving_throw", "con", 15),
        ("I dodge the falling rocks", "saving_throw", "dex", 15),
        ("I jump aside as the boulder rolls", "saving_throw", "dex", 15),
        ("I resist the charm", "saving_throw", "wis", 15),
        ("I break down the door, it's hard", "ability_check", "str", 20),
        ("I hold my breath under the water", "ability_check", "con", 15),
        ("I solve the riddle on the gate", "ability_check", "int", 15),
    ],
)
def test_saves_and_ability_checks(text: str, action: str, ability: str, dc: int) -> None:
    proposal = offline_proposal(text)

    assert (proposal.action, proposal.ability, proposal.skill, proposal.dc) == (
        action,
        ability,
        None,
        dc,
    )


def test_the_earliest_keyword_wins() -> None:
    assert offline_proposal("I persuade the guard to let me search the room").skill == "persuasion"
    assert offline_proposal("I search the room while the guard is persuaded").skill == (
        "investigation"
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('"Good evening," I say to the innkeeper.', "speech"),
        ("I ask the blacksmith about the road north", "speech"),
        ("I eat my lunch", "no action keyword"),
        ("I lie down and rest", "no action keyword"),
    ],
)
def test_no_match_means_no_roll(text: str, why: str) -> None:
    proposal = offline_proposal(text)

    assert (proposal.action, proposal.ability, proposal.skill, proposal.dc) == (
        "none",
        None,
        None,
        None,
    )
    assert why in proposal.reason


def test_reason_is_labelled_and_names_the_keyword() -> None:
    proposal = offline_proposal("A hard climb up the cliff")

    assert proposal.reason.startswith(f"{OFFLINE_NARRATOR_LABEL}: ")
    assert '"climb"' in proposal.reason
    assert "Strength (Athletics) check" in proposal.reason
    assert 'DC 20 (hard: "hard")' in proposal.reason
    assert "the default" in offline_proposal("I climb").reason
    assert "an Intelligence (Arcana) check" in offline_proposal("I recall the runes").reason


def test_proposal_is_a_valid_model_and_deterministic() -> None:
    first = offline_proposal("I sneak past the sleeping guard")

    assert NarratorProposal.model_validate(first.model_dump()) == first
    assert offline_proposal("I sneak past the sleeping guard") == first


NARRATION_TEXTS = [f"I try approach number {i}" for i in range(24)]


def test_narration_reflects_the_outcome() -> None:
    for text in NARRATION_TEXTS:
        success = offline_narration(
            player_text=text,
            character_name="Wren",
            check_title="Dexterity (Stealth) check",
            success=True,
        )
        failure = offline_narration(
            player_text=text,
            character_name="Wren",
            check_title="Dexterity (Stealth) check",
            success=False,
        )
        no_roll = offline_narration(
            player_text=text, character_name="Wren", check_title=None, success=None
        )
        assert all("Wren" in text for text in (success, failure, no_roll))
        assert all("Dexterity (Stealth) check" in text for text in (success, failure))
        assert "success" in success or "succeeds" in success
        assert "fail" not in success
        assert "fail" in failure
        assert "succe" not in failure
        assert "succe" not in no_roll
        assert "fail" not in no_roll


def test_narration_without_a_check_title() -> None:
    text = offline_narration(
        player_text="I jump", character_name="Brannoc", check_title=None, success=False
    )

    assert "attempt" in text


def test_narration_varies_by_text_but_not_by_call() -> None:
    outputs = {
        offline_narration(player_text=t, character_name="Wren", check_title="x", success=True)
        for t in NARRATION_TEXTS
    }
    again = offline_narration(
        player_text=NARRATION_TEXTS[0], character_name="Wren", check_title="x", success=True
    )

    assert len(outputs) > 1
    assert again in outputs
    assert again == offline_narration(
        player_text=NARRATION_TEXTS[0], character_name="Wren", check_title="x", success=True
    )


def test_narration_is_stable_across_processes() -> None:
    code = (
        "from adventorator.play.offline_narrator import offline_narration as n; "
        "print([n(player_text=f't{i}', character_name='W', check_title='c', success=True)"
        " for i in range(8)])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }

    assert len(outputs) == 1
