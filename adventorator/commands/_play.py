"""What the play-state commands share: amounts, the acting ids, HP lines and replies.

Imported inside handlers (it loads the rules and the services' types), so
``adv --help`` and ``adv roll`` never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adventorator.commands._types import Invocation, Reply
from adventorator.errors import InputError
from adventorator.rules import dice
from adventorator.rules.condition_immunity import immune_to
from adventorator.rules.conditions import ALSO_GAINED, Condition
from adventorator.rules.hp import AMOUNT_LIMIT, HitPointState, HpChange, HpEvent
from adventorator.services.play_state import PlayChange
from adventorator.sheet import CharacterSheet

__all__ = [
    "Amount",
    "Outcome",
    "act",
    "active_or",
    "hp_line",
    "hp_reply",
    "roll_amount",
    "split_amount",
    "with_hp_change",
]

# Events the arrow already shows; the others are worth a word in the line.
_SHOWN_BY_NUMBERS = frozenset(
    {HpEvent.LOST_HP, HpEvent.HEALED, HpEvent.TEMPORARY_ABSORBED, HpEvent.HP_SET}
)


@dataclass(frozen=True)
class Amount:
    """An amount typed as a number or rolled from dice, with the roll for --json."""

    total: int
    roll: dict[str, Any] | None = None
    text: str = ""


def roll_amount(invocation: Invocation, typed: str, what: str) -> Amount:
    """``typed`` as a whole number (1 or more), or a dice expression rolled now.

    A rolled total below 0 counts as 0 (SRD: no negative damage or healing).
    """
    text = typed.strip()
    if text.lstrip("+-").isdigit():
        value = int(text)
        if value < 1:
            raise InputError(f"{what} must be at least 1, got {value}")
        if value > AMOUNT_LIMIT:
            raise InputError(f"{what} must be at most {AMOUNT_LIMIT:,}, got {value:,}")
        return Amount(value)
    result = dice.roll(dice.parse(text), rng=invocation.rng, limits=dice.DEFAULT_LIMITS)
    total = max(0, min(int(result.total), AMOUNT_LIMIT))
    return Amount(total, dice.result_to_json(result), dice.render_text(result))


def split_amount(
    invocation: Invocation, name: str | None, amount: str | None, command: str
) -> tuple[str | None, str]:
    """(the character named or None for the active one, the amount) from NAME and AMOUNT.

    NAME may be left out (``adv heal 10``, ``adv damage 2d6 + 3``): one word, or
    a first word that is itself a number or dice, starts the amount.
    """
    if amount is not None and not _is_amount(name):
        return name, amount
    if not (name or amount) or (amount is None and not _is_amount(name)):
        usage = invocation.syntax.usage(command, ["amount"])
        named = invocation.syntax.usage(command, ["name", "amount"])
        raise InputError(f"{command} needs an amount: `{usage}` or `{named}`")
    return None, " ".join(word for word in (name, amount) if word)


def _is_amount(word: str | None) -> bool:
    if word is None:
        return False
    if word.strip().lstrip("+-").isdigit():
        return True
    try:
        dice.parse(word)
    except dice.DiceError:
        return False
    return True


async def active_or(invocation: Invocation, name: str | None) -> str:
    """``name``, else the name of the invoking player's active character."""
    from adventorator.commands._characters import character_for

    return name if name else (await character_for(invocation, None)).name


@dataclass
class Outcome:
    """What the last run of an ``apply`` function found (it may run again on a lost race)."""

    hp: HpChange | None = None
    extra: dict[str, Any] = field(default_factory=dict)


async def act(
    invocation: Invocation,
    name: str | None,
    kind: str,
    apply: Callable[[CharacterSheet], tuple[CharacterSheet, str]],
    *,
    any_owner: bool = False,
) -> PlayChange:
    """Run one recorded change as the invoking player (ids created on first use).

    ``name`` None is the player's active character.
    """
    name = await active_or(invocation, name)
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.play_state()
    return await service.change(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        name=name,
        kind=kind,
        apply=apply,
        any_owner=any_owner,
        as_gm=invocation.identity.gm,
    )


def with_hp_change(sheet: CharacterSheet, change: HpChange) -> CharacterSheet:
    """The sheet with the new hit points, and the conditions that go with them.

    SRD Unconscious: dropping to 0 HP makes a creature unconscious, and it falls
    prone (rules.conditions.ALSO_GAINED), unless it is immune to a condition (an
    ooze that cannot be knocked prone stays upright); regaining hit points wakes
    it, and it stays prone until it stands up.
    """
    updated = sheet.with_hit_points(change.after)
    names = [c.value for c in sheet.conditions]
    if change.after.unconscious and not change.before.unconscious:
        gained = [
            c.value for c in sorted({Condition.UNCONSCIOUS, *ALSO_GAINED[Condition.UNCONSCIOUS]})
        ]
        barred = immune_to(gained, [c.value for c in sheet.condition_immunities])
        names += [name for name in gained if name not in names and name not in barred]
    elif change.before.current == 0 and change.after.current > 0:
        names = [n for n in names if n != Condition.UNCONSCIOUS.value]
    else:
        return updated
    return updated.with_conditions(names, sheet.exhaustion)


def hp_line(name: str, change: HpChange, detail: str = "") -> str:
    """``Wren: 38 → 27 HP (11 piercing)``, then what else happened."""
    before, after = change.before, change.after
    line = f"{name}: {before.current} → {after.current} HP"
    if before.temporary != after.temporary:
        line += f", temp {before.temporary} → {after.temporary}"
    if before.maximum != after.maximum:
        line += f", max {before.maximum} → {after.maximum}"
    if detail:
        line += f" ({detail})"
    words = [event.value for event in change.events if event not in _SHOWN_BY_NUMBERS]
    saves = _saves(after)
    if saves:
        words.append(saves)
    return line + (f"; {', '.join(words)}" if words else "")


def _saves(state: HitPointState) -> str:
    if not state.dying or not (state.successes or state.failures):
        return ""
    return f"death saves: {state.successes} of 3 successes, {state.failures} of 3 failures"


def hp_reply(done: PlayChange, outcome: Outcome, *, extra_lines: tuple[str, ...] = ()) -> Reply:
    """The reply of an HP change: the compact line, and --json with the states."""
    change = outcome.hp
    data: dict[str, Any] = {
        "character": done.record_after.name,
        "event_id": done.event_id,
        "summary": done.summary,
        **outcome.extra,
    }
    if change is not None:
        data.update(change.to_json())
    data["conditions"] = [c.value for c in done.record_after.sheet.conditions]
    text = "\n".join((done.summary, *extra_lines))
    return Reply(
        text=text,
        data=data,
        transcript_ids=() if done.transcript_id is None else (done.transcript_id,),
    )
