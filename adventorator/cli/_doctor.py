"""``adv doctor``: a health report for an installation."""

from __future__ import annotations

from typing import Any

import typer

from adventorator.cli._run import echo, print_json, run_async
from adventorator.context import AppContext

MARKS = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def doctor(
    ctx: typer.Context,
    instances: int = typer.Option(
        1, "--instances", min=1, max=10_000, help="App instances sharing this database."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the database, migrations, pool sizing, the LLM and the Discord settings.

    Exits 2 when a check fails; warnings (such as a fleet that could use more
    than 85% of Postgres max_connections) do not fail.
    """

    async def work(app: AppContext) -> dict[str, Any]:
        from adventorator.services.health import run_checks, summary

        return summary(await run_checks(app, instances=instances))

    report = run_async(ctx, work)
    if as_json:
        print_json(report)
    else:
        for finding in report["checks"]:
            echo(f"{MARKS[finding['status']]}  {finding['check']}: {finding['detail']}")
    if not report["ok"]:
        raise typer.Exit(2)
