"""How ``adv`` parses: one-line usage errors, ``-h``, and trailing words as one text.

Only typer's public API is used. Typer 0.2x vendors click as a private module
(``typer._click``) while older releases use the ``click`` package, so the
ClickException class is found through ``typer.BadParameter``, which is one on
every release.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from adventorator.cli._output import echo
from adventorator.errors import InputError
from adventorator.text import clean_line

# Every command and group inherits these from the root context.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}
# A word that starts a dice expression or a number (-1d4, -2, -d6, -(1d4)), not an option.
_NEGATIVE_WORD = re.compile(r"-[0-9.(dD]")
_SUGGESTION = re.compile(r"\.? Did you mean (.+)\?$")


def _click_exception() -> type[Exception]:
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException" and issubclass(cls, Exception):
            return cls
    raise ImportError("typer.BadParameter is no longer a click ClickException")


CLICK_EXCEPTION = _click_exception()


class AdvGroup(TyperGroup):
    """The root group: click's errors become one ``error:`` line, like every user mistake."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        run = super().main
        if not standalone_mode:
            return run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            # Not standalone: click raises its errors to us instead of printing them.
            result = run(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except CLICK_EXCEPTION as error:
            result = report_click_error(error)
        except typer.Abort:  # a declined confirmation, or end of input at a prompt
            echo("Aborted.", err=True)
            result = 1
        try:
            sys.stdout.flush()  # here, not at interpreter exit, where it would exit 120
        except BrokenPipeError:
            result = closed_stdout()
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # before click's own handler, which exits 1
            raise typer.Exit(closed_stdout()) from None


def closed_stdout() -> int:
    """The reader went away (``adv ... | head -1``): a normal end, exit 0 quietly.

    stdout is pointed at devnull so that nothing left in its buffer fails again at exit.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


def report_click_error(error: Exception) -> int:
    """Print a click error (they quote what was typed, so cleaned) and return the exit code."""
    from adventorator.cli._run import report

    click_error: Any = error  # a ClickException: format_message(), and ctx on usage errors
    text = str(click_error.format_message())
    if type(error).__name__ == "NoArgsIsHelpError":  # `adv sheet`: the message is the help
        echo(text, err=True)
        return 2
    message = clean_line(text).strip()
    if message[:1].isupper() and message[1:2].islower():  # click's "No such option: ..."
        message = message[0].lower() + message[1:]
    # typer's suggestion: "No such command 'rol'. Did you mean 'roll'?"
    message = _SUGGESTION.sub(r" (did you mean \1?)", message).rstrip(".")
    message = message.replace("not a valid integer range", "not a valid integer")  # IntRange
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message = f"{message}; see '{ctx.command_path} --help'"
    return report(InputError(message), debug=False)


class TextArgsCommand(TyperCommand):
    """A command whose last argument takes every remaining word: `adv roll 1d20 + 5`.

    click reads a word such as ``-1d4`` or ``-2`` as an option; when one is
    not the value of an option, the words are moved behind ``--`` so that it
    reaches the text, and the options keep their meaning.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._negative_words_as_text(ctx, args))

    def _negative_words_as_text(self, ctx: Any, args: list[str]) -> list[str]:
        if not any(_NEGATIVE_WORD.match(arg) for arg in args):
            return args
        takes_value = {
            flag
            for param in self.get_params(ctx)
            if param.param_type_name == "option"
            and not getattr(param, "is_flag", False)
            and not getattr(param, "count", False)
            for flag in param.opts
        }
        options: list[str] = []
        words: list[str] = []
        expects_value = False
        for index, arg in enumerate(args):
            if expects_value:
                options.append(arg)
                expects_value = False
            elif arg == "--":
                words += args[index + 1 :]
                break
            elif arg.startswith("-") and len(arg) > 1 and not _NEGATIVE_WORD.match(arg):
                options.append(arg)
                expects_value = arg in takes_value
            else:
                words.append(arg)
        return [*options, "--", *words]
