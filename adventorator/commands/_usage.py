"""How to type a command in each client, for guidance and error messages."""

from __future__ import annotations

from collections.abc import Iterable

from adventorator.commands._types import CommandSpec, option_meta
from adventorator.identity import Client


def usage(spec: CommandSpec, client: Client, options: Iterable[str] = ()) -> str:
    """The command with the given options, in the client's own syntax.

    ``adv sheet create --json '<sheet>'`` on the CLI,
    ``/sheet create json:<sheet>`` on Discord.
    """
    wanted = set(options)
    parts = ["adv", *spec.path] if client == "cli" else ["/" + " ".join(spec.path)]
    for item in spec.fields():
        if item.name not in wanted:
            continue
        meta = option_meta(item)
        value = meta.placeholder or f"<{item.name}>"
        if client == "discord":
            parts.append(f"{item.name}:{value}")
        elif meta.positional:
            parts.append(value)
        else:
            flag = (meta.cli_flags or ("--" + item.name.replace("_", "-"),))[0]
            parts.append(f"{flag} '{value}'" if value.startswith("<") else f"{flag} {value}")
    return " ".join(parts)


def command_ref(path: str, client: Client) -> str:
    """A bare command name in the client's syntax: `adv sheet schema` or `/sheet schema`."""
    return f"adv {path}" if client == "cli" else f"/{path}"
