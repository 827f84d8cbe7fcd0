"""The ``adv`` command line: a thin client of the command registry."""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``adv`` console script."""
    from adventorator.cli._app import build_app

    build_app()(prog_name="adv")
