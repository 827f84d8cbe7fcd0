"""How well a check went: the outcome bucket, for the offline templates and the model's prompt.

The engine decides success; this says by how much, so a natural 20 against
DC 15 is told as a triumph, not "it could go either way", and a natural 1 is
a fumble, not "barely". Buckets, checked in this order:

- ``automatic``: the character's conditions failed it (no die is told);
- ``critical``: a natural 20 that succeeds;
- ``fumble``: a natural 1 that fails;
- ``strong``: success by 5 or more; ``narrow``: success by 0-4;
- ``near_miss``: failure by 1-4; ``clear_fail``: failure by 5 or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adventorator.rules.engine import CheckResult

__all__ = ["TEMPLATES", "Degree", "degree_of", "mechanics_line"]

_CLEAR = 5  # the margin from which a success or failure is clear-cut


@dataclass(frozen=True)
class Degree:
    """The outcome bucket of a check against a DC, with what decided it."""

    bucket: str
    margin: int | None  # total - DC; None for an automatic failure
    natural: int | None  # the kept d20's face; None for an automatic failure
    dc: int

    @property
    def success(self) -> bool:
        return self.bucket in ("critical", "strong", "narrow")

    def describe(self) -> str:
        """One line for the model: the outcome's degree, so it narrates that outcome."""
        if self.bucket == "automatic":
            return "AUTOMATIC FAILURE: the character's condition makes it fail; no die decided it."
        assert self.margin is not None
        by = f"total {'beat' if self.margin >= 0 else 'missed'} DC {self.dc} by {abs(self.margin)}"
        return {
            "critical": f"CRITICAL SUCCESS (a natural 20, {by}): a triumph, tell it as decisive.",
            "strong": f"CLEAR SUCCESS ({by}): it works convincingly.",
            "narrow": f"NARROW SUCCESS ({by}): it works, only just.",
            "near_miss": f"NEAR MISS ({by}): it fails, but only just.",
            "clear_fail": f"CLEAR FAILURE ({by}): it fails plainly.",
            "fumble": f"FUMBLE (a natural 1, {by}): it goes wrong, not a near thing.",
        }[self.bucket]


def degree_of(result: CheckResult, *, auto_fail: bool = False) -> Degree | None:
    """The bucket of a check made against a DC (None when there was no DC)."""
    dc = result.dc
    if dc is None:
        return None
    if auto_fail:
        return Degree("automatic", None, None, dc)
    margin = result.total - dc
    if result.success and result.natural == 20:
        bucket = "critical"
    elif not result.success and result.natural == 1:
        bucket = "fumble"
    elif result.success:
        bucket = "strong" if margin >= _CLEAR else "narrow"
    else:
        bucket = "clear_fail" if -margin >= _CLEAR else "near_miss"
    return Degree(bucket, margin, result.natural, dc)


def mechanics_line(result: CheckResult, *, auto_fail: bool) -> str:
    """The transcript's mechanics line: the roll, and "automatic failure" when conditions rule."""
    line = result.text()
    if not auto_fail:
        return line
    if result.dc is not None:
        line = line.removesuffix(": success" if result.success else ": failure")
    return f"{line}: automatic failure"


# Three per bucket, chosen by a stable hash of the player's text.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "critical": (
        "Everything falls into place at once: {name} is flawless. {The_check} succeeds "
        "spectacularly.",
        "{name} makes it look effortless, a moment people will talk about. {The_check} is a "
        "resounding success.",
        "A perfect moment: {name} does it better than anyone could have hoped. {The_check} "
        "succeeds brilliantly.",
    ),
    "strong": (
        "{name} steadies, commits, and makes it look easy. {The_check} succeeds, and the way "
        "forward opens.",
        "{name} moves with quiet confidence. {The_check} succeeds, and nothing stands in the "
        "way now.",
        "There is never much doubt: {the_check} succeeds cleanly for {name}.",
    ),
    "narrow": (
        "For a breathless moment it could go either way, then it comes good: {the_check} "
        "succeeds for {name}.",
        "It takes everything {name} has, but it works. {The_check} is a success, only just.",
        "{name} scrapes through by a hair. {The_check} succeeds, barely.",
    ),
    "near_miss": (
        "So close: {name} almost has it, but it slips away at the last moment. {The_check} fails.",
        "{name} gives it a real try, and very nearly manages. {The_check} fails, by a whisker.",
        "It nearly comes together for {name}, not quite. {The_check} fails.",
    ),
    "clear_fail": (
        "{name} gives it a real try, but it does not come together. {The_check} fails.",
        "{name} falls short this time, and clearly so. {The_check} fails, though the story "
        "goes on.",
        "Despite {name}'s best effort, it is out of reach. {The_check} is a failure.",
    ),
    "fumble": (
        "Something goes badly wrong at the worst moment: {the_check} fails, and the situation "
        "shifts against {name}.",
        "{name} fumbles it completely. {The_check} fails, and not gracefully.",
        "Nothing goes right for {name}: {the_check} is a clumsy failure.",
    ),
    "automatic": (
        "{name} cannot even try: {the_check} fails automatically.",
        "{name}'s condition decides it before any effort can: {the_check} fails automatically.",
        "There is no chance this time; held by their condition, {name} fails {the_check} "
        "automatically.",
    ),
}
