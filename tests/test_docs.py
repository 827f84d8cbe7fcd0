"""Every command has help text and is documented in the README (as sqlite-utils does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from adventorator.commands import COMMANDS, option_meta
from tests.support import adv_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _cli_commands() -> list[tuple[str, Any]]:
    """(name, click command) for every leaf command of `adv`."""
    root: Any = typer.main.get_command(adv_app())
    found = []
    for name, command in root.commands.items():
        if hasattr(command, "commands"):  # a group
            found += [(f"{name} {sub}", cmd) for sub, cmd in command.commands.items()]
        else:
            found.append((name, command))
    return found


CLI_COMMANDS = _cli_commands()


@pytest.mark.parametrize(("name", "command"), CLI_COMMANDS, ids=[n for n, _ in CLI_COMMANDS])
def test_every_cli_command_has_help(name: str, command: Any) -> None:
    assert (command.help or "").strip(), f"adv {name} has no help text"
    for param in command.params:
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"adv {name} {param.opts[0]} has no help"


@pytest.mark.parametrize("name", [n for n, _ in CLI_COMMANDS])
def test_every_cli_command_is_in_the_readme(name: str) -> None:
    assert f"adv {name}" in README, f"`adv {name}` is missing from README.md"


@pytest.mark.parametrize("spec", COMMANDS, ids=[spec.name for spec in COMMANDS])
def test_every_registry_option_has_help(spec: object) -> None:
    for item in spec.fields():  # type: ignore[attr-defined]
        assert option_meta(item).help.strip()
