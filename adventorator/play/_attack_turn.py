"""A ``do`` turn whose proposal is an attack: the engine resolves it, the narrator tells it.

The player's line is written first, then the attack runs through the
resolver (``adv attack``'s path: its roll, its one recorded damage event with
its own transcript line, the target's concentration save), then the roll's
mechanics line and the narration, so the transcript reads in the order things
happened. An attack the engine refuses (an incapacitated attacker, a target
without AC) is recorded as a rejection after the player's line; nothing is rolled.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adventorator.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from adventorator.limits import TRANSCRIPT_LINE_CHARS
from adventorator.llm.bounds import shorten
from adventorator.play.narrator import TurnResult, rejected_turn, rejection_entry
from adventorator.services.transcripts import NewEntry

if TYPE_CHECKING:
    from adventorator.play._voice import Narrator
    from adventorator.play.combat import AttackResolver, ValidAttack
    from adventorator.play.proposals import NarratorProposal
    from adventorator.services.identities import ResolvedIdentity
    from adventorator.services.transcripts import TranscriptService

__all__ = ["attack_turn"]

log = logging.getLogger("adventorator.play.narrator")

_REFUSED = (ConflictError, InputError, NotFoundError, PermissionDeniedError)


async def attack_turn(
    *,
    transcripts: TranscriptService,
    ids: ResolvedIdentity,
    character_id: int,
    player_text: str,
    proposal: NarratorProposal,
    attack: ValidAttack,
    resolve: AttackResolver,
    narrator: Narrator,
) -> TurnResult:
    """Resolve ``attack`` as ``adv attack`` does, narrate its outcome, record the turn."""

    async def record(entries: list[NewEntry]) -> list[int]:
        return await transcripts.record(
            entries,
            campaign_id=ids.campaign_id,
            scene_id=ids.scene_id,
            player_id=ids.player_id,
            character_id=character_id,
        )

    [said] = await record([NewEntry("player", player_text)])
    try:
        outcome = await resolve(attack)
    except _REFUSED as error:
        log.info("attack refused by the engine: %s", error)
        reason = str(error)
        [refused] = await record([rejection_entry(proposal, narrator, reason)])
        return rejected_turn(narrator, reason, (said, refused))
    told = await narrator.narrate_attack(player_text, attack, outcome)
    narration = shorten(told.replace("\x00", ""), TRANSCRIPT_LINE_CHARS)
    roll_line = outcome.text.splitlines()[0] if outcome.text else ""
    meta = {"attack": outcome.data, "reason": attack.reason}
    written = await record(
        [NewEntry("mechanics", roll_line, meta), NewEntry("narrator", narration, narrator.meta())]
    )
    return TurnResult(
        narration=narration,
        check=None,
        rejected=False,
        reason=attack.reason,
        narrator=narrator.name,
        notice=narrator.notice,
        transcript_ids=(said, *written),
        attack=outcome,
    )
