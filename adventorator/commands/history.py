"""``history``, ``undo``, ``campaign gm`` and ``transcript export``: the records of play.

``undo`` reverts the player's last change (the game master's: anyone's) as a
new event; the game master is the campaign's first player until handed on.
``transcript export`` writes the campaign's transcript as Markdown or JSON
Lines, to stdout or (CLI only) to a file, written whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

HISTORY_MAX = 100
EXPORT_FORMATS = ("md", "jsonl")


@dataclass(frozen=True)
class HistoryOptions:
    limit: int = option("How many changes to show, newest first.", default=20, min=1, max=100)


@dataclass(frozen=True)
class UndoOptions:
    pass


@dataclass(frozen=True)
class GmOptions:
    user: str | None = option(
        "Hand the game master role to this player (only the game master may).",
        default=None,
        positional=True,
    )


@dataclass(frozen=True)
class TranscriptExportOptions:
    format: str = option("md (a readable log) or jsonl (one JSON object a line).", default="md")
    output: str | None = option(
        "Write to this file instead of printing.", default=None, discord=False, planner=False
    )


async def history(invocation: Invocation, options: HistoryOptions) -> Reply:
    from adventorator.errors import InputError

    if not 1 <= options.limit <= HISTORY_MAX:
        limit = invocation.syntax.name("limit", command="history")
        raise InputError(f"{limit} must be 1-{HISTORY_MAX}, got {options.limit}")
    ids = await invocation.app.lookup(invocation.identity)
    events = await (await invocation.app.play_state()).history(ids.campaign_id, limit=options.limit)
    lines = [
        f"#{event.id} {event.actor_name or '?'}: {event.summary}"
        + (f" (undone by #{event.undone_by})" if event.undone_by else "")
        for event in events
    ]
    return Reply(
        text="\n".join(lines) if lines else "No changes recorded in this campaign yet.",
        data={"events": [event.to_json() for event in events]},
    )


async def undo(invocation: Invocation, options: UndoOptions) -> Reply:
    from adventorator.services.play_state import EncounterUndo

    ids = await invocation.app.resolve(invocation.identity)
    done = await (await invocation.app.play_state()).undo(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        as_gm=invocation.identity.gm,
    )
    if isinstance(done, EncounterUndo):
        return Reply(
            text="\n".join((done.summary, *done.lines)),
            data={
                "encounter": True,
                "event_id": done.event_id,
                "summary": done.summary,
                "lines": list(done.lines),
                "before": done.before,
                "after": done.after,
            },
            transcript_ids=() if done.transcript_id is None else (done.transcript_id,),
        )
    return Reply(
        text=done.summary,
        data={
            "character": done.record_after.name,
            "event_id": done.event_id,
            "summary": done.summary,
            "before": done.record_before.sheet.play_state(),
            "after": done.record_after.sheet.play_state(),
        },
        transcript_ids=() if done.transcript_id is None else (done.transcript_id,),
    )


async def gm(invocation: Invocation, options: GmOptions) -> Reply:
    ids = await invocation.app.resolve(invocation.identity)
    service = await invocation.app.play_state()
    if options.user is None:
        current = await service.gm(ids.campaign_id)
        name = None if current is None else current[1]
        text = f"The game master is {name}." if name else "This campaign has no game master yet."
        return Reply(text=text, data={"gm": name})
    name = await service.set_gm(
        campaign_id=ids.campaign_id,
        scene_id=ids.scene_id,
        actor_id=ids.player_id,
        player_key=_player_key(invocation, options.user),
    )
    return Reply(text=f"{name} is now the game master.", data={"gm": name})


async def transcript_export(invocation: Invocation, options: TranscriptExportOptions) -> Reply:
    from adventorator.errors import InputError
    from adventorator.services.transcripts import export_jsonl, export_markdown

    if options.format not in EXPORT_FORMATS:
        flag = invocation.syntax.name("format", command="transcript export")
        raise InputError(f"{flag} must be md or jsonl, got {options.format!r}")
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.transcripts()
    lines = [] if ids.campaign_id is None else await service.campaign(ids.campaign_id)
    if options.format == "md":
        document = export_markdown(lines, campaign=invocation.identity.campaign_key)
    else:
        document = export_jsonl(lines)
    if options.output is None:
        return Reply(text=document.removesuffix("\n"), data={"document": document})
    _write_whole(options.output, document)
    said = f"Wrote {len(lines)} transcript lines to {options.output}."
    return Reply(text=said, data={"output": options.output, "lines": len(lines)})


def _write_whole(path: str, document: str) -> None:
    """Write beside the target, then rename: a failure leaves no half-written file."""
    import os
    import tempfile
    from pathlib import Path

    from adventorator.errors import InputError

    target = Path(path)
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(document)
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None


def _player_key(invocation: Invocation, user: str) -> str:
    """``bob`` -> ``cli:bob`` (the invoking client's players); a Discord mention -> its id."""
    text = user.strip()
    if text.startswith("<@") and text.endswith(">"):
        return f"discord:{text[2:-1].lstrip('!')}"
    if ":" in text:
        return text
    return f"{invocation.identity.client}:{text}"


SPECS = (
    CommandSpec(
        path=("history",),
        help="Show the campaign's recorded changes, newest first: `adv history --limit 10`.",
        options=HistoryOptions,
        handler=history,
    ),
    CommandSpec(
        path=("undo",),
        help="Undo your last change (the game master: anyone's), as a new event: `adv undo`.",
        options=UndoOptions,
        handler=undo,
        purpose="undo the last change",
    ),
    CommandSpec(
        path=("transcript", "export"),
        help="Export the campaign's transcript, scene by scene: `adv transcript export "
        "--format jsonl --output log.jsonl`.",
        options=TranscriptExportOptions,
        handler=transcript_export,
        planner=False,
        json_output=False,
    ),
    CommandSpec(
        path=("campaign", "gm"),
        help="Show the game master, or hand the role on: `adv campaign gm bob`.",
        options=GmOptions,
        handler=gm,
    ),
)
