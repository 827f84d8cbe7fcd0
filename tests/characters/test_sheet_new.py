"""``adv sheet new``: a real terminal session (a pty) answering every question.

The saved sheet is read back through ``adv sheet show --json``; an aborted
session writes nothing, and a pipe is refused in one line.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import termios
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.characters.support import ROGUE, Cli, assert_one_line_error, example_path

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # the store path is create's

NAME = "Brann Ironfoot"
# (what the question ends with, the answer typed): a bad level and a bad skill are asked again.
SESSION = [
    ("Name: ", NAME),
    ("or your own): ", "fighter"),
    ("Level (1-20): ", "21"),
    ("Level (1-20): ", "3"),
    ("Strength: ", "16"),
    ("Dexterity: ", "12"),
    ("Constitution: ", "15"),
    ("Intelligence: ", "8"),
    ("Wisdom: ", "13"),
    ("Charisma: ", "10"),
    ("(Enter for none): ", "athletics, perceptoin"),
    ("(Enter for none): ", "Athletics, perception"),
    ("[str, con]: ", ""),
    ("(Enter to skip): ", "28"),
    ("(Enter to skip): ", "18"),
    ("[Y/n]: ", "y"),
]
CTRL_C = b"\x03"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Session:
    code: int
    terminal: str  # everything the terminal showed, colours removed
    stdout: str  # what a --json run printed on its own stdout


def _take_terminal() -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    # As a shell starts a foreground program: a suite started in the background by a
    # non-interactive shell inherits SIGINT ignored, and Ctrl-C would do nothing.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted(process: subprocess.Popen[bytes], main: int) -> int:
    """Its exit code after Ctrl-C, typed again while it runs.

    A SIGINT that lands after the prompt is printed but before the read starts
    waits for the next read (CPython's input()); a person would press it again.
    """
    for _ in range(30):
        try:
            return process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            os.write(main, CTRL_C)
    return process.wait(timeout=60)


def run_session(
    url: str, answers: list[tuple[str, str]], *, end: bytes = b"", args: tuple[str, ...] = ()
) -> Session:
    """Run ``adv sheet new`` on a pty, typing each answer once its question is shown.

    ``end`` is typed after the last answer's question appears (Ctrl-D, Ctrl-C).
    With ``--json`` in ``args`` stdout is a pipe, so the JSON is read apart.
    """
    main, child = pty.openpty()
    env = {**os.environ, "DATABASE_URL": url, "ADVENTORATOR_USER": "alice", "COLUMNS": "80"}
    adv = str(Path(sys.executable).with_name("adv"))
    piped = "--json" in args
    process = subprocess.Popen(
        [adv, "sheet", "new", *args],
        stdin=child,
        stdout=subprocess.PIPE if piped else child,
        stderr=child,
        env=env,
        start_new_session=True,
        preexec_fn=_take_terminal,  # so Ctrl-C on the pty interrupts it, as at a shell
    )
    os.close(child)
    try:
        seen, consumed = b"", 0
        for index, (question, answer) in enumerate(answers):
            # click prints a prompt's last space on stdout, which --json makes a pipe
            shown = (question.rstrip() if piped else question).encode()
            while (found := seen.find(shown, consumed)) < 0:
                # 60 s: a guard against a hang, not a timing
                ready, _, _ = select.select([main], [], [], 60)
                chunk = os.read(main, 1024) if ready else b""
                assert chunk, seen.decode()
                seen += chunk
            consumed = found + len(shown)
            last = index == len(answers) - 1
            os.write(main, end if last and end else answer.encode() + b"\n")
        stdout = process.stdout.read().decode() if process.stdout else ""
        code = _interrupted(process, main) if end == CTRL_C else process.wait(timeout=60)
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
    finally:  # a failed test leaves no program waiting on its terminal
        os.close(main)
        if process.poll() is None:
            process.kill()
            process.wait()
    return Session(code, _ANSI.sub("", seen.decode()), stdout)


def test_a_terminal_session_asks_again_on_bad_answers_and_saves_a_valid_sheet(
    cli: Cli, migrated_url: str
) -> None:
    assert cli("sheet", "create", "--file", str(example_path("rogue"))).exit_code == 0
    taken = ("Name: ", "wren thistlefoot")  # the rogue's name, in another case: asked again
    session = run_session(migrated_url, [taken, *SESSION])
    assert session.code == 0, session.terminal
    shown = session.terminal
    assert "you already have 'wren thistlefoot': choose another name, or run" in shown
    assert "level must be a whole number from 1 to 20, got '21'" in shown
    assert "unknown skill 'perceptoin': did you mean Perception?" in shown
    assert f"{NAME}: level 3 Fighter" in shown  # the `sheet show` panel, before asking to save
    assert shown.index("Passive Perception 13") < shown.index("Save this sheet? [Y/n]")
    assert f"Saved {NAME}. You are now playing {NAME}" in shown  # create's notice
    sheet = cli.json("sheet", "show", NAME)
    assert sheet["class"] == "Fighter"  # an SRD class in any case is spelt as the SRD does
    assert sheet["level"] == 3
    assert sheet["abilities"] == {"str": 16, "dex": 12, "con": 15, "int": 8, "wis": 13, "cha": 10}
    assert sheet["saves"] == ["str", "con"]  # the fighter's, accepted with Enter
    assert sheet["skills"] == {"athletics": "proficient", "perception": "proficient"}
    assert sheet["hp"] == {"current": 28, "max": 28, "temp": 0}
    assert sheet["ac"] == 18
    assert sheet["derived"]["skills"]["athletics"]["bonus"] == 5
    assert sorted(row["name"] for row in cli.rows()) == sorted([NAME, ROGUE])


def test_with_json_the_questions_go_to_stderr_and_stdout_is_the_saved_sheet(
    cli: Cli, migrated_url: str
) -> None:
    answers = [*SESSION[:2], *SESSION[3:10], ("(Enter for none): ", ""), ("[str, con]: ", "dex")]
    answers += [("(Enter to skip): ", ""), ("(Enter to skip): ", ""), ("[Y/n]: ", "")]
    session = run_session(migrated_url, answers, args=("--json",))
    assert session.code == 0, session.terminal
    saved = json.loads(session.stdout)
    assert (saved["name"], saved["saves"], saved["skills"]) == (NAME, ["dex"], {})
    assert "hp" not in saved
    assert "ac" not in saved
    assert "Save this sheet?" in session.terminal
    assert "{" not in session.terminal


@pytest.mark.parametrize(("key", "why"), [(b"\x04", "end of input"), (CTRL_C, "Ctrl-C")])
def test_ending_the_session_midway_writes_nothing(
    cli: Cli, migrated_url: str, key: bytes, why: str
) -> None:
    session = run_session(migrated_url, [*SESSION[:4], ("Strength: ", "")], end=key)
    assert session.code == 1, (why, session.terminal)
    assert "Aborted" in session.terminal
    assert cli.rows() == []


def test_answering_no_to_save_writes_nothing(cli: Cli, migrated_url: str) -> None:
    session = run_session(migrated_url, [*SESSION[:-1], ("[Y/n]: ", "n")])
    assert session.code == 1, session.terminal
    assert "Saved" not in session.terminal
    assert cli.rows() == []


def test_on_a_pipe_it_refuses_in_one_line_naming_sheet_create(cli: Cli) -> None:
    result = cli("sheet", "new", input=f"{NAME}\nFighter\n3\n")
    assert_one_line_error(
        result,
        "adv sheet create --file FILE",
        "adv sheet example NAME | adv sheet create --file -",
    )
    assert cli.rows() == []
