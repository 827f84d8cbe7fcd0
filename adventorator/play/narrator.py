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

In an encounter, on the acting combatant's turn, the proposal may be an
attack instead (``play.combat``): validated against the sheet and the
encounter, resolved by the command layer's ``adv attack`` path, narrated from
the outcome (``play._attack_turn``).

An LLM failure falls back to the offline narrator and says so in one line,
and the transcript's narrator line keeps the cause (``meta.llm_failure``). The
turn's model calls share one deadline and stop at the first failure
(``adventorator.llm.turn``). What the model returns is cut to what is stored
and shown: the narration to ``TRANSCRIPT_LINE_CHARS``, the proposal's fields
by ``bound_proposal``.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.limits import PROPOSAL_NAME_CHARS, PROPOSAL_REASON_CHARS, TRANSCRIPT_LINE_CHARS
from adventorator.llm.bounds import shorten
from adventorator.play._outcomes import mechanics_line
from adventorator.play._voice import Narrator
from adventorator.play.combat import CombatScene, combat_scene, validate_attack
from adventorator.play.proposals import NARRATOR_ACTIONS, NarratorProposal, ProposalRejected
from adventorator.rules.engine import CheckKind, CheckResult, Ruleset
from adventorator.rules.srd import RulesError, parse_ability, parse_skill
from adventorator.services.transcripts import NewEntry

if TYPE_CHECKING:
    from adventorator.play._context import PlayContext
    from adventorator.play.combat import AttackOutcome, AttackResolver
    from adventorator.play.offline_narrator import CommandWords
    from adventorator.rules.condition_effects import RollEffect
    from adventorator.services.identities import ResolvedIdentity
    from adventorator.services.transcripts import TranscriptService
    from adventorator.sheet import CharacterSheet

__all__ = [
    "ProposalRejected",
    "TurnResult",
    "ValidCheck",
    "bound_proposal",
    "rejected_turn",
    "rejection_entry",
    "run_orchestrator",
    "validate_proposal",
]

log = logging.getLogger("adventorator.play.narrator")

DC_MIN, DC_MAX = 5, 30
TRANSCRIPT_CONTEXT_LINES = 20
_EXTRA_KEYS_KEPT = 5  # keys a state-changing proposal may name in its refusal
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
    effect: RollEffect | None = None  # what the character's conditions did to the check
    attack: AttackOutcome | None = None  # an attack the engine resolved (adv attack's data)

    def check_json(self) -> dict[str, Any] | None:
        """The check's JSON as ``adv check`` gives it (conditions included)."""
        if self.check is None:
            return None
        data = self.check.to_json()
        return data if self.effect is None else self.effect.annotate(data)

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check_json(),
            "narration": self.narration,
            "rejected": self.rejected,
            "reason": self.reason,
            "narrator": self.narrator,
            "notice": self.notice,
            "transcript_ids": list(self.transcript_ids),
            "notes": list(self.notes),
            "attack": None if self.attack is None else self.attack.data,
        }


def validate_proposal(proposal: NarratorProposal, words: CommandWords | None = None) -> ValidCheck:
    """Check a proposal before anything is rolled; raise ProposalRejected with why.

    A proposal that tries to change state is refused with the command to use
    instead, in the client's ``words`` (``offline_narrator.state_refusal``).
    """
    if proposal.model_extra:
        from adventorator.play.offline_narrator import state_refusal

        raise ProposalRejected(state_refusal(proposal, words))
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
    if proposal.action == "attack":  # run_orchestrator validates attacks against the encounter
        raise ProposalRejected("an attack is proposed only in a do turn, against its encounter")
    kind = _KINDS[proposal.action]
    try:
        skill = parse_skill(proposal.skill).value if proposal.skill else None
        ability = parse_ability(proposal.ability).value if proposal.ability else None
    except RulesError as error:
        raise ProposalRejected(f"the narrator named {error}") from error
    if kind is CheckKind.ABILITY and skill is not None:
        # "A Dexterity (Stealth) check" is an ability check in 5e, and many models
        # answer it so: the skill is kept (and the player's proficiency with it).
        kind = CheckKind.SKILL
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


async def run_orchestrator(
    *,
    app: PlayContext,
    ids: ResolvedIdentity,
    character_id: int,
    player_text: str,
    rng: random.Random,
    ruleset: Ruleset,
    words: CommandWords | None = None,
    resolve_attack: AttackResolver | None = None,
) -> TurnResult:
    """Play one ``do`` turn for the player's character (see the module doc).

    ``words`` is the client's syntax, for refusals that name a command.
    ``resolve_attack`` runs an accepted attack proposal as ``adv attack`` does
    (the command layer's); without it, attack proposals are refused.
    """
    from adventorator.llm import model_turn
    from adventorator.play._attack_turn import attack_turn

    characters = await app.characters()
    transcripts = await app.transcripts()
    record = await characters.get_by_id(ids.campaign_id, character_id)
    history = await transcripts.recent(ids.scene_id, limit=TRANSCRIPT_CONTEXT_LINES)
    scene = await _scene(app, ids, character_id, record.sheet)
    # One deadline for every model call of the turn; an ``act`` that runs this
    # ``do`` has opened the turn already, and this joins it.
    with model_turn() as model:
        narrator = Narrator(app.llm(), app, record.sheet, ruleset, model, words)
        lines = [(line.role, line.content) for line in history]
        proposal = bound_proposal(await narrator.propose(player_text, lines, scene))
        try:
            if proposal.action == "attack" and not proposal.model_extra:
                attack = validate_attack(proposal, scene, words)
                if resolve_attack is None:
                    raise ProposalRejected("this caller cannot resolve attacks")
                return await attack_turn(
                    transcripts=transcripts,
                    ids=ids,
                    character_id=character_id,
                    player_text=player_text,
                    proposal=proposal,
                    attack=attack,
                    resolve=resolve_attack,
                    narrator=narrator,
                )
            valid = validate_proposal(proposal, words)
        except ProposalRejected as rejection:
            return await _rejected(
                transcripts, ids, character_id, player_text, proposal, narrator, str(rejection)
            )
        result, effect = _roll(record.sheet, valid, ruleset, rng)
        auto_fail = effect is not None and effect.auto_fail
        told = await narrator.narrate(player_text, result, valid.reason, auto_fail=auto_fail)
    return await _recorded_turn(
        transcripts,
        ids,
        character_id,
        TurnParts(player_text, valid, result, effect, told),
        narrator,
    )


@dataclass(frozen=True)
class TurnParts:
    """What one check turn said and rolled, before it is recorded."""

    player_text: str
    valid: ValidCheck
    result: CheckResult | None
    effect: RollEffect | None
    told: str

    @property
    def auto_fail(self) -> bool:
        return self.effect is not None and self.effect.auto_fail


def _roll(
    sheet: CharacterSheet, valid: ValidCheck, ruleset: Ruleset, rng: random.Random
) -> tuple[CheckResult | None, RollEffect | None]:
    """The proposed check rolled with the character's real stats (None: nothing to roll)."""
    if valid.kind is None:
        return None, None
    check_input = sheet.check_input(
        ruleset, valid.kind, ability=valid.ability, skill=valid.skill, dc=valid.dc
    )
    # The character's conditions and exhaustion change the roll, as in `adv check`.
    check_input, effect = sheet.conditioned(check_input)
    return ruleset.perform_check(check_input, rng=rng), effect


async def _recorded_turn(
    transcripts: TranscriptService,
    ids: ResolvedIdentity,
    character_id: int,
    parts: TurnParts,
    narrator: Narrator,
) -> TurnResult:
    """The turn's transcript lines written (player, mechanics, narrator), and its result."""
    # Model text may hold a NUL, which Postgres cannot store; show what is stored.
    narration = shorten(parts.told.replace("\x00", ""), TRANSCRIPT_LINE_CHARS)
    valid, result, effect = parts.valid, parts.result, parts.effect
    entries = [NewEntry("player", parts.player_text)]
    if result is not None:
        checked = result.to_json() if effect is None else effect.annotate(result.to_json())
        meta = {"check": checked, "reason": valid.reason, "notes": list(valid.notes)}
        line = mechanics_line(result, auto_fail=parts.auto_fail)
        entries.append(NewEntry("mechanics", line, meta))
    entries.append(NewEntry("narrator", narration, narrator.meta()))
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
        effect=effect,
    )


async def _scene(
    app: PlayContext, ids: ResolvedIdentity, character_id: int, sheet: CharacterSheet
) -> CombatScene:
    """The scene's encounter as the acting character sees it (no session kept).

    The combatants' sheets come through the character cache, for who is down.
    """
    encounters = await app.encounters()
    view = await encounters.active(ids.campaign_id, ids.scene_id)
    if view is None:
        return combat_scene(None, character_id, sheet)
    characters = await app.characters()
    down = set()
    for combatant in view.combatants:
        other = (await characters.get_by_id(ids.campaign_id, combatant.character_id)).sheet
        if other.hp is not None and other.hp.current == 0:
            down.add(combatant.name)
    return combat_scene(view, character_id, sheet, frozenset(down))


async def _rejected(
    transcripts: TranscriptService,
    ids: ResolvedIdentity,
    character_id: int,
    player_text: str,
    proposal: NarratorProposal,
    narrator: Narrator,
    reason: str,
) -> TurnResult:
    """Record the player's line and why the proposal was refused; nothing is rolled."""
    log.info("proposal rejected: %s", reason)
    ids_written = await transcripts.record(
        [NewEntry("player", player_text), rejection_entry(proposal, narrator, reason)],
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        player_id=ids.player_id,
        character_id=character_id,
    )
    return rejected_turn(narrator, reason, ids_written)


def rejection_entry(proposal: NarratorProposal, narrator: Narrator, reason: str) -> NewEntry:
    """The transcript line saying why a proposal was refused (the proposal kept in its meta)."""
    meta = {"proposal": proposal.model_dump(mode="json"), "reason": reason, **narrator.meta()}
    return NewEntry("system", f"Rejected: {reason}", meta, status="error")


def rejected_turn(narrator: Narrator, reason: str, transcript_ids: Sequence[int]) -> TurnResult:
    """A turn that rolled nothing: its proposal was refused for ``reason``."""
    return TurnResult(
        narration="",
        check=None,
        rejected=True,
        reason=reason,
        narrator=narrator.name,
        notice=narrator.notice,
        transcript_ids=tuple(transcript_ids),
    )


def bound_proposal(proposal: NarratorProposal) -> NarratorProposal:
    """The proposal with every string cut to what may be stored and echoed back.

    Names are cut short (a long one is unknown anyway, and its refusal quotes
    it), the reason to ``PROPOSAL_REASON_CHARS``, and extra keys, which only
    ever lead to a rejection, to a few short keys with short values.
    """

    def name(value: str | None) -> str | None:
        return None if value is None else shorten(value, PROPOSAL_NAME_CHARS)

    extra = {
        shorten(key, PROPOSAL_NAME_CHARS): _short_value(value)
        for key, value in list((proposal.model_extra or {}).items())[:_EXTRA_KEYS_KEPT]
    }
    return NarratorProposal.model_validate(
        {
            "action": name(proposal.action),
            "ability": name(proposal.ability),
            "skill": name(proposal.skill),
            "dc": proposal.dc,
            "weapon": name(proposal.weapon),
            "target": name(proposal.target),
            "reason": shorten(proposal.reason, PROPOSAL_REASON_CHARS),
            **extra,
        }
    )


def _short_value(value: object) -> object:
    if isinstance(value, bool | int | float) or value is None:
        return value
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return shorten(text, PROPOSAL_NAME_CHARS)
