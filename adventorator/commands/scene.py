"""``scene new`` and ``scene list``: a table starts a new scene from the CLI.

The CLI plays in its campaign's newest scene (stored in the database: see
``services.identities``), so ``scene new`` moves the whole table on. On
Discord a scene is its channel, so these commands say so instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.text import clean_line, escape_markdown

ON_DISCORD = "on Discord a scene is its channel: start the new scene in another channel"


@dataclass(frozen=True)
class SceneNewOptions:
    name: str | None = option(
        "The scene's name (default: 'scene N').", default=None, positional=True
    )


@dataclass(frozen=True)
class SceneListOptions:
    pass


async def scene_new(invocation: Invocation, options: SceneNewOptions) -> Reply:
    from adventorator.services.identities import next_scene_name

    if invocation.identity.client != "cli":
        raise InputError(ON_DISCORD)
    service = await invocation.app.transcripts()
    name = clean_line(options.name).strip() if options.name is not None else None
    if not name:
        taken = [scene.name for scene in await service.scenes(invocation.identity)]
        name = next_scene_name(taken)
    await service.start_scene(invocation.identity, name)
    said = f"Scene {name!r} started: the campaign plays here now."
    return Reply(
        text=said,
        markdown=escape_markdown(said),
        data={"scene": name, "current": True},
    )


async def scene_list(invocation: Invocation, options: SceneListOptions) -> Reply:
    from adventorator.services.identities import DEFAULT_SCENE

    if invocation.identity.client != "cli":
        raise InputError(ON_DISCORD)
    scenes = await (await invocation.app.transcripts()).scenes(invocation.identity)
    lines = [
        f"{'*' if scene.current else ' '} {scene.name}: {scene.lines} "
        f"line{'' if scene.lines == 1 else 's'}, since {scene.created_at:%Y-%m-%d %H:%M}"
        for scene in scenes
    ]
    text = "\n".join(lines) if lines else f"* {DEFAULT_SCENE}: nothing has happened yet"
    return Reply(
        text=text,
        markdown=escape_markdown(text),
        data={"scenes": [scene.to_json() for scene in scenes]},
    )


SPECS = (
    CommandSpec(
        path=("scene", "new"),
        help="Start a new scene; the campaign's CLI players play in it: `adv scene new Docks`.",
        options=SceneNewOptions,
        handler=scene_new,
        planner=False,
    ),
    CommandSpec(
        path=("scene", "list"),
        help="List the campaign's scenes, oldest first; * marks the current one.",
        options=SceneListOptions,
        handler=scene_list,
        planner=False,
    ),
)
