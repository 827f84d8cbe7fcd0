"""``sheet``: create, show, list, update and delete character sheets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._sheet_import import SheetImportOptions, import_sheet
from adventorator.commands._sheet_store import read_document, record_json, store
from adventorator.commands._sheet_view import sheet_panel, sheet_text
from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError

if TYPE_CHECKING:
    from adventorator.services.characters import CharacterSummary
    from adventorator.sheet import CharacterSheet


@dataclass(frozen=True)
class SheetCreateOptions:
    json: str | None = option("The sheet as JSON text.", default=None, placeholder="<sheet>")
    replace: bool = option("Overwrite your sheet of the same name.", default=False)
    example: str | None = option(
        "Create one of the shipped example sheets (see `sheet example --list`).",
        default=None,
        placeholder="<name>",
        planner=False,
    )


@dataclass(frozen=True)
class SheetExampleOptions:
    name: str | None = option(
        "The example to print (rogue, fighter or bard).", default=None, positional=True
    )
    list: bool = option("List the shipped example sheets.", default=False)


@dataclass(frozen=True)
class SheetNameOptions:
    name: str | None = option(
        "Character name (default: your active character).",
        default=None,
        positional=True,
        autocomplete=True,
    )


@dataclass(frozen=True)
class SheetUpdateOptions:
    name: str = option("Character to update.", positional=True, autocomplete=True)
    json: str | None = option("The merge patch (RFC 7396) as JSON text.", default=None)


@dataclass(frozen=True)
class SheetDeleteOptions:
    name: str = option("Character to delete.", positional=True, autocomplete=True)
    yes: bool = option("Delete without asking.", default=False)


@dataclass(frozen=True)
class NoOptions:
    pass


def _create_document(options: SheetCreateOptions, invocation: Invocation) -> str:
    if options.example is None:
        return read_document(options, invocation.identity.client)
    if options.json is not None:
        example = invocation.syntax.option("example", "NAME", command="sheet create")
        raise InputError(f"give either a document or {example}, not both")
    from adventorator.sheet import example_text

    return example_text(options.example)


async def create(invocation: Invocation, options: SheetCreateOptions) -> Reply:
    from adventorator.sheet import parse_sheet_json

    sheet = parse_sheet_json(_create_document(options, invocation))
    record, playing = await store(invocation, sheet, replace=options.replace)
    text = " ".join([f"Saved {record.name}.", *playing])
    return Reply(text=text, data=record_json(record, invocation.ruleset))


async def show(invocation: Invocation, options: SheetNameOptions) -> Reply:
    from adventorator.commands._characters import character_for

    record = await character_for(invocation, options.name)
    return Reply(
        text=sheet_text(record.sheet, invocation.ruleset),
        rich=lambda: sheet_panel(record.sheet, invocation.ruleset),
        data=record_json(record, invocation.ruleset),
    )


async def list_sheets(invocation: Invocation, options: NoOptions) -> Reply:
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.characters()
    summaries = await service.summaries(ids.campaign_id)
    active_id = await service.active_character_id(ids.player_id, ids.campaign_id)
    lines = [_list_line(s, active_id, s.owner_id == ids.player_id) for s in summaries]
    return Reply(
        text="\n".join(lines)
        or f"No characters in this campaign yet: `{invocation.syntax.command('sheet create')}`.",
        data={
            "characters": [
                {
                    "name": s.name,
                    "class": s.class_name,
                    "level": s.level,
                    "yours": s.owner_id == ids.player_id,
                    "active": s.id == active_id,
                    "damaged": s.damaged,
                }
                for s in summaries
            ]
        },
    )


def _list_line(summary: CharacterSummary, active_id: int | None, yours: bool) -> str:
    mark = "*" if summary.id == active_id else " "
    what = (
        "stored sheet is damaged (repair it with sheet update)"
        if summary.damaged
        else f"level {summary.level} {summary.class_name}"
    )
    return f"{mark} {summary.name}: {what}{' (yours)' if yours else ''}"


async def update(invocation: Invocation, options: SheetUpdateOptions) -> Reply:
    from adventorator.sheet import apply_merge_patch, parse_patch_json, parse_sheet_data

    patch = parse_patch_json(read_document(options, invocation.identity.client))

    def change(stored: dict[str, Any]) -> CharacterSheet:
        return parse_sheet_data(apply_merge_patch(stored, patch))

    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    record = await service.update(
        campaign_id=ids.campaign_id, actor_id=ids.player_id, name=options.name, change=change
    )
    return Reply(text=f"Updated {record.name}.", data=record_json(record, invocation.ruleset))


class ConfirmDelete(InputError):
    """Deleting needs ``yes``: the sheet meant, checked, and the question to ask about it.

    The CLI asks ``question`` on a terminal and runs again with ``confirmed``
    (the resolved name, so a prefix cannot come to mean another sheet).
    """

    def __init__(self, message: str, *, question: str, confirmed: dict[str, Any]) -> None:
        super().__init__(message)
        self.question = question
        self.confirmed = confirmed


async def delete(invocation: Invocation, options: SheetDeleteOptions) -> Reply:
    # The sheet meant (exact name or prefix), and it must be the player's, before asking.
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.characters()
    record = await service.own_character(
        campaign_id=ids.campaign_id, actor_id=ids.player_id, name=options.name, action="delete"
    )
    if not options.yes:
        confirm = invocation.syntax.option("yes", command="sheet delete")
        sheet = record.sheet
        raise ConfirmDelete(
            f"deleting {record.name!r} cannot be undone: add {confirm} to confirm",
            question=f"Delete {record.name} (level {sheet.level} {sheet.class_name})? "
            "It cannot be undone.",
            confirmed={"name": record.name, "yes": True},
        )
    player = await invocation.app.resolve(invocation.identity)
    record = await service.delete(
        campaign_id=player.campaign_id, actor_id=player.player_id, name=record.name
    )
    return Reply(text=f"Deleted {record.name}.", data={"deleted": record.name})


async def example(invocation: Invocation, options: SheetExampleOptions) -> Reply:
    """Print a shipped example sheet's JSON, or with ``--list`` their names."""
    import json

    from adventorator.sheet import example_names, example_text, parse_sheet_json

    if options.list or options.name is None:
        if options.name is not None:
            flag = invocation.syntax.name("list", command="sheet example")
            raise InputError(f"give an example name or {flag}, not both")
        sheets = {name: parse_sheet_json(example_text(name)) for name in example_names()}
        lines = [
            f"{name}: {sheet.name}, level {sheet.level} {sheet.class_name}"
            for name, sheet in sheets.items()
        ]
        return Reply(
            text="\n".join(lines),
            data={"examples": [{"example": n, "name": s.name} for n, s in sheets.items()]},
        )
    text = example_text(options.name)
    return Reply(text=text.rstrip("\n"), data=json.loads(text))


async def schema(invocation: Invocation, options: NoOptions) -> Reply:
    import json

    from adventorator.sheet import CharacterSheet

    document = CharacterSheet.model_json_schema(by_alias=True)
    return Reply(text=json.dumps(document, indent=2), data=document)


SPECS = (
    CommandSpec(
        path=("sheet", "create"),
        help="Create a character sheet: `adv sheet create --file wren.json` or `--example rogue`.",
        options=SheetCreateOptions,
        handler=create,
        json_output=False,
        purpose="create a character",
        planner_requires=("json",),
        see_also="sheet schema",
    ),
    CommandSpec(
        path=("sheet", "show"),
        help="Show a sheet (default: your active character) with derived values.",
        options=SheetNameOptions,
        handler=show,
    ),
    CommandSpec(
        path=("sheet", "list"),
        help="List the campaign's characters; * marks your active one.",
        options=NoOptions,
        handler=list_sheets,
    ),
    CommandSpec(
        path=("sheet", "update"),
        help=(
            "Change your sheet with a JSON merge patch: "
            "`adv sheet update Vex --json '{\"level\": 4}'`."
        ),
        options=SheetUpdateOptions,
        handler=update,
        json_output=False,
    ),
    CommandSpec(
        path=("sheet", "delete"),
        help="Delete one of your sheets (asks for confirmation first).",
        options=SheetDeleteOptions,
        handler=delete,
        confirm="yes",
        planner=False,  # destructive: only when typed
    ),
    CommandSpec(
        path=("sheet", "example"),
        help="Print a shipped example sheet's JSON: `adv sheet example rogue > wren.json`.",
        options=SheetExampleOptions,
        handler=example,
        planner=False,
    ),
    CommandSpec(
        path=("sheet", "import"),
        help=(
            "Import a D&D Beyond or Foundry VTT character: "
            "`adv sheet import wren-ddb.json --dry-run`."
        ),
        options=SheetImportOptions,
        handler=import_sheet,
        planner=False,
    ),
    CommandSpec(
        path=("sheet", "schema"),
        help="Print the JSON Schema of a character sheet.",
        options=NoOptions,
        handler=schema,
        planner=False,
    ),
)
