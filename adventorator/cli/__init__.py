"""The ``adv`` command line: a thin client of the command registry.

Public API: ``main`` (the console script), ``build_app`` (the Typer app, for
runners in tests) and ``render`` (a Reply as the CLI prints it). Typer loads
on first use of either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from adventorator.cli._app import build_app
    from adventorator.cli._run import render

__all__ = ["build_app", "main", "render"]


def __getattr__(name: str) -> Any:
    if name == "build_app":
        from adventorator.cli._app import build_app

        return build_app
    if name == "render":
        from adventorator.cli._run import render

        return render
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the ``adv`` console script."""
    from adventorator.cli._app import build_app

    try:
        build_app()(prog_name="adv")
    except Exception:
        # A bug: its traceback may quote user text, so it leaves by the plain door too.
        import traceback

        from adventorator.cli._output import echo

        echo(traceback.format_exc().rstrip("\n"), err=True)
        raise SystemExit(1) from None
