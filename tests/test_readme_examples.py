"""The README's ```console examples are real output: every block is run here (issue 15).

Each ``$ adv ...`` line runs in process through Typer's runner, in README order,
in a scratch home (``HOME``, ``XDG_DATA_HOME``, ``XDG_CONFIG_HOME``) with the
embedded SQLite database, as the login ``alice`` (the README's first player), so
state carries from block to block as it would for a reader following along.
The scratch home's path is shown as ``/home/me``. What the README may say to
steer a block (skip, fresh, setup) and the shell subset it may use are in
``tests/readme_examples.py``; every failure names its README line.
"""

from __future__ import annotations

import difflib
import traceback
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.readme_examples import (
    Block,
    Outcome,
    ReadmeError,
    Shell,
    output_matches,
    parse_blocks,
)
from tests.support import adv_app

README = Path(__file__).resolve().parent.parent / "README.md"
SHOWN_HOME = "/home/me"


class Reader:
    """A reader at a terminal: a home directory of their own, changed by each fresh block."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.monkeypatch, self.homes = root, monkeypatch, 0
        self.app = adv_app()
        self.home = root

    def fresh(self) -> Shell:
        """A new, empty home (and so a new embedded database); the shell starts there."""
        self.homes += 1
        self.home = self.root / f"reader{self.homes}"
        self.home.mkdir()
        for name, value in (
            ("HOME", self.home),
            ("XDG_DATA_HOME", self.home / ".local" / "share"),
            ("XDG_CONFIG_HOME", self.home / ".config"),
        ):
            self.monkeypatch.setenv(name, str(value))
        self.monkeypatch.chdir(self.home)
        return Shell(self.adv, self.read_file, self.write_file)

    def adv(self, args: list[str], env: dict[str, str], stdin: str | None) -> Outcome:
        result = CliRunner().invoke(self.app, args, input=stdin, env=env, prog_name="adv")
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += "".join(traceback.format_exception(result.exception))
        shown = str(self.home)
        return Outcome(
            result.exit_code,
            result.stdout.replace(shown, SHOWN_HOME),
            result.stderr.replace(shown, SHOWN_HOME),
            output.replace(shown, SHOWN_HOME),
        )

    def read_file(self, name: str) -> str:
        return (self.home / name).read_text(encoding="utf-8")

    def write_file(self, name: str, text: str) -> None:
        (self.home / name).write_text(text, encoding="utf-8")


def _mismatch(where: str, text: str, expected: tuple[str, ...], shown: str) -> str:
    diff = difflib.unified_diff(
        list(expected), shown.splitlines(), "README", "real output", lineterm=""
    )
    return f"{where}: $ {text}\n" + "\n".join(diff)


def run_blocks(blocks: list[Block], reader: Reader) -> list[str]:
    """Run every block not skipped, in order; one failure message per mismatch."""
    failures: list[str] = []
    shell: Shell | None = None
    for block in blocks:
        if block.skip is not None:
            continue
        if shell is None or block.fresh:
            shell = reader.fresh()
        for line, text in block.setup:
            where = f"README.md:{line}"
            try:
                shown = shell.run(text, where)
            except ReadmeError as error:
                failures.append(str(error))
                continue
            if shell.last_code != 0:
                failures.append(f"{where}: setup `{text}` exited {shell.last_code}:\n{shown}")
        for command in block.commands:
            where = f"README.md:{command.line}"
            try:
                shown = shell.run(command.text, where)
            except ReadmeError as error:
                failures.append(str(error))
                continue
            if not output_matches(command.expected, shown.splitlines()):
                failures.append(_mismatch(where, command.text, command.expected, shown))
    return failures


@pytest.fixture
def reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> Reader:
    monkeypatch.setenv("LOGNAME", "alice")  # the login name: the CLI's default --user
    monkeypatch.setenv("USER", "alice")
    return Reader(tmp_path, monkeypatch)


def test_the_readme_examples_print_what_they_show(reader: Reader) -> None:
    failures = run_blocks(parse_blocks(README.read_text(encoding="utf-8")), reader)
    assert not failures, f"{len(failures)} README example(s) differ:\n\n" + "\n\n".join(failures)


# ---- the runner itself -------------------------------------------------------


def _run(text: str, reader: Reader) -> list[str]:
    return run_blocks(parse_blocks(text), reader)


def test_an_unmarked_block_that_cannot_run_fails_naming_its_line(reader: Reader) -> None:
    failures = _run("Intro\n\n```console\n$ make run\n```\n", reader)
    assert len(failures) == 1
    assert failures[0].startswith("README.md:4: cannot run 'make' here")


def test_a_skip_marker_leaves_the_block_out_and_must_say_why(reader: Reader) -> None:
    assert _run("<!-- docs: skip (needs make) -->\n```console\n$ make run\n```\n", reader) == []
    with pytest.raises(ReadmeError, match=r"README.md:1: a skip marker says why"):
        parse_blocks("<!-- docs: skip -->\n```console\n$ make\n```\n")
    with pytest.raises(ReadmeError, match=r"README.md:1: a docs marker must be right above"):
        parse_blocks("<!-- docs: fresh -->\n\ntext\n```console\n$ adv roll 1\n```\n")


def test_stale_output_is_a_failure_with_the_line_and_a_diff(reader: Reader) -> None:
    text = (
        "```console\n"
        "$ adv roll 1d20 --seed 1\n1d20 (6) = 6\n"
        "$ adv roll 1d20 --seed 1\n1d20 (5) = 5\n"
        "```\n"
    )
    failures = _run(text, reader)
    assert len(failures) == 1
    assert failures[0].startswith("README.md:2: $ adv roll 1d20 --seed 1\n")
    assert "-1d20 (6) = 6\n+1d20 (5) = 5" in failures[0]


def test_state_carries_between_blocks_until_a_fresh_one(reader: Reader) -> None:
    text = (
        "```console\n$ adv sheet create --example rogue\nSaved Wren Thistlefoot.\n```\n"
        "```console\n$ adv sheet list\n* Wren Thistlefoot: level 5 Rogue (yours)\n```\n"
        "<!-- docs: fresh -->\n<!-- docs: setup adv sheet create --example bard -->\n"
        "```console\n$ adv sheet list\n* Ysolde Vane: level 6 Bard (yours)\n```\n"
    )
    assert _run(text, reader) == []


def test_a_failing_setup_line_is_reported(reader: Reader) -> None:
    text = (
        "<!-- docs: setup adv sheet show nobody -->\n"
        "```console\n$ adv roll 1 --seed 1\n1 = 1\n```\n"
    )
    failures = _run(text, reader)
    assert len(failures) == 1
    assert failures[0].startswith("README.md:1: setup `adv sheet show nobody` exited 2")


def test_pipes_redirections_and_exit_codes(reader: Reader) -> None:
    text = (
        "```console\n"
        "$ adv roll 1d6 --times 3 --seed 2 | tail -1\n1d6 (1) = 1\n"
        "$ adv sheet example rogue > wren.json   # a comment\n"
        '$ head -2 wren.json\n{\n  "name": "Wren Thistlefoot",\n'
        "$ adv roll 4d6kx3\n"
        "error: Unexpected 'x' at column 5: expected a number after 'k'\n  4d6kx3\n      ^\n"
        "$ echo $?\n2\n"
        "```\n"
    )
    assert _run(text, reader) == []


def test_placeholders_match_only_what_varies() -> None:
    assert output_matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert not output_matches(["a", "...", "z"], ["a", "z"])  # ... stands for a line at least
    assert output_matches(["[2026-12-01 13:02] x"], ["[2027-01-31 09:59] x"])
    assert not output_matches(["[2026-12-01 13:02] x"], ["[2027-01-31 09:59] y"])
    assert not output_matches(["[2026-12-01 13:02] x"], ["[2027-01-31 9:59] x"])
    assert not output_matches(["total 12"], ["total 13"])  # numbers are not free
    assert output_matches(["trailing   "], ["trailing"])
