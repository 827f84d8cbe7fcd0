"""Re-importing over a stored sheet without losing play (``adv sheet import --update NAME``).

The fresh import replaces everything the source owns (abilities, skills,
features, attacks, the HP maximum ...), while what play changed is kept:
current and temporary hit points, death saves, conditions and exhaustion
(the fields an event records, ``PLAY_STATE_FIELDS``), and the stored name.
Current HP is kept as it is (at most the new maximum); a character at full
HP stays at full HP when the maximum changes. ``changes`` lists the
difference as one ``path: old → new`` line each, shown before applying.
"""

from __future__ import annotations

from typing import Any

from adventorator.sheet._io import SheetError, parse_sheet_data
from adventorator.sheet._model import CharacterSheet

__all__ = ["changes", "reimported"]


def reimported(stored: dict[str, Any], fresh: CharacterSheet) -> CharacterSheet:
    """``fresh`` with the play state and name of the ``stored`` sheet kept."""
    data = fresh.to_data()
    try:
        old = parse_sheet_data(stored)
    except SheetError:  # a damaged stored sheet: the import repairs it, keeping what it can
        return fresh
    data["name"] = old.name
    data["conditions"] = [c.value for c in old.conditions]
    data["exhaustion"] = old.exhaustion
    if old.hp is not None and "hp" in data:
        kept = old.hp.model_dump(mode="json", exclude_none=True)
        maximum = data["hp"]["max"]
        at_full = old.hp.current >= old.hp.max
        current = maximum if at_full else min(old.hp.current, maximum)
        data["hp"] = {**kept, "max": maximum, "current": current}
        if current > 0:  # death saves, stable and dead only hold at 0 HP
            data["hp"] = {k: v for k, v in data["hp"].items() if k in ("max", "current", "temp")}
    return parse_sheet_data(data)


def changes(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[str]:
    """Each difference between two sheet documents as ``path: old → new``."""
    lines: list[str] = []
    for key in list(dict.fromkeys([*before, *after])):
        path = f"{prefix}{key}"
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            lines += changes(old, new, f"{path}.")
        elif isinstance(old, list) and isinstance(new, list) and _all_text(old + new):
            added = [item for item in new if item not in old]
            removed = [item for item in old if item not in new]
            parts = [f"+ {', '.join(added)}"] * bool(added) + [f"- {', '.join(removed)}"] * bool(
                removed
            )
            lines.append(f"{path}: {'; '.join(parts) or 'reordered'}")
        else:
            lines.append(f"{path}: {_show(old)} → {_show(new)}")
    return lines


def _all_text(values: list[Any]) -> bool:
    return all(isinstance(value, str) for value in values)


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return f"{len(value)} entries"
    if isinstance(value, dict):
        return "{…}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"
