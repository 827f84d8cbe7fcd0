"""An attack's reply: plain lines, Discord markdown, and the ``--json`` data.

User text (names, labels) is data: the markdown lines escape it here (only
this module knows which words are ours), the plain ones are escaped by clients.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adventorator.commands._attack_odds import AttackChances
from adventorator.commands._attack_roll import AttackRoll
from adventorator.text import escape_markdown

__all__ = ["Applied", "attack_data", "attack_lines"]


@dataclass(frozen=True)
class Applied:
    """What happened to the target character: its play state before and after."""

    name: str
    before: dict[str, Any]
    after: dict[str, Any]
    summary: str
    taken: int
    reasons: tuple[str, ...]
    event_id: int | None


def _bold(text: str, markdown: bool) -> str:
    return f"**{text}**" if markdown else text


def _user(text: str, markdown: bool) -> str:
    """User (or our plain) text placed in a line: escaped in markdown."""
    return escape_markdown(text) if markdown else text


def _attack_line(attacker: str, rolled: AttackRoll, target: str | None, *, markdown: bool) -> str:
    roll = rolled.roll
    total = f"`{roll.total}`" if markdown else str(roll.total)
    against = f" {_user(target, markdown)}" if target else ""
    who, weapon = _user(attacker, markdown), _user(rolled.profile.name, markdown)
    line = f"{_bold(f'{who} attacks{against} with {weapon}', markdown)}: "
    line += f"{roll.terms(markdown=markdown)} = {total}"  # the shared roll notation
    if rolled.ac is not None:
        line += f" vs AC {rolled.ac}"
    word = rolled.outcome_word()
    if word:
        line += f": {_bold(word, markdown)}"
    return line


def attack_lines(
    attacker: str,
    rolled: AttackRoll,
    target: str | None,
    chances: AttackChances | None,
    applied: Applied | None,
    *,
    markdown: bool,
    extra: str,
) -> list[str]:
    """The reply, one fact a line: the roll, why it changed, the damage, the target's HP."""
    lines = [_attack_line(attacker, rolled, target, markdown=markdown)]
    lines += [f"- {_user(why, markdown)}" for why in rolled.effect.reason_texts]
    lines += [f"- {_user(why, markdown)}" for why in rolled.outcome.reasons]
    if rolled.parts:
        label = "Damage (critical)" if rolled.outcome.critical else "Damage"
        if rolled.outcome.hit is None:
            label += " if it hits"
        parts = "; ".join(p.line(markdown=markdown) for p in rolled.parts)
        total = f"`{rolled.rolled_damage}`" if markdown else str(rolled.rolled_damage)
        lines.append(f"{_bold(label, markdown)}: {parts}; total {total}")
    if rolled.parts:
        lines += [f"- {x.label} not added (once per turn: add {extra})" for x in rolled.left_out]
    if applied is not None:
        lines += [f"- {_user(why, markdown)}" for why in applied.reasons]
        lines.append(_user(applied.summary, markdown))
    if chances is not None:
        drop = "" if chances.drop is None else f", drops the target {float(chances.drop):.1%}"
        lines.append(
            f"Odds: hit {float(chances.hit):.1%} (critical {float(chances.critical):.1%}), "
            f"mean damage {chances.mean_damage:.2f}{drop}"
        )
    return lines


def attack_data(
    attacker: str,
    rolled: AttackRoll,
    target: str | None,
    chances: AttackChances | None,
    applied: Applied | None,
) -> dict[str, Any]:
    """What ``--json`` prints: the roll, the damage parts, and the target before and after."""
    damage = None
    if rolled.parts:
        damage = {
            "critical": rolled.outcome.critical,
            "parts": [p.to_json() for p in rolled.parts],
            "total": rolled.rolled_damage,
            "left_out": [x.label for x in rolled.left_out],
        }
    data: dict[str, Any] = {
        "attacker": attacker,
        "weapon": rolled.profile.name,
        "target": target,
        "attack": rolled.to_json(),
        "hit": rolled.outcome.hit,
        "critical": rolled.outcome.critical,
        "damage": damage,
        "taken": None if applied is None else applied.taken,
        "damage_reasons": [] if applied is None else list(applied.reasons),
        "target_before": None if applied is None else applied.before,
        "target_after": None if applied is None else applied.after,
        "event_id": None if applied is None else applied.event_id,
        "summary": None if applied is None else applied.summary,
    }
    if chances is not None:
        data["odds"] = chances.to_json()
    return data
