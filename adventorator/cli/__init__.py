"""The ``adv`` command line: a thin client of the command registry."""

from __future__ import annotations

__all__ = ["main"]


def main() -> None:
    """Entry point of the ``adv`` console script."""
    from adventorator.cli._app import build_app

    try:
        build_app()(prog_name="adv")
    except Exception:
        # A bug: its traceback may quote user text, so it is cleaned like any output.
        import sys
        import traceback

        from adventorator.text import clean

        sys.stderr.write(clean(traceback.format_exc()))
        raise SystemExit(1) from None
