"""``condition add NAME CONDITION --rounds N [--until end|start]``: a condition with a duration.

In the scene's encounter, the condition and its effect are recorded in one
transaction (``EncounterService.add_effect``); ``init next`` ends it at the
boundary of the affected combatant's own turns: "end" (the default, as the
SRD's "until the end of its next turn") when its turn ends N turns later
(an effect applied during its own turn does not count that turn), "start"
when its turn starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from adventorator.commands._types import Invocation, Reply
from adventorator.errors import InputError

if TYPE_CHECKING:
    from adventorator.sheet import CharacterSheet

__all__ = ["UNTIL", "timed_condition"]

UNTIL = ("end", "start")


async def timed_condition(
    invocation: Invocation,
    name: str | None,
    condition: str,
    rounds: int,
    until: str,
    apply: Callable[[CharacterSheet], tuple[CharacterSheet, str]],
) -> Reply:
    """Add ``condition`` through ``apply`` with an effect lasting ``rounds`` of its turns."""
    from adventorator.commands._play import active_or

    if until not in UNTIL:
        flag = invocation.syntax.option("until", command="condition add")
        raise InputError(f"{flag} must be end or start, got {until!r}")
    name = await active_or(invocation, name)
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.encounters()
    change = await service.add_effect(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        name=name,
        effect={"condition": condition, "rounds": rounds, "until": until},
        apply=apply,
        as_gm=invocation.identity.gm,
    )
    known = () if change.before is None else change.before.effects
    [effect] = [e for e in change.after.effects if e not in known]
    return Reply(
        text="\n".join((*change.lines, change.summary)),
        data={
            "character": effect["name"],
            "event_id": change.event_id,
            "effect": effect,
            "lines": list(change.lines),
        },
        transcript_ids=change.transcript_ids,
    )
