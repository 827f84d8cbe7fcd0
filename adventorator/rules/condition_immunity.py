"""Condition immunities: a creature immune to a condition cannot be given it (SRD 5.1).

Monsters list theirs ("Condition Immunities poisoned" for a skeleton); a sheet
carries them as ``condition_immunities``. Every path that adds a condition (the
``condition add`` command, a failed save that imposes one) asks ``immune_to``
first, and refuses with ``immunity_message``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["immune_to", "immunity_message"]


def immune_to(gained: Iterable[str], immunities: Iterable[str]) -> tuple[str, ...]:
    """The conditions in ``gained`` the creature is immune to (names as the rules spell them)."""
    barred = {name.lower() for name in immunities}
    return tuple(name for name in gained if name.lower() in barred)


def immunity_message(name: str, conditions: Iterable[str]) -> str:
    """One line: ``Skeleton is immune to poisoned (condition immunity): not added``."""
    listed = " and ".join(conditions)
    return f"{name} is immune to {listed} (condition immunity): not added"
