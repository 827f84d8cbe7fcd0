"""How commands and options are written on each client, for hints and errors.

A handler never asks which client it serves: it asks the invocation's
``Syntax`` for the words (``syntax.option("yes")`` is ``--yes`` on the CLI and
``yes:True`` on Discord), and the syntax reads flags, placeholders and which
client offers an option from the registry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from adventorator.commands._options import OptionMeta, option_meta
from adventorator.identity import Client

if TYPE_CHECKING:
    from adventorator.commands._types import CommandSpec


class Syntax:
    """The command syntax of one client, built from the command registry."""

    def __init__(self, client: Client, commands: Iterable[CommandSpec]) -> None:
        self.client: Client = client
        self._commands: Mapping[str, CommandSpec] = {spec.name: spec for spec in commands}

    @property
    def where(self) -> str:
        """The client, as a message names it: "the command line", "Discord"."""
        return "the command line" if self.client == "cli" else "Discord"

    def offers(self, meta: OptionMeta) -> bool:
        """Whether this client has the option at all (``roll --stats`` is CLI-only)."""
        return meta.cli if self.client == "cli" else meta.discord

    def has(self, command: str, option: str) -> bool:
        """Whether ``command`` has ``option`` on this client."""
        meta = self._meta(command, option)
        return meta is not None and self.offers(meta)

    def command(self, name: str) -> str:
        """A bare command: `adv sheet schema` or `/sheet schema`."""
        return f"adv {name}" if self.client == "cli" else f"/{name}"

    def option(self, name: str, value: str | None = None, *, command: str | None = None) -> str:
        """One option set: ``--yes`` / ``yes:True``, ``--json '<sheet>'`` / ``json:<sheet>``.

        ``value`` None means a flag switched on. With ``command``, the
        registry's own CLI flag and positional arguments are used.
        """
        meta = self._meta(command, name) if command else None
        if self.client == "discord":
            return f"{name}:{'True' if value is None else value}"
        if meta is not None and meta.positional:
            return value or f"<{name}>"
        flags = meta.cli_flags if meta is not None else ()
        flag = (flags or ("--" + name.replace("_", "-"),))[0]
        if value is None:
            return flag
        return f"{flag} '{value}'" if value.startswith("<") else f"{flag} {value}"

    def name(self, option: str, *, command: str | None = None) -> str:
        """An option named in a message: ``--save`` / ``save:`` (``--adv`` from the registry)."""
        if self.client == "discord":
            return f"{option}:"
        return self.option(option, command=command)

    def usage(self, name: str, options: Iterable[str] = ()) -> str:
        """The command with the given options and their placeholders, in registry order.

        ``adv sheet create --json '<sheet>'`` on the CLI,
        ``/sheet create json:<sheet>`` on Discord.
        """
        spec = self._commands.get(name)
        if spec is None:
            return self.command(name)
        wanted = set(options)
        parts = [self.command(name)]
        for item in spec.fields():
            if item.name in wanted:
                meta = option_meta(item)
                value = meta.placeholder or f"<{item.name}>"
                parts.append(self.option(item.name, value, command=name))
        return " ".join(parts)

    def _meta(self, command: str, name: str) -> OptionMeta | None:
        spec = self._commands.get(command)
        item = next((f for f in spec.fields() if f.name == name), None) if spec else None
        return None if item is None else option_meta(item)
