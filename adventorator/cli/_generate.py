"""Typer commands derived from the command registry: one per CommandSpec.

Each option dataclass field becomes a Typer parameter (its type from the
annotation, its help and bounds from ``OptionMeta``). Every command also gets
``--json``, and commands that roll get ``--seed``.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from typing import Any

import typer

from adventorator.cli._run import run_spec
from adventorator.commands._types import CommandSpec, option_meta

_RESERVED = ("json_output", "seed", "ctx")


def add_command(parent: typer.Typer, spec: CommandSpec) -> None:
    """Register ``spec`` on ``parent`` under the last element of its path."""
    parent.command(name=spec.path[-1], help=spec.help)(_callback(spec))


def _callback(spec: CommandSpec) -> Any:
    field_names = [item.name for item in spec.fields() if option_meta(item).cli]

    def callback(ctx: typer.Context, **params: Any) -> None:
        as_json = bool(params.pop("json_output", False))
        seed = params.pop("seed", None)
        if spec.confirm and not params[spec.confirm] and sys.stdin.isatty():
            params[spec.confirm] = typer.confirm(f"Really {spec.name}?", default=False)
            if not params[spec.confirm]:
                raise typer.Abort()
        options = spec.options(**{name: params[name] for name in field_names})
        run_spec(ctx, spec, options, as_json=as_json, seed=seed)

    callback.__name__ = "_".join(spec.path)
    callback.__doc__ = spec.help
    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    parameters += _option_parameters(spec)
    if spec.json_output:
        json_flag = typer.Option(False, "--json", help="Print the result as JSON.")
        parameters.append(_keyword("json_output", bool, json_flag))
    if spec.uses_rng:
        seed_help = "Seed the dice for a repeatable result."
        parameters.append(
            _keyword("seed", int | None, typer.Option(None, "--seed", help=seed_help))
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in parameters}
    return callback


def _option_parameters(spec: CommandSpec) -> list[inspect.Parameter]:
    hints = typing.get_type_hints(spec.options)
    parameters = []
    for item in spec.fields():
        meta = option_meta(item)
        if not meta.cli:
            continue
        if item.name in _RESERVED:
            raise TypeError(f"{spec.name}: option name {item.name!r} is reserved")
        default = ... if item.default is dataclasses.MISSING else item.default
        if meta.positional:
            info: Any = typer.Argument(default, help=meta.help, show_default=False)
        else:
            flags = meta.cli_flags or ("--" + item.name.replace("_", "-"),)
            info = typer.Option(
                default,
                *flags,
                help=meta.help,
                min=meta.min,
                max=meta.max,
                show_default=default not in (None, False, ...),
            )
        parameters.append(_keyword(item.name, hints[item.name], info))
    return parameters


def _keyword(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )
