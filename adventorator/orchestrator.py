"""``do``: the narrator proposes a check, the rules engine decides, the narrator tells it.

One turn:
1. load the character (CharacterService) and recent transcript lines; no
   database connection is held after this;
2. the narrator (LLM, or the offline engine) proposes a check;
3. the proposal is validated: allowlisted action, real SRD names, DC clamped
   to 5-30, a reason, and no attempt to change state. A rejected proposal
   rolls nothing;
4. the Ruleset performs the check with the sheet's real numbers;
5. the narrator narrates the actual outcome;
6. the player's line, the mechanics (the full CheckResult) and the narration
   are written to the transcript in one transaction.

An LLM failure falls back to the offline narrator and says so in one line.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.errors import LLMError
from adventorator.proposals import NARRATOR_ACTIONS, Narration, NarratorProposal
from adventorator.rules.engine import CheckKind, CheckResult, Ruleset
from adventorator.rules.srd import RulesError, parse_ability, parse_skill
from adventorator.services.transcripts import NewEntry

if TYPE_CHECKING:
    from adventorator.app import AppContext
    from adventorator.llm import LLMClient
    from adventorator.schemas import CharacterSheet
    from adventorator.services.identity import ResolvedIdentity

log = logging.getLogger("adventorator.orchestrator")

DC_MIN, DC_MAX = 5, 30
TRANSCRIPT_CONTEXT_LINES = 20
_KINDS = {
    "ability_check": CheckKind.ABILITY,
    "skill_check": CheckKind.SKILL,
    "saving_throw": CheckKind.SAVE,
}


@dataclass(frozen=True)
class ValidCheck:
    """A proposal that passed validation."""

    kind: CheckKind | None  # None: no roll needed
    ability: str | None
    skill: str | None
    dc: int | None
    reason: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TurnResult:
    """The outcome of one ``do``."""

    narration: str
    check: CheckResult | None
    rejected: bool
    reason: str
    narrator: str  # "llm" or "offline"
    notice: str | None = None  # e.g. why the offline narrator answered
    transcript_ids: tuple[int, ...] = ()  # the entries written for this turn
    notes: tuple[str, ...] = ()  # adjustments made to the proposal, e.g. a clamped DC

    def to_json(self) -> dict[str, Any]:
        return {
            "check": None if self.check is None else self.check.to_json(),
            "narration": self.narration,
            "rejected": self.rejected,
            "reason": self.reason,
            "narrator": self.narrator,
            "notice": self.notice,
            "transcript_ids": list(self.transcript_ids),
            "notes": list(self.notes),
        }


def validate_proposal(proposal: NarratorProposal) -> ValidCheck:
    """Check a proposal before anything is rolled; raise ProposalRejected with why."""
    extra = sorted((proposal.model_extra or {}).keys())
    if extra:
        raise ProposalRejected(
            f"the narrator may only propose a check, not change state ({', '.join(extra)})"
        )
    if proposal.action not in NARRATOR_ACTIONS:
        raise ProposalRejected(
            f"the narrator proposed {proposal.action!r}, which is not an allowed action "
            f"({', '.join(NARRATOR_ACTIONS)})"
        )
    reason = proposal.reason.strip()
    if not reason:
        raise ProposalRejected("the narrator gave no reason for its proposal")
    if proposal.action == "none":
        return ValidCheck(None, None, None, None, reason)
    kind = _KINDS[proposal.action]
    try:
        skill = parse_skill(proposal.skill).value if proposal.skill else None
        ability = parse_ability(proposal.ability).value if proposal.ability else None
    except RulesError as error:
        raise ProposalRejected(f"the narrator named {error}") from error
    if kind is CheckKind.SKILL and skill is None:
        raise ProposalRejected("the narrator proposed a skill check without a skill")
    if kind is not CheckKind.SKILL and ability is None:
        raise ProposalRejected(f"the narrator proposed a {proposal.action} without an ability")
    if kind is not CheckKind.SKILL:
        skill = None
    if proposal.dc is None:
        raise ProposalRejected("the narrator proposed a check without a DC")
    dc = min(max(proposal.dc, DC_MIN), DC_MAX)
    notes = () if dc == proposal.dc else (f"DC {proposal.dc} clamped to {dc}",)
    return ValidCheck(kind, ability, skill, dc, reason, notes)


class ProposalRejected(Exception):
    """A proposal failed validation; the message says why (shown to the player)."""


async def run_orchestrator(
    *,
    app: AppContext,
    ids: ResolvedIdentity,
    character_id: int,
    player_text: str,
    rng: random.Random,
    ruleset: Ruleset,
) -> TurnResult:
    """Play one ``do`` turn for the player's character (see the module doc)."""
    characters = await app.characters()
    transcripts = await app.transcripts()
    record = await characters.get_by_id(ids.campaign_id, character_id)
    history = await transcripts.recent(ids.scene_id, limit=TRANSCRIPT_CONTEXT_LINES)
    llm = app.llm()
    narrator = _Narrator(llm, app, record.sheet)

    proposal = await narrator.propose(player_text, [(line.role, line.content) for line in history])
    player_entry = NewEntry("player", player_text)
    try:
        valid = validate_proposal(proposal)
    except ProposalRejected as rejection:
        reason = str(rejection)
        log.info("proposal rejected: %s", reason)
        meta = {"proposal": proposal.model_dump(mode="json"), "reason": reason}
        ids_written = await transcripts.record(
            [player_entry, NewEntry("system", f"Rejected: {reason}", meta, status="error")],
            campaign_id=ids.campaign_id,
            scene_id=ids.scene_id,
            player_id=ids.player_id,
            character_id=character_id,
        )
        return TurnResult(
            narration="",
            check=None,
            rejected=True,
            reason=reason,
            narrator=narrator.name,
            notice=narrator.notice,
            transcript_ids=tuple(ids_written),
        )

    result = None
    if valid.kind is not None:
        check_input = record.sheet.check_input(
            valid.kind, ability=valid.ability, skill=valid.skill, dc=valid.dc
        )
        result = ruleset.perform_check(check_input, rng=rng)
    # Model text may hold a NUL, which Postgres cannot store; show what is stored.
    narration = (await narrator.narrate(player_text, result, valid.reason)).replace("\x00", "")

    entries = [player_entry]
    if result is not None:
        meta = {"check": result.to_json(), "reason": valid.reason, "notes": list(valid.notes)}
        entries.append(NewEntry("mechanics", result.text(), meta))
    entries.append(NewEntry("narrator", narration, {"narrator": narrator.name}))
    ids_written = await transcripts.record(
        entries,
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        player_id=ids.player_id,
        character_id=character_id,
    )
    return TurnResult(
        narration=narration,
        check=result,
        rejected=False,
        reason=valid.reason,
        narrator=narrator.name,
        notice=narrator.notice,
        transcript_ids=tuple(ids_written),
        notes=valid.notes,
    )


class _Narrator:
    """The LLM narrator, falling back to the offline one (and saying so) on failure."""

    def __init__(self, llm: LLMClient | None, app: AppContext, sheet: CharacterSheet) -> None:
        self._llm = llm
        self._settings = app.settings
        self._sheet = sheet
        self._summary = ""
        if llm is not None:
            from adventorator.llm import summarize_sheet_for_prompt

            self._summary = summarize_sheet_for_prompt(sheet)
        self.notice: str | None = None

    @property
    def name(self) -> str:
        return "llm" if self._llm is not None else "offline"

    def _fall_back(self, error: LLMError) -> None:
        log.warning("LLM failed, using the offline narrator: %s", error)
        self.notice = f"The LLM narrator failed ({error}); the offline narrator answered."
        self._llm = None

    async def propose(self, text: str, history: list[tuple[str, str]]) -> NarratorProposal:
        from adventorator.llm import build_narrator_messages, offline_proposal

        if self._llm is not None:
            messages = build_narrator_messages(
                player_text=text,
                sheet_summary=self._summary,
                transcript=history,
                max_prompt_tokens=self._settings.llm_max_prompt_tokens,
                model=self._settings.llm_model,
            )
            try:
                return await self._llm.complete_structured(
                    messages, NarratorProposal, name="narrator_proposal"
                )
            except LLMError as error:
                self._fall_back(error)
        return offline_proposal(text)

    async def narrate(self, text: str, result: CheckResult | None, reason: str) -> str:
        from adventorator.llm import build_narration_messages, offline_narration

        if self._llm is not None:
            messages = build_narration_messages(
                player_text=text,
                sheet_summary=self._summary,
                check_text=None if result is None else result.text(),
                success=None if result is None else result.success,
                reason=reason,
            )
            try:
                reply = await self._llm.complete_structured(messages, Narration, name="narration")
                return reply.narration
            except LLMError as error:
                self._fall_back(error)
        return offline_narration(
            player_text=text,
            character_name=self._sheet.name,
            check_title=None if result is None else result.check.title,
            success=None if result is None else result.success,
        )
