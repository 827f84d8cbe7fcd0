"""Administration commands outside the game registry: ``adv db`` and ``adv config``.

Each calls one library function (``services.migrations``, ``config.report``)
through ``run_report``, which converts its errors and prints its result as
JSON or as the text ``describe`` makes of it.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from adventorator.cli._run import run_report
from adventorator.context import AppContext

db_app = typer.Typer(help="Manage the database schema (Alembic migrations).", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")
T = TypeVar("T")


def _unguarded(call: Callable[[Any], Awaitable[T]]) -> Callable[[AppContext], Awaitable[T]]:
    """``call`` on the database opened without the schema guard: these commands fix schemas."""

    async def work(app: AppContext) -> T:
        return await call(await app.database(check_schema=False))

    return work


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Upgrade the schema to REVISION (default: the newest)."""
    from adventorator.services import migrations

    work = _unguarded(lambda database: migrations.upgrade(database, revision))
    run_report(ctx, work, _moved("upgraded"), as_json=as_json)


@db_app.command("downgrade")
def db_downgrade(
    ctx: typer.Context,
    revision: str = typer.Argument(..., help="Target revision, or 'base' for an empty schema."),
    yes: bool = typer.Option(False, "--yes", help="Downgrade without asking."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Downgrade the schema to REVISION (asks first on a terminal; --yes elsewhere)."""
    from adventorator.services import migrations

    async def work(app: AppContext) -> dict[str, Any]:
        database = await app.database(check_schema=False)
        if not yes:
            _confirm_downgrade(database.describe(), revision)
        return await migrations.downgrade(database, revision)

    run_report(ctx, work, _moved("downgraded"), as_json=as_json)


def _confirm_downgrade(database: str, revision: str) -> None:
    """Ask on a terminal, like ``sheet delete``; refuse elsewhere: a downgrade drops data."""
    from adventorator.errors import InputError

    warning = f"downgrading {database} to {revision!r} drops tables and the data in them"
    if not sys.stdin.isatty():
        raise InputError(f"{warning}: add --yes to confirm")
    if not typer.confirm(f"Really downgrade? {warning[0].upper()}{warning[1:]}.", default=False):
        raise typer.Abort()


def _moved(verb: str) -> Any:
    def describe(result: dict[str, Any]) -> str:
        before = ", ".join(result["from"]) or "empty"
        after = ", ".join(result["to"]) or "empty"
        if before == after:
            return f"{result['database']}: already at {after}"
        return f"{result['database']}: {verb} {before} -> {after}"

    return describe


@db_app.command("current")
def db_current(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show the revision the database is at, and whether it is the newest."""
    from adventorator.services import migrations

    def describe(result: dict[str, Any]) -> str:
        current = ", ".join(result["current"]) or "(empty: no schema)"
        return f"{result['database']}: {current} [{result['state']}]"

    run_report(ctx, _unguarded(migrations.status), describe, as_json=as_json)


@db_app.command("history")
def db_history(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the migrations, newest first, marking the applied ones."""
    from adventorator.services import migrations

    def describe(revisions: list[dict[str, Any]]) -> str:
        return "\n".join(_history_line(rev) for rev in revisions)

    run_report(ctx, _unguarded(migrations.history), describe, as_json=as_json)


def _history_line(rev: dict[str, Any]) -> str:
    marks = " ".join(
        mark for mark, on in (("(head)", rev["head"]), ("[applied]", rev["applied"])) if on
    )
    return f"{rev['down_revision'] or '<base>'} -> {rev['revision']} {marks}: {rev['message']}"


@db_app.command("check")
def db_check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Fail (exit 2) when the database is not at head or the models differ from it."""
    from adventorator.services import migrations

    def describe(result: dict[str, Any]) -> str:
        return f"{result['database']}: schema matches the models"

    run_report(ctx, _unguarded(migrations.verify), describe, as_json=as_json)


@config_app.command("show")
def config_show(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""

    async def work(app: AppContext) -> dict[str, dict[str, Any]]:
        from adventorator.config import describe_settings

        rows = describe_settings(app.settings, **app.overrides)
        return {
            r.name: {"name": r.name, "env": r.env, "value": r.value, "source": r.source}
            for r in rows
        }

    def describe(rows: dict[str, dict[str, Any]]) -> str:
        from adventorator.config import format_value

        width = max(len(row["env"]) for row in rows.values())
        return "\n".join(
            f"{row['env']:<{width}}  {format_value(name, row['value'])}  ({row['source']})"
            for name, row in rows.items()
        )

    run_report(ctx, work, describe, as_json=as_json)


@config_app.command("path")
def config_path(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print where the config file and the data live."""

    async def work(app: AppContext) -> dict[str, str]:
        from adventorator.config.report import describe_paths

        return describe_paths(app.settings)

    def describe(paths: dict[str, str]) -> str:
        return "\n".join(f"{key}: {value}" for key, value in paths.items())

    run_report(ctx, work, describe, as_json=as_json)
