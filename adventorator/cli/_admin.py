"""Administration commands outside the game registry: ``adv db`` and ``adv config``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import typer

from adventorator.cli._run import echo, print_json, run_async
from adventorator.context import AppContext

if TYPE_CHECKING:
    from adventorator.storage.database import Database

db_app = typer.Typer(help="Manage the database schema (Alembic migrations).", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON.")


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: str = typer.Argument("head", help="Target revision."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Upgrade the schema to REVISION (default: the newest)."""
    from adventorator.storage import migrate

    _move(ctx, lambda database: migrate.upgrade(database, revision), as_json, verb="upgraded")


@db_app.command("downgrade")
def db_downgrade(
    ctx: typer.Context,
    revision: str = typer.Argument(..., help="Target revision, or 'base' for an empty schema."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Downgrade the schema to REVISION."""
    from adventorator.storage import migrate

    _move(ctx, lambda database: migrate.downgrade(database, revision), as_json, verb="downgraded")


def _move(
    ctx: typer.Context,
    action: Callable[[Database], Awaitable[None]],
    as_json: bool,
    *,
    verb: str,
) -> None:
    """Run a migration and report the revisions before and after it."""

    async def work(app: AppContext) -> dict[str, Any]:
        from adventorator.storage import migrate

        database = await app.database(check_schema=False)
        before = await migrate.current_revisions(database)
        await action(database)
        after = await migrate.current_revisions(database)
        return {"database": database.describe(), "from": list(before), "to": list(after)}

    _report_move(run_async(ctx, work), as_json, verb=verb)


def _report_move(result: dict[str, Any], as_json: bool, *, verb: str) -> None:
    if as_json:
        print_json(result)
        return
    before = ", ".join(result["from"]) or "empty"
    after = ", ".join(result["to"]) or "empty"
    if before == after:
        echo(f"{result['database']}: already at {after}")
    else:
        echo(f"{result['database']}: {verb} {before} -> {after}")


@db_app.command("current")
def db_current(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Show the revision the database is at, and whether it is the newest."""

    async def work(app: AppContext) -> dict[str, Any]:
        from adventorator.storage import migrate

        database = await app.database(check_schema=False)
        current = await migrate.current_revisions(database)
        state = await migrate.schema_state(database)
        return {
            "database": database.describe(),
            "current": list(current),
            "head": list(migrate.head_revisions()),
            "state": state.value,
        }

    result = run_async(ctx, work)
    if as_json:
        print_json(result)
    else:
        current = ", ".join(result["current"]) or "(empty: no schema)"
        echo(f"{result['database']}: {current} [{result['state']}]")


@db_app.command("history")
def db_history(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """List the migrations, newest first, marking the applied ones."""

    async def work(app: AppContext) -> list[dict[str, Any]]:
        from adventorator.storage import migrate

        database = await app.database(check_schema=False)
        return [revision.to_json() for revision in await migrate.history(database)]

    revisions = run_async(ctx, work)
    if as_json:
        print_json(revisions)
        return
    for rev in revisions:
        marks = " ".join(
            mark for mark, on in (("(head)", rev["head"]), ("[applied]", rev["applied"])) if on
        )
        echo(f"{rev['down_revision'] or '<base>'} -> {rev['revision']} {marks}: {rev['message']}")


@db_app.command("check")
def db_check(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Fail (exit 2) when the database is not at head or the models differ from it."""

    async def work(app: AppContext) -> dict[str, Any]:
        from adventorator.storage import migrate

        database = await app.database(check_schema=False)
        await migrate.ensure_schema(database, auto_upgrade=False)
        await migrate.check(database)
        return {"database": database.describe(), "ok": True}

    result = run_async(ctx, work)
    if as_json:
        print_json(result)
    else:
        echo(f"{result['database']}: schema matches the models")


@config_app.command("show")
def config_show(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""

    async def work(app: AppContext) -> list[dict[str, Any]]:
        from adventorator.config import describe_settings

        rows = describe_settings(app.settings, **app.overrides)
        return [{"name": r.name, "env": r.env, "value": r.value, "source": r.source} for r in rows]

    rows = run_async(ctx, work)
    if as_json:
        print_json({row["name"]: row for row in rows})
        return
    width = max(len(row["env"]) for row in rows)
    for row in rows:
        echo(f"{row['env']:<{width}}  {row['value']}  ({row['source']})")


@config_app.command("path")
def config_path(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print where the config file and the data live."""

    async def work(app: AppContext) -> dict[str, str]:
        from adventorator.config import config_file_path

        settings = app.settings
        return {
            "config_file": str(config_file_path()),
            "data_dir": str(settings.resolved_data_dir),
            "database": settings.sqlite_default_path.as_posix()
            if settings.is_embedded_default
            else "(DATABASE_URL is set)",
        }

    paths = run_async(ctx, work)
    if as_json:
        print_json(paths)
    else:
        for key, value in paths.items():
            echo(f"{key}: {value}")
