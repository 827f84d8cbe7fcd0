"""Typer commands derived from the command registry: one per CommandSpec.

Each option dataclass field becomes a Typer parameter (its type from the
annotation, its help and bounds from ``OptionMeta``). Every command also gets
``--json``, and commands that roll get ``--seed``. Two CLI-only conveniences:

- the last positional text option takes every remaining word, joined by
  spaces (`adv roll 1d20 + 5`, `adv do I hide`), and may start with a minus
  (`adv roll -1d4`: see ``_parse.TextArgsCommand``);
- a ``json`` document option can also be read from ``--file PATH|-``.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from typing import Any

import typer

from adventorator.cli._confirm import confirmed
from adventorator.cli._files import FILE_FLAG, document_text, file_help, fill_source
from adventorator.cli._parse import TextArgsCommand
from adventorator.cli._run import fail, global_options, run_spec
from adventorator.commands import CommandSpec, option_meta
from adventorator.errors import AdventoratorError

_RESERVED = ("json_output", "seed", "ctx", "file_input")
_DOCUMENT = "json"  # the option --file fills


def add_command(parent: typer.Typer, spec: CommandSpec) -> None:
    """Register ``spec`` on ``parent`` under the last element of its path."""
    text_args = _text_args(spec)
    cls = TextArgsCommand if text_args else None
    parent.command(name=spec.path[-1], help=spec.help, cls=cls)(_callback(spec, text_args))


def _cli_fields(spec: CommandSpec) -> list[dataclasses.Field[Any]]:
    return [item for item in spec.fields() if option_meta(item).cli]


def _text_args(spec: CommandSpec) -> str | None:
    """The option that takes the remaining words: the last positional one, if it is text."""
    positional = [item for item in _cli_fields(spec) if option_meta(item).positional]
    if not positional:
        return None
    last = positional[-1]
    hint = typing.get_type_hints(spec.options)[last.name]
    return last.name if hint in (str, str | None) else None


def _has_document(spec: CommandSpec) -> bool:
    return any(item.name == _DOCUMENT for item in _cli_fields(spec))


def _document_limit(fields: Any) -> int | None:
    """The document option's own size cap, if it declares one."""
    return next((option_meta(item).max_bytes for item in fields if item.name == _DOCUMENT), None)


def _callback(spec: CommandSpec, text_args: str | None) -> Any:
    fields = _cli_fields(spec)

    def callback(ctx: typer.Context, **params: Any) -> None:
        as_json = bool(params.pop("json_output", False))
        seed = params.pop("seed", None)
        if text_args is not None:
            params[text_args] = _joined(params[text_args], _default(fields, text_args))
        if _has_document(spec):
            try:
                params[_DOCUMENT] = document_text(
                    params[_DOCUMENT], params.pop("file_input"), limit=_document_limit(fields)
                )
                fill_source(params, limit=_document_limit(fields))  # sheet import FILE
            except AdventoratorError as error:
                fail(error, debug=global_options(ctx).debug)
        values = {item.name: params[item.name] for item in fields}
        if spec.confirm and not values[spec.confirm] and sys.stdin.isatty():
            values = confirmed(ctx, spec, values)  # asks about what it checked it would do
        options = spec.options(**values)
        run_spec(ctx, spec, options, as_json=as_json, seed=seed)

    callback.__name__ = "_".join(spec.path)
    callback.__doc__ = spec.help
    parameters = [
        inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    ]
    parameters += _option_parameters(spec, text_args)
    parameters += _extra_parameters(spec)
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__annotations__ = {p.name: p.annotation for p in parameters}
    return callback


def _default(fields: list[dataclasses.Field[Any]], name: str) -> Any:
    item = next(item for item in fields if item.name == name)
    return None if item.default is dataclasses.MISSING else item.default


def _joined(words: list[str] | tuple[str, ...] | None, default: Any) -> Any:
    return " ".join(words) if words else default


def _option_parameters(spec: CommandSpec, text_args: str | None) -> list[inspect.Parameter]:
    hints = typing.get_type_hints(spec.options)
    parameters = []
    for item in _cli_fields(spec):
        meta = option_meta(item)
        if item.name in _RESERVED:
            raise TypeError(f"{spec.name}: option name {item.name!r} is reserved")
        default = ... if item.default is dataclasses.MISSING else item.default
        annotation = hints[item.name]
        if item.name == text_args:
            # Every remaining word; the callback joins them into the one text.
            annotation = list[str] if default is ... else list[str] | None
            info: Any = typer.Argument(default, help=meta.help, show_default=False)
        elif meta.positional:
            info = typer.Argument(default, help=meta.help, show_default=False)
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
        parameters.append(_keyword(item.name, annotation, info))
    return parameters


def _extra_parameters(spec: CommandSpec) -> list[inspect.Parameter]:
    """The CLI's own options: --file for a document, --json output and --seed."""
    parameters = []
    if _has_document(spec):
        json_help = next(option_meta(i).help for i in spec.fields() if i.name == _DOCUMENT)
        file_flag = typer.Option(None, FILE_FLAG, metavar="PATH|-", help=file_help(json_help))
        parameters.append(_keyword("file_input", str | None, file_flag))
    if spec.json_output:
        json_flag = typer.Option(False, "--json", help="Print the result as JSON.")
        parameters.append(_keyword("json_output", bool, json_flag))
    if spec.uses_rng:
        seed_help = "Seed the dice for a repeatable result."
        parameters.append(
            _keyword("seed", int | None, typer.Option(None, "--seed", help=seed_help))
        )
    return parameters


def _keyword(name: str, annotation: Any, default: Any) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )
