"""``sheet import``: a D&D Beyond or Foundry character, by file, text or URL; re-import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._sheet_store import read_document, record_json, store
from adventorator.commands._sheet_view import sheet_text
from adventorator.commands._types import Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.limits import IMPORT_DOCUMENT_BYTES

if TYPE_CHECKING:
    from adventorator.commands._syntax import Syntax
    from adventorator.sheet import CharacterSheet, ImportedSheet


@dataclass(frozen=True)
class SheetImportOptions:
    source: str | None = option(
        "The character: a JSON file, '-' for standard input, or a D&D Beyond URL.",
        default=None,
        positional=True,
        discord=False,  # Discord has the json and file options
        planner=False,
        placeholder="FILE|-|URL",
    )
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
    record, playing = await store(invocation, sheet, replace=options.replace)
    lines = [f"Imported {record.name} from {report.source}.", *report.lines(), *playing]
    return Reply(
        text="\n".join(lines), data={**data, "sheet": record_json(record, invocation.ruleset)}
    )


async def _import_document(invocation: Invocation, options: SheetImportOptions) -> str:
    """The document's text: as given, or fetched by URL (before any database session).

    The CLI reads a FILE given as ``source`` into ``json``; a URL stays here.
    """
    url = _url(options, invocation.syntax)
    if url is None:
        if options.json is None and invocation.identity.client == "discord":
            raise InputError(
                "give the character in the json option (its text) "
                "or the file option (a JSON attachment)"
            )
        return read_document(options, invocation.identity.client)
    if options.json is not None:
        raise InputError("give either a document or a URL, not both")
    from adventorator.services.imports import fetch_ddb_character

    return await fetch_ddb_character(
        url,
        base=invocation.app.settings.ddb_character_url,
        max_bytes=IMPORT_DOCUMENT_BYTES,
    )


def _url(options: SheetImportOptions, syntax: Syntax) -> str | None:
    """The URL to fetch: ``--url``, or a positional source that is one."""
    source = options.source
    if source is None:
        return options.url
    if options.url is not None:
        url = syntax.name("url", command="sheet import")
        raise InputError(f"give the character once: a FILE, a URL or {url}, not two")
    if not is_url(source):
        text = syntax.name("json", command="sheet import")
        raise InputError(f"{source!r} is not a URL; give the document's text in {text}")
    return source


def is_url(text: str) -> bool:
    """Whether a positional source is a URL (fetched) rather than a file (read by the CLI)."""
    return text.lower().startswith(("https://", "http://"))


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
