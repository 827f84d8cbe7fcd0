"""The offline planner's play-state phrases: heal, damage, stabilize, undo, history, conditions.

Each rule reads one phrase and plans the registry command that does it; a
character left unnamed ("heal 10 hp", "I take 7 damage", "I am poisoned") is
the player's active one, which the command fills in. A damage type is kept
only when it is one of the SRD's, so "I take 10 nasty damage" is plain damage.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from adventorator.play.proposals import PlannerOutput
from adventorator.rules.conditions import Condition
from adventorator.rules.damage import DamageType

__all__ = ["PLAY_STATE_RULES"]

_AMOUNT = r"(?P<amount>\d*\s*d\s*\d+(?:\s*[-+]\s*\d+)?|\d+)"
# One or two words; "heal wren for 5" names Wren, not "wren for".
_NAME = r"(?P<name>[A-Za-z][\w'-]*(?:\s+(?!(?:for|by|to)\b)[A-Za-z][\w'-]*)?)"
_SELF = frozenset({"me", "myself", "i", "self"})
_TYPES = "|".join(sorted(t.value for t in DamageType))
_CONDITIONS = "|".join(sorted((*(c.value for c in Condition), "exhaustion", "exhausted")))
_HP = r"(?:\s*(?:hp|hit\s*points?|points?))?"

_HEAL = re.compile(
    rf"^\s*(?:please\s+|i\s+)?heals?\s+(?:{_NAME}\s+(?:for\s+|by\s+)?)??{_AMOUNT}{_HP}"
    r"\s*[.!]?\s*$",
    re.IGNORECASE,
)
_TAKE = re.compile(
    rf"^\s*(?:{_NAME}\s+)?(?:takes?|took|suffers?)\s+{_AMOUNT}\s+(?:points?\s+of\s+)?"
    rf"(?:(?P<type>{_TYPES})\s+)?damage\b",
    re.IGNORECASE,
)
_DEAL = re.compile(
    rf"^\s*(?:deal|do)\s+{_AMOUNT}\s+(?:points?\s+of\s+)?(?:(?P<type>{_TYPES})\s+)?"
    rf"damage\s+to\s+{_NAME}\s*[.!]?\s*$",
    re.IGNORECASE,
)
_STABILIZE = re.compile(rf"^\s*stabili[sz]e\s+{_NAME}\s*[.!]?\s*$", re.IGNORECASE)
_UNDO = re.compile(
    r"^\s*(?:please\s+)?undo(?:\s+(?:that|it|this|the\s+last\s+(?:change|one)|my\s+last"
    r"(?:\s+change)?))?\s*[.!]?\s*$",
    re.IGNORECASE,
)
_HISTORY = re.compile(
    r"^\s*(?:(?:show|list|see|view)\s+(?:me\s+)?(?:the\s+)?(?:change\s+)?)?history\s*[.!?]?\s*$",
    re.IGNORECASE,
)
_I_AM = re.compile(
    rf"^\s*(?:i\s+am|i'm|i\s+become|i\s+got)\s+(?P<no>no\s+longer\s+|not\s+)?(?:now\s+)?"
    rf"(?P<condition>{_CONDITIONS})\s*[.!]?\s*$",
    re.IGNORECASE,
)
_ADD_TO = re.compile(
    rf"^\s*(?P<verb>add|give|remove|end)\s+(?:the\s+)?(?P<condition>{_CONDITIONS})"
    rf"(?:\s+condition)?\s+(?:to|from|on)\s+{_NAME}\s*[.!]?\s*$",
    re.IGNORECASE,
)


def _plan(command: str, sub: str | None = None, **args: object) -> PlannerOutput:
    kept = {key: value for key, value in args.items() if value is not None}
    return PlannerOutput(command=command, subcommand=sub, args=kept, confidence=0.9)


def _who(name: str | None) -> str | None:
    """The named character, or None (the active one) for "me", "myself" or no name."""
    if name is None or name.lower() in _SELF:
        return None
    return name


def _amount(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _heal(text: str) -> PlannerOutput | None:
    found = _HEAL.match(text)
    if found is None:
        return None
    return _plan("heal", name=_who(found.group("name")), amount=_amount(found.group("amount")))


def _damage(text: str) -> PlannerOutput | None:
    found = _TAKE.match(text) or _DEAL.match(text)
    if found is None:
        return None
    kind = found.group("type")
    return _plan(
        "damage",
        name=_who(found.group("name")),
        amount=_amount(found.group("amount")),
        type=kind.lower() if kind else None,
    )


def _stabilize(text: str) -> PlannerOutput | None:
    found = _STABILIZE.match(text)
    return None if found is None else _plan("stabilize", name=_who(found.group("name")))


def _undo_or_history(text: str) -> PlannerOutput | None:
    if _UNDO.match(text):
        return _plan("undo")
    if _HISTORY.match(text):
        return _plan("history")
    return None


def _condition(text: str) -> PlannerOutput | None:
    found = _I_AM.match(text)
    if found is not None:
        sub = "remove" if found.group("no") else "add"
        return _plan("condition", sub, condition=_condition_name(found.group("condition")))
    found = _ADD_TO.match(text)
    if found is None:
        return None
    sub = "add" if found.group("verb").lower() in ("add", "give") else "remove"
    return _plan(
        "condition",
        sub,
        name=_who(found.group("name")),
        condition=_condition_name(found.group("condition")),
    )


def _condition_name(word: str) -> str:
    word = word.lower()
    return "exhaustion" if word == "exhausted" else word


PLAY_STATE_RULES: tuple[Callable[[str], PlannerOutput | None], ...] = (
    _heal,
    _damage,
    _stabilize,
    _undo_or_history,
    _condition,
)
