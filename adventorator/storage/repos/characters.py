"""Characters and the active character: one-statement inserts and versioned updates."""

from __future__ import annotations

from typing import Any

from sqlalchemy import RowMapping, Select, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adventorator.errors import ConflictError
from adventorator.storage.models import (
    ActiveCharacter,
    Character,
    utcnow,
)
from adventorator.storage.repos._common import dialect_insert
from adventorator.text import name_key

# Characters ---------------------------------------------------------------


async def insert_character(
    session: AsyncSession, *, campaign_id: int, owner_id: int, name: str, sheet: dict[str, Any]
) -> Character | None:
    """Insert a character in one statement; None when the name is taken in the campaign.

    ``INSERT ... ON CONFLICT DO NOTHING RETURNING``: of several instances
    creating one name at once, exactly one inserts and the others see None.
    """
    values = {
        "campaign_id": campaign_id,
        "owner_id": owner_id,
        "name": name,
        "name_key": name_key(name),
        "sheet": sheet,
    }
    statement = (
        dialect_insert(session)(Character)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["campaign_id", "name_key"])
        .returning(Character)
    )
    return (await session.scalars(statement)).one_or_none()


async def get_character(session: AsyncSession, character_id: int) -> Character | None:
    return await session.get(Character, character_id)


async def find_character(session: AsyncSession, campaign_id: int, name: str) -> Character | None:
    query = select(Character).where(
        Character.campaign_id == campaign_id, Character.name_key == name_key(name)
    )
    return (await session.scalars(query)).one_or_none()


async def list_characters(
    session: AsyncSession, campaign_id: int, *, owner_id: int | None = None
) -> list[Character]:
    """A campaign's characters (optionally one player's), most recently updated first."""
    query = _characters_query(campaign_id, owner_id).order_by(
        Character.updated_at.desc(), Character.id.desc()
    )
    return list(await session.scalars(query))


async def default_character(
    session: AsyncSession, campaign_id: int, owner_id: int
) -> Character | None:
    """The player's most recently updated character that is not a monster's sheet.

    Monster sheets (``sheet.monster`` set, made by ``init add``) belong to the
    game master who added them, but are never who that player plays by default.
    """
    query = (
        _characters_query(campaign_id, owner_id)
        .where(Character.sheet["monster"].as_string().is_(None))
        .order_by(Character.updated_at.desc(), Character.id.desc())
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def count_characters(
    session: AsyncSession, campaign_id: int, *, owner_id: int | None = None
) -> int:
    query = select(func.count()).select_from(_characters_query(campaign_id, owner_id).subquery())
    return int((await session.execute(query)).scalar_one())


async def count_campaign_and_owner(
    session: AsyncSession, campaign_id: int, owner_id: int
) -> tuple[int, int]:
    """How many characters the campaign has, and how many of them ``owner_id`` owns."""
    query = select(func.count(), func.count().filter(Character.owner_id == owner_id)).where(
        Character.campaign_id == campaign_id
    )
    campaign, owned = (await session.execute(query)).one()
    return int(campaign), int(owned)


async def character_summaries(session: AsyncSession, campaign_id: int) -> list[RowMapping]:
    """Id, name, owner, class and level of a campaign's characters, newest first.

    Class and level are read out of the stored JSON as text, so listing never
    validates (or even loads) whole sheets, and one damaged row shows as
    such instead of breaking the list.
    """
    query = (
        select(
            Character.id,
            Character.name,
            Character.owner_id,
            Character.sheet["class"].as_string().label("class_name"),
            Character.sheet["level"].as_string().label("level"),
        )
        .where(Character.campaign_id == campaign_id)
        .order_by(Character.updated_at.desc(), Character.id.desc())
    )
    return list((await session.execute(query)).mappings())


async def character_names(
    session: AsyncSession, campaign_id: int, *, typed: str, limit: int
) -> list[str]:
    """Up to ``limit`` names whose key starts with ``typed``, then those containing it."""
    key = name_key(typed)
    pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    starts = Character.name_key.like(f"{pattern}%", escape="\\")
    query = select(Character.name).where(Character.campaign_id == campaign_id)
    names = list(
        await session.scalars(query.where(starts).order_by(Character.name_key).limit(limit))
    )
    if key and len(names) < limit:
        inside = query.where(Character.name_key.like(f"%{pattern}%", escape="\\"), ~starts)
        names += await session.scalars(
            inside.order_by(Character.name_key).limit(limit - len(names))
        )
    return names


def _characters_query(campaign_id: int, owner_id: int | None) -> Select[Character]:
    query = select(Character).where(Character.campaign_id == campaign_id)
    if owner_id is not None:
        query = query.where(Character.owner_id == owner_id)
    return query


async def update_character(
    session: AsyncSession,
    character_id: int,
    *,
    version: int,
    name: str,
    sheet: dict[str, Any],
    touch: bool = True,
) -> Character | None:
    """Write a new sheet (and name) if the row is still at ``version``, the one that was read.

    Returns the updated row, or None when another write got there first (the
    caller reloads and applies its change again); ConflictError when the new
    name is taken. The savepoint keeps the session usable after a conflict.
    ``touch=False`` keeps ``updated_at``: play (damage, conditions) is not an
    edit of the sheet, and the most recently edited sheet is a player's
    default active character.
    """
    statement = (
        update(Character)
        .where(Character.id == character_id, Character.version == version)
        .values(
            name=name,
            name_key=name_key(name),
            sheet=sheet,
            version=Character.version + 1,
            # Named even when kept: the column's onupdate would otherwise bump it.
            updated_at=utcnow() if touch else Character.updated_at,
        )
        .returning(Character)
        .execution_options(populate_existing=True)
    )
    try:
        async with session.begin_nested():
            return (await session.scalars(statement)).one_or_none()
    except IntegrityError as error:
        raise ConflictError(
            f"a character named {name!r} already exists in this campaign"
        ) from error


async def delete_character(session: AsyncSession, character_id: int) -> bool:
    result = await session.execute(delete(Character).where(Character.id == character_id))
    return bool(getattr(result, "rowcount", 0))


async def set_active_character(
    session: AsyncSession, *, campaign_id: int, player_id: int, character_id: int
) -> None:
    """Record a player's explicit choice of character in a campaign (one upsert)."""
    statement = (
        dialect_insert(session)(ActiveCharacter)
        .values(campaign_id=campaign_id, player_id=player_id, character_id=character_id)
        .on_conflict_do_update(
            index_elements=["campaign_id", "player_id"],
            set_={"character_id": character_id, "selected_at": utcnow()},
        )
    )
    await session.execute(statement)


async def get_active_character_id(
    session: AsyncSession, *, campaign_id: int, player_id: int
) -> int | None:
    query = select(ActiveCharacter.character_id).where(
        ActiveCharacter.campaign_id == campaign_id, ActiveCharacter.player_id == player_id
    )
    return (await session.scalars(query)).one_or_none()
