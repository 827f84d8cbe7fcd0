"""What the narrator and the planner may propose: pydantic models, shape only.

The LLM (or the offline engine) fills these in; ``orchestrator`` and
``planner`` then validate them against the rules and the command registry.
Unknown keys are kept (``extra="allow"``) so a proposal that tries to do
more than it may, such as setting HP, is seen and rejected with a reason
rather than silently trimmed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

NARRATOR_ACTIONS = ("ability_check", "skill_check", "saving_throw", "attack", "none")


class ProposalRejected(Exception):
    """A proposal failed validation; the message says why (shown to the player)."""


class NarratorProposal(BaseModel):
    """The narrator's proposal of a check (or, in an encounter, an attack) for the action."""

    model_config = ConfigDict(extra="allow")

    action: str = Field(
        description=(
            "One of: ability_check, skill_check, saving_throw, attack (in an encounter), "
            "none (no roll needed)."
        )
    )
    ability: str | None = Field(
        default=None, description="SRD ability: str, dex, con, int, wis or cha."
    )
    skill: str | None = Field(
        default=None, description="SRD skill for a skill_check, e.g. stealth."
    )
    dc: int | None = Field(default=None, description="Difficulty class, 5 (very easy) to 30.")
    weapon: str | None = Field(
        default=None, description="For an attack: one of the character's attacks, by name."
    )
    target: str | None = Field(
        default=None, description="For an attack: a combatant of the encounter, by name."
    )
    reason: str = Field(default="", description="One sentence: why this check fits the action.")


class Narration(BaseModel):
    """The narrator's telling of the outcome the engine decided."""

    narration: str = Field(description="Two or three sentences of narration, second person.")


def plan_name(command: str, subcommand: str | None) -> str:
    """The registry name of a reading: ``roll``, ``sheet create``.

    A model may answer ``command: "sheet create"`` with ``subcommand: "create"``;
    a command that already ends with its subcommand is not repeated.
    """
    command = " ".join(command.split())
    sub = " ".join((subcommand or "").split())
    if not sub or command == sub or command.endswith(f" {sub}"):
        return command
    return f"{command} {sub}"


class PlanAlternative(BaseModel):
    """Another reading of the player's request."""

    model_config = ConfigDict(extra="allow")

    command: str
    subcommand: str | None = None
    args: dict[str, Any] = Field(default_factory=dict)
    confidence: float = Field(ge=0, le=1)


class PlannerOutput(BaseModel):
    """The planner's reading of free text as one command of the registry."""

    model_config = ConfigDict(extra="allow")

    command: str = Field(description="Top-level command name, e.g. roll, check, sheet.")
    subcommand: str | None = Field(default=None, description="e.g. create for `sheet create`.")
    args: dict[str, Any] = Field(default_factory=dict, description="Option name -> value.")
    confidence: float = Field(ge=0, le=1, description="0 to 1: how sure the reading is.")
    alternatives: list[PlanAlternative] = Field(default_factory=list, max_length=3)

    @property
    def name(self) -> str:
        """The registry name: ``roll`` or ``sheet create`` (see ``plan_name``)."""
        return plan_name(self.command, self.subcommand)
