"""The ``features`` list of a sheet: free text, with the rules engine's flags recognised.

A sheet lists its features as people write them (``"Sneak Attack (3d6)"``,
``"Jack of All Trades"``). Entries whose normalised name (case, spaces, hyphens
and underscores ignored) is one of the ``Feature`` flags are stored as that
flag's snake_case name and change the numbers; everything else is kept as
written. An entry that is nearly a flag name is an error rather than silently
ignored text, since a typo there would quietly change every roll.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from adventorator.sheet._fields import normalise_name

__all__ = ["FEATURES_DESCRIPTION", "Feature", "FeatureList", "feature_flags"]


class Feature(enum.StrEnum):
    """Features the rules engine applies by itself (see ``CheckInput``)."""

    JACK_OF_ALL_TRADES = "jack_of_all_trades"
    RELIABLE_TALENT = "reliable_talent"
    HALFLING_LUCKY = "halfling_lucky"
    REMARKABLE_ATHLETE = "remarkable_athlete"


# Other spellings people use for a flag: the SRD 5.2 calls the halfling trait "Luck".
_ALIASES = {"halfling_luck": Feature.HALFLING_LUCKY}
_FLAG_NAMES = [flag.value for flag in Feature] + list(_ALIASES)

FEATURES_DESCRIPTION = (
    'Class, species and background features as text, e.g. "Sneak Attack (3d6)". '
    "These entries change the numbers, matched ignoring case, spaces, hyphens and "
    "underscores: " + ", ".join(f.value for f in Feature) + ". "
    "Each is stored under that snake_case name; other entries are kept as written."
)


def _flag(entry: str) -> Feature | None:
    key = normalise_name(entry)
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return Feature(key)
    except ValueError:
        return None


def _normalise_features(entries: list[str]) -> list[str]:
    """Flags to their snake_case names, duplicates (ignoring case) dropped, typos refused."""
    kept: list[str] = []
    seen: set[str] = set()
    typos: list[str] = []
    for entry in entries:
        flag = _flag(entry)
        if flag is None:
            close = difflib.get_close_matches(normalise_name(entry), _FLAG_NAMES, n=1, cutoff=0.85)
            if close:
                typos.append(f"{entry!r} looks like a misspelling of {_flag(close[0])}")
        text = entry if flag is None else flag.value
        if text.casefold() not in seen:
            seen.add(text.casefold())
            kept.append(text)
    if typos:
        raise PydanticCustomError(
            "feature_typo",
            "{typos} (spell it exactly for the rules to apply it)",
            {"typos": ", ".join(typos)},
        )
    return kept


FeatureText = Annotated[str, Field(min_length=1, max_length=200)]
FeatureList = Annotated[
    list[FeatureText], Field(max_length=200), AfterValidator(_normalise_features)
]


def feature_flags(entries: Iterable[str]) -> frozenset[Feature]:
    """The rules flags among (already normalised) feature entries."""
    return frozenset(flag for flag in map(_flag, entries) if flag is not None)
