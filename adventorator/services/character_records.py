"""What the character service hands out: immutable records, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adventorator.sheet import CharacterSheet, SheetError, parse_sheet_data
from adventorator.storage.models import Character

__all__ = ["CharacterRecord", "CharacterSummary", "summary_from_row"]


@dataclass(frozen=True)
class CharacterRecord:
    """A stored character: ids, owner and its validated sheet."""

    id: int
    campaign_id: int
    owner_id: int
    name: str
    sheet: CharacterSheet
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Character) -> CharacterRecord:
        """The record of a row; a SheetError naming the character if it no longer validates."""
        try:
            sheet = parse_sheet_data(row.sheet)
        except SheetError as error:
            raise SheetError(
                f"the stored sheet of {row.name!r} no longer validates ({error.message}); "
                "repair it with sheet update or replace it with sheet create --replace",
                error.problems,
            ) from None
        return cls(
            id=row.id,
            campaign_id=row.campaign_id,
            owner_id=row.owner_id,
            name=row.name,
            sheet=sheet,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class CharacterSummary:
    """What a list shows of a character, read without validating its sheet.

    ``level`` is None when the stored sheet is damaged (``damaged`` is then
    True): the list still shows every other character.
    """

    id: int
    name: str
    owner_id: int
    class_name: str
    level: int | None

    @property
    def damaged(self) -> bool:
        return self.level is None


def summary_from_row(row: Any) -> CharacterSummary:
    return CharacterSummary(
        id=row["id"],
        name=row["name"],
        owner_id=row["owner_id"],
        class_name=str(row["class_name"] or "?"),
        level=_stored_level(row["level"]),
    )


def _stored_level(value: Any) -> int | None:
    """A level read out of stored JSON: an int on SQLite, text on Postgres; None if damaged."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 20:
        return value
    return None
