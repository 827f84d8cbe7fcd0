"""``adv do`` never narrates a state change as done: it names the command to use instead.

The offline narrator refuses HP, level, damage, healing and condition changes
with the reason and the command, in the client's syntax; a model's proposal
that adds state keys gets the same hint. Through the CLI runner on both
backends, the sheet is read back unchanged.
"""

from __future__ import annotations

import pytest

from adventorator.commands import COMMANDS, Syntax
from adventorator.play.narrator import ProposalRejected, validate_proposal
from adventorator.play.offline_narrator import offline_proposal
from adventorator.play.proposals import NarratorProposal
from tests.characters.support import Cli
from tests.combat.test_hp_commands import create, hp_of

DAMAGE_AND_HEALING = "damage and healing go through `adv damage` / `adv heal`"


@pytest.mark.parametrize(
    ("text", "why", "instead"),
    [
        ("I set my HP to 999", '"set my hp to" would change hit points', "`adv hp --set N`"),
        (
            "I level up to 20",
            '"level up" would change the character\'s level',
            "`adv sheet update <name> --json '<json>'`",
        ),
        ("I take 10 damage", '"take 10 damage" would change hit points', "`adv damage 10`"),
        ("I heal myself", '"heal myself" would change hit points', DAMAGE_AND_HEALING),
        ("I drink the potion and regain 10 hit points", '"regain 10 hit points"', "`adv heal 10`"),
        ("I am poisoned", '"i am poisoned" would change a condition', "`adv condition add"),
    ],
)
def test_do_refuses_state_changes_and_names_the_command(
    cli: Cli, text: str, why: str, instead: str
) -> None:
    create(cli)
    out = cli.json("do", text)
    assert (out["rejected"], out["check"], out["narration"]) == (True, None, "")
    assert why in out["reason"], out["reason"]
    assert instead in out["reason"], out["reason"]
    shown = cli("do", text).stdout
    assert shown.startswith("The narrator's proposal was rejected: offline narrator: ")
    assert shown.rstrip().endswith("Nothing was rolled.")
    assert hp_of(cli)["current"] == 30
    [row] = cli.rows()
    assert row["sheet"].get("conditions", []) == []
    assert row["sheet"]["level"] == 1


def test_healing_someone_else_is_still_a_medicine_check(cli: Cli) -> None:
    create(cli)
    out = cli.json("do", "I heal the wounded scout")
    assert (out["rejected"], out["check"]["skill"]) == (False, "medicine")


def test_the_refusal_is_worded_for_discord() -> None:
    discord = Syntax("discord", COMMANDS)
    reason = offline_proposal("I set my HP to 999", discord).reason
    assert "`/damage` / `/heal`" in reason
    assert "`/hp set:N`" in reason
    level = offline_proposal("I level up to 20", discord).reason
    assert "`/sheet update name:<name> json:<json>`" in level
    with pytest.raises(ProposalRejected) as rejected:
        validate_proposal(offline_proposal("I take 10 damage", discord), discord)
    assert "`/damage amount:10`" in str(rejected.value)


def test_a_model_proposal_that_sets_state_gets_the_same_hint() -> None:
    proposal = NarratorProposal.model_validate(
        {"action": "skill_check", "skill": "stealth", "dc": 10, "hp": 100, "level": 20}
    )
    with pytest.raises(ProposalRejected) as rejected:
        validate_proposal(proposal, Syntax("cli", COMMANDS))
    reason = str(rejected.value)
    assert reason.startswith("the narrator may only propose a check, not change state (hp, level)")
    assert DAMAGE_AND_HEALING in reason
    assert "`adv sheet update" in reason
