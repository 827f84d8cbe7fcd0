"""``sheet``: create, show, list, update and delete character sheets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._sheet_view import sheet_panel, sheet_text
from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.identity import Client
from adventorator.limits import IMPORT_DOCUMENT_BYTES

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.services.characters import CharacterRecord, CharacterSummary
    from adventorator.sheet import CharacterSheet, ImportedSheet


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
class SheetImportOptions:
    json: str | None = option(
        "The D&D Beyond or Foundry character as JSON text.",
        default=None,
        cli_flags=("--text",),
        placeholder="<document>",
        max_bytes=IMPORT_DOCUMENT_BYTES,
    )
    url: str | None = option(
        "A public D&D Beyond character's URL: https://www.dndbeyond.com/characters/ID.",
        default=None,
        placeholder="<url>",
    )
    format: str = option("The document's format: auto, ddb or foundry.", default="auto")
    dry_run: bool = option("Show the sheet and the report; write nothing.", default=False)
    replace: bool = option("Overwrite your sheet of the same name.", default=False)
    update: str | None = option(
        "Re-import into this character of yours, keeping its HP, conditions and exhaustion.",
        default=None,
        autocomplete=True,
        placeholder="<name>",
    )
    yes: bool = option(
        "With --update: apply the changes without showing them first.", default=False
    )


@dataclass(frozen=True)
class NoOptions:
    pass


def read_document(
    options: SheetCreateOptions | SheetUpdateOptions | SheetImportOptions, client: Client
) -> str:
    """The JSON text of the json option; the CLI reads ``--file`` into it."""
    if options.json is None:
        if client == "discord":
            raise InputError("give the document in the json option")
        raise InputError("give exactly one of --json TEXT or --file PATH ('-' for stdin)")
    return options.json


def _create_document(options: SheetCreateOptions, client: Client) -> str:
    if options.example is None:
        return read_document(options, client)
    if options.json is not None:
        raise InputError("give either a document or --example NAME, not both")
    from adventorator.sheet import example_text

    return example_text(options.example)


async def create(invocation: Invocation, options: SheetCreateOptions) -> Reply:
    from adventorator.sheet import parse_sheet_json

    sheet = parse_sheet_json(_create_document(options, invocation.identity.client))
    record, playing = await _store(invocation, sheet, replace=options.replace)
    text = " ".join([f"Saved {record.name}.", *playing])
    return Reply(text=text, data=record_json(record, invocation.ruleset))


async def _store(
    invocation: Invocation, sheet: CharacterSheet, *, replace: bool
) -> tuple[CharacterRecord, list[str]]:
    """Store ``sheet`` as the player's; and the "now playing" line if that changed who they play.

    Without a ``character switch`` selection a player plays their most recent
    character, so a new (or replaced) sheet silently becomes it: say so, but
    only when the active character was another one before.
    """
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    before = await service.active_character_id(ids.player_id, ids.campaign_id)
    record = await service.create(
        campaign_id=ids.campaign_id, owner_id=ids.player_id, sheet=sheet, replace=replace
    )
    after = await service.active_character_id(ids.player_id, ids.campaign_id)
    if before is None or before == after or after != record.id:
        return record, []
    syntax = invocation.syntax
    switch = syntax.command("character switch")
    name = syntax.option("name", "NAME", command="character switch")
    return record, [
        f"You are now playing {record.name}: it is your most recent character "
        f"({switch} {name} to choose)."
    ]


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


async def delete(invocation: Invocation, options: SheetDeleteOptions) -> Reply:
    if not options.yes:
        confirm = invocation.syntax.option("yes", command="sheet delete")
        raise InputError(f"deleting {options.name!r} cannot be undone: add {confirm} to confirm")
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    record = await service.delete(
        campaign_id=ids.campaign_id, actor_id=ids.player_id, name=options.name
    )
    return Reply(text=f"Deleted {record.name}.", data={"deleted": record.name})


async def example(invocation: Invocation, options: SheetExampleOptions) -> Reply:
    """Print a shipped example sheet's JSON, or with ``--list`` their names."""
    import json

    from adventorator.sheet import example_names, example_text, parse_sheet_json

    if options.list or options.name is None:
        if options.name is not None:
            raise InputError("give an example name or --list, not both")
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


async def import_sheet(invocation: Invocation, options: SheetImportOptions) -> Reply:
    """Import a D&D Beyond or Foundry character: validate, report, and store unless a dry run."""
    from adventorator.sheet import import_sheet as read_import

    document = await _import_document(invocation, options)
    imported = read_import(document, options.format.strip().lower())
    sheet, report = imported.sheet, imported.report
    data: dict[str, Any] = {
        "format": imported.format,
        "report": report.to_json(),
        "written": not options.dry_run,
    }
    if options.update is not None:
        return await _reimport(invocation, options, imported)
    if options.dry_run:
        lines = [f"Dry run: {sheet.name} read from {report.source}; nothing was written."]
        lines += [sheet_text(sheet, invocation.ruleset), *report.lines()]
        return Reply(text="\n".join(lines), data={**data, "sheet": sheet.to_data()})
    record, playing = await _store(invocation, sheet, replace=options.replace)
    lines = [f"Imported {record.name} from {report.source}.", *report.lines(), *playing]
    return Reply(
        text="\n".join(lines), data={**data, "sheet": record_json(record, invocation.ruleset)}
    )


async def _import_document(invocation: Invocation, options: SheetImportOptions) -> str:
    """The document's text: as given, or fetched by URL (before any database session)."""
    if options.url is None:
        return read_document(options, invocation.identity.client)
    if options.json is not None:
        raise InputError("give either a document or a URL, not both")
    from adventorator.services.imports import fetch_ddb_character

    return await fetch_ddb_character(
        options.url,
        base=invocation.app.settings.ddb_character_url,
        max_bytes=IMPORT_DOCUMENT_BYTES,
    )


async def _reimport(
    invocation: Invocation, options: SheetImportOptions, imported: ImportedSheet
) -> Reply:
    """``--update NAME``: the difference first; with ``--yes`` applied, keeping play state."""
    from adventorator.commands._characters import character_for
    from adventorator.sheet import reimported, sheet_changes

    record = await character_for(invocation, options.update, own=True)
    stored = record.sheet.to_data()
    merged = reimported(stored, imported.sheet)
    diff = sheet_changes(stored, merged.to_data())
    source = imported.report.source
    data: dict[str, Any] = {
        "format": imported.format,
        "report": imported.report.to_json(),
        "changes": diff,
        "written": False,
    }
    shown = [f"  {line}" for line in diff] or ["  nothing: the sheet is already up to date"]
    shown.append(f"Kept from play: {_play_line(merged)}")
    if options.dry_run or not options.yes:
        confirm = invocation.syntax.option("yes", command="sheet import")
        head = f"Re-importing {record.name} from {source} would change:"
        tail = "Nothing was written." if options.dry_run else f"Add {confirm} to apply it."
        return Reply(text="\n".join([head, *shown, tail]), data=data)
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.characters()
    updated = await service.update(
        campaign_id=ids.campaign_id,
        actor_id=ids.player_id,
        name=record.name,
        change=lambda current: reimported(current, imported.sheet),
    )
    lines = [f"Re-imported {updated.name} from {source}; play state kept. Changed:", *shown]
    lines += imported.report.lines()
    data.update(written=True, sheet=record_json(updated, invocation.ruleset))
    return Reply(text="\n".join(lines), data=data)


def _play_line(sheet: CharacterSheet) -> str:
    hp = "no HP" if sheet.hp is None else f"HP {sheet.hp.current}/{sheet.hp.max}"
    temp = f" +{sheet.hp.temp} temp" if sheet.hp is not None and sheet.hp.temp else ""
    conditions = ", ".join(c.value for c in sheet.conditions) or "no conditions"
    return f"{hp}{temp}, {conditions}, exhaustion {sheet.exhaustion}"


async def schema(invocation: Invocation, options: NoOptions) -> Reply:
    import json

    from adventorator.sheet import CharacterSheet

    document = CharacterSheet.model_json_schema(by_alias=True)
    return Reply(text=json.dumps(document, indent=2), data=document)


def record_json(record: CharacterRecord, ruleset: Ruleset) -> dict[str, Any]:
    """A stored sheet plus the values ``ruleset`` derives from it, for --json."""
    from adventorator.sheet import DerivedValues

    return {
        **record.sheet.to_data(),
        "derived": DerivedValues(record.sheet, ruleset).to_json(),
        "updated_at": record.updated_at.isoformat(),
    }


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
            "`adv sheet import --file wren-ddb.json --dry-run`."
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
