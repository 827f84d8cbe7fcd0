"""CLI conventions: -h everywhere, usage errors as one line, words joined into one text,
--file read by the CLI, and shell completion.

Through Typer's runner on the embedded SQLite default (``isolated_env``), plus
a few real ``adv`` processes; state is read back through the CLI's --json.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from adventorator.commands import COMMANDS
from adventorator.sheet import MAX_SHEET_BYTES
from tests.processes import ADV
from tests.support import adv_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ROGUE = "Wren Thistlefoot"


@pytest.fixture
def run(isolated_env: Path) -> Any:
    app = adv_app()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        return CliRunner().invoke(app, list(args), input=input, prog_name="adv")

    return invoke


def one_error_line(result: Result, *fragments: str) -> str:
    """Exit 2, nothing on stdout, and exactly one ``error: ...`` line on stderr."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def _command_paths() -> list[tuple[str, ...]]:
    """The root, every group and every command of ``adv``."""
    found: list[tuple[str, ...]] = [()]

    def walk(command: Any, path: tuple[str, ...]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append((*path, name))
            walk(sub, (*path, name))

    walk(typer.main.get_command(adv_app()), ())
    return found


# -h ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "adv")
def test_dash_h_is_help_everywhere(run: Any, path: tuple[str, ...]) -> None:
    short, long = run(*path, "-h"), run(*path, "--help")
    assert short.exit_code == 0, short.output
    assert short.stdout.startswith(f"Usage: {' '.join(('adv', *path))} ")
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


# Usage errors -----------------------------------------------------------------------------

USAGE_ERRORS = {
    "unknown option": (
        ("roll", "--bogus", "1d20"),
        "error: no such option: --bogus; see 'adv roll --help'",
    ),
    "unknown option, suggested": (
        ("roll", "--stat", "1d20"),
        "error: no such option: --stat (Possible options: --stats); see 'adv roll --help'",
    ),
    "missing argument": (
        ("character", "switch"),
        "error: missing argument 'NAME...'; see 'adv character switch --help'",
    ),
    "bad value": (
        ("check", "--skill", "stealth", "--score", "abc"),
        "error: invalid value for '--score': 'abc' is not a valid integer; see 'adv check --help'",
    ),
    "out of range": (
        ("roll", "1d20", "--times", "0"),
        "error: invalid value for '--times': 0 is not in the range 1<=x<=100; "
        "see 'adv roll --help'",
    ),
    "unknown command": (("nope",), "error: no such command 'nope'; see 'adv --help'"),
    "misspelt command": (
        ("rol", "1d20"),
        "error: no such command 'rol' (did you mean 'roll'?); see 'adv --help'",
    ),
    "unknown root option": (
        ("--colour", "roll"),
        "error: no such option: --colour; see 'adv --help'",
    ),
    "extra argument": (
        ("db", "current", "now"),
        "error: got unexpected extra argument(s) (now); see 'adv db current --help'",
    ),
    "option without its value": (
        ("roll", "1d20", "--seed"),
        "error: option '--seed' requires an argument",  # click gives no command here
    ),
}


@pytest.mark.parametrize(("argv", "line"), USAGE_ERRORS.values(), ids=list(USAGE_ERRORS))
def test_usage_errors_are_one_line_and_exit_2(run: Any, argv: tuple[str, ...], line: str) -> None:
    assert one_error_line(run(*argv)) == line


def test_a_group_without_a_command_prints_its_help(run: Any) -> None:
    result = run("sheet")
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: adv sheet [OPTIONS] COMMAND [ARGS]...")


def test_the_adv_script_prints_usage_errors_as_one_line(isolated_env: Path) -> None:
    done = subprocess.run(
        [str(ADV), "roll", "--bogus", "1d20"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: no such option: --bogus; see 'adv roll --help'\n"


# The remaining words are one text ---------------------------------------------------------


def _roll(run: Any, *argv: str) -> dict[str, Any]:
    result = run("roll", *argv, "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    rolled: dict[str, Any] = json.loads(result.stdout)
    return rolled


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        (("1d20", "+", "5"), "1d20 + 5"),
        (("-1d4",), "-1d4"),
        (("-2",), "-2"),
        (("-d6", "+", "1"), "-d6 + 1"),
        (("1d20", "-2"), "1d20 -2"),
        (("4d6", "kh3", "-", "1"), "4d6 kh3 - 1"),
    ],
)
def test_roll_joins_its_words_and_takes_a_leading_minus(
    run: Any, words: tuple[str, ...], quoted: str
) -> None:
    joined, given = _roll(run, *words), _roll(run, quoted)
    assert (joined["expression"], joined["total"]) == (given["expression"], given["total"])


def test_options_keep_their_values_around_a_negative_expression(run: Any) -> None:
    result = run("roll", "--times", "2", "-1d4", "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    rolls = json.loads(result.stdout)
    assert (rolls["expression"], rolls["times"]) == ("-1d4", 2)
    one_error_line(run("roll", "--times", "-1", "1d4"), "'--times': -1 is not in the range")
    assert (
        run("roll", "--seed", "1", "--", "-1d4").stdout == run("roll", "-1d4", "--seed", "1").stdout
    )


def test_check_takes_a_negative_bonus(run: Any) -> None:
    result = run(
        "check", "--skill", "stealth", "--score", "12", "--bonus", "-1", "--seed", "1", "--json"
    )
    assert result.exit_code == 0, result.output


def test_a_name_may_be_given_in_several_words(run: Any) -> None:
    assert run("sheet", "create", "--file", str(EXAMPLES / "rogue.json")).exit_code == 0
    shown = run("sheet", "show", "Wren", "Thistlefoot", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["name"] == ROGUE
    assert run("character", "switch", "Wren", "Thistlefoot").exit_code == 0


# --file -----------------------------------------------------------------------------------


def test_the_handlers_take_text_only() -> None:
    for spec in COMMANDS:
        names = {item.name for item in dataclasses.fields(spec.options)}
        assert "file" not in names, spec.name


def test_sheet_create_reads_a_file_and_stdin_alike(run: Any) -> None:
    text = (EXAMPLES / "rogue.json").read_text(encoding="utf-8")
    from_file = run("sheet", "create", "--file", str(EXAMPLES / "rogue.json"))
    assert from_file.stdout == f"Saved {ROGUE}.\n"
    from_stdin = run("sheet", "create", "--file", "-", "--replace", input=text)
    assert from_stdin.stdout == f"Saved {ROGUE}.\n"
    patched = run("sheet", "update", ROGUE, "--file", "-", input='{"level": 6}')
    assert patched.exit_code == 0, patched.output
    assert json.loads(run("sheet", "show", "--json").stdout)["level"] == 6


@pytest.mark.parametrize(
    ("setup", "fragments"),
    [
        (lambda d: ("--json", "{}", "--file", str(d / "x.json")), ("give exactly one of",)),
        (lambda d: ("--file", str(d / "missing.json")), ("cannot read", "No such file")),
        (lambda d: ("--file", str(d)), ("cannot read", "Is a directory")),
        (lambda d: ("--file", _write(d, "latin1.json", b'{"name": "Ren\xe9e"}')), ("not UTF-8",)),
        (
            lambda d: ("--file", _write(d, "big.json", b" " * (MAX_SHEET_BYTES + 1))),
            ("65,537 bytes; the limit is 65,536",),
        ),
    ],
    ids=["both", "missing", "directory", "not utf-8", "too big"],
)
def test_file_problems_are_one_line(
    run: Any, tmp_path: Path, setup: Any, fragments: tuple[str, ...]
) -> None:
    one_error_line(run("sheet", "create", *setup(tmp_path)), *fragments)
    assert json.loads(run("sheet", "list", "--json").stdout)["characters"] == []


def test_oversized_stdin_is_refused_unread(run: Any) -> None:
    result = run("sheet", "create", "--file", "-", input=b" " * (10 * MAX_SHEET_BYTES))
    one_error_line(result, "standard input is more than 65,536 bytes; the limit is 65,536")


def _write(directory: Path, name: str, data: bytes) -> str:
    path = directory / name
    path.write_bytes(data)
    return str(path)


# Shell completion -------------------------------------------------------------------------


def test_completion_is_offered_and_answers(isolated_env: Path) -> None:
    help_text = subprocess.run(
        [str(ADV), "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--install-completion" in help_text
    assert "--show-completion" in help_text

    def complete(words: str) -> list[str]:
        env = {
            **os.environ,
            "_ADV_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split(" ")) - 1),
        }
        done = subprocess.run([str(ADV)], env=env, capture_output=True, text=True, check=True)
        return done.stdout.split()

    assert complete("adv ro") == ["roll"]
    assert "schema" in complete("adv sheet ")
    assert complete("adv roll --st") == ["--stats"]
