"""Attacker text never drives another user's terminal (issue 12).

Names, player text, narration, transcripts and error messages reach every
CLI output path inert: no terminal controls (ESC, CSI, OSC 52 clipboard
writes, 0x9b), no bidi overrides, no rich markup or hidden hyperlinks; JSON
escapes what ``json.dumps`` leaves raw. The rich path is exercised on a real
pseudo-terminal (the ``adv`` script with its stdout on a pty), the plain path
through Typer's runner, both on the embedded SQLite database.
"""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from adventorator.cli import render
from adventorator.commands import Reply
from adventorator.text import BIDI_CONTROLS
from tests.fakes.openai_server import FakeLLMServer
from tests.processes import ADV
from tests.support import adv_app

OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # writes "evil" to the reader's clipboard
CLEAR = "\x1b[2J"
CSI_8BIT = "\x9b2J"
RLO = "\u202e"
CONTROLS = (OSC52, CLEAR, CSI_8BIT, RLO)
HOSTILE = "".join(CONTROLS)
MARKUP_NAMES = ("Closer [/bold]", "[link=https://x]y[/link]", "[red]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours rich itself writes


def assert_inert(output: str) -> None:
    """Nothing in ``output`` but text and rich's own colour codes."""
    bare = SGR.sub("", output)
    assert "\x1b" not in bare, repr(output)
    assert "\x07" not in bare, repr(output)
    assert not any("\x80" <= char <= "\x9f" for char in bare), repr(output)
    assert not BIDI_CONTROLS.intersection(bare), repr(output)
    assert "]8;" not in output  # no OSC 8 hyperlink, even with its ESC stripped


def on_terminal(*args: str) -> tuple[int, str, str]:
    """Run ``adv`` with its stdout on a pseudo-terminal: (exit code, stdout, stderr)."""
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    with subprocess.Popen(
        [str(ADV), *args],
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=subprocess.PIPE,
        env=env,
    ) as process:
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(main, 65_536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(main)
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
    return process.returncode, b"".join(chunks).decode(), stderr


@pytest.fixture
def adv(isolated_env: Path) -> Any:
    """``adv ARGS`` in process (stdout is not a terminal); asserts no traceback."""
    app = adv_app()

    def run(*args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.stderr
        return result

    return run


def sheet_json(name: str, **changes: Any) -> str:
    data: dict[str, Any] = {
        "name": name,
        "class": "Rogue",
        "level": 1,
        "abilities": {"str": 10, "dex": 10, "con": 10, "int": 10, "wis": 10, "cha": 10},
        **changes,
    }
    return json.dumps(data)


# Rich markup in names -------------------------------------------------------------------


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_markup_names_print_as_themselves_on_a_terminal(adv: Any, name: str) -> None:
    adv("sheet", "create", "--json", sheet_json(name, subclass=name))

    code, shown, stderr = on_terminal("sheet", "show", name)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert f"{name}: level 1 Rogue ({name})" in SGR.sub("", shown)
    assert_inert(shown)

    for args in (("sheet", "show", name), ("sheet", "list"), ("character", "current")):
        plain = adv(*args).stdout
        assert name in plain
        assert_inert(plain)


def test_the_sheet_panel_escapes_user_text() -> None:
    from rich.console import Console

    from adventorator.commands import sheet_panel
    from adventorator.rules import Dnd5eRuleset
    from adventorator.sheet import parse_sheet_json

    for name in MARKUP_NAMES:
        out = io.StringIO()
        console = Console(file=out, force_terminal=True, width=120, color_system="truecolor")
        sheet = parse_sheet_json(sheet_json(name, subclass="[/]"))
        console.print(sheet_panel(sheet, Dnd5eRuleset()))
        assert f"{name}: level 1 Rogue ([/])" in SGR.sub("", out.getvalue())
        assert_inert(out.getvalue())


# The output doors themselves -------------------------------------------------------------


class Terminal(io.StringIO):
    """A stand-in stdout that says it is a terminal, so ``render`` takes its rich path."""

    def isatty(self) -> bool:
        return True


def fake_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Swap stdout for a Terminal; call it in the test body (pytest resets stdout per phase)."""
    screen = Terminal()
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys, "stdout", screen)
    return screen


def test_the_rich_path_drops_controls_and_hyperlinks_a_builder_let_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Group
    from rich.text import Text

    terminal = fake_terminal(monkeypatch)
    hostile = Group(Text(f"Vex{HOSTILE}"), f"says {OSC52}[link=https://x]hi[/link]")
    render(Reply(text="unused", rich=lambda: hostile), as_json=False)
    shown = terminal.getvalue()
    assert SGR.sub("", shown) == "Vex]52;c;ZXZpbA==[2J2J\nsays ]52;c;ZXZpbA==hi\n"
    assert_inert(shown)


def test_a_markup_error_prints_the_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = fake_terminal(monkeypatch)
    render(Reply(text=f"Closer [/bold]{CLEAR}", rich=lambda: "Closer [/bold]"), as_json=False)
    assert terminal.getvalue() == "Closer [/bold][2J\n"


def test_plain_and_json_output_escape_what_json_dumps_leaves_raw(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = f"a{HOSTILE}\x7f\u2028b"
    render(Reply(text=text, data={"text": text}), as_json=True)
    printed = capsys.readouterr().out
    assert_inert(printed)
    assert "\\u202e" in printed
    assert "\\u009b" in printed
    assert json.loads(printed) == {"text": text}  # the data itself is unchanged

    render(Reply(text=text), as_json=False)
    assert capsys.readouterr().out == "a]52;c;ZXZpbA==[2J2Jb\n"


# Player text, narration and transcripts -----------------------------------------------------


def test_player_text_and_narration_are_inert_everywhere(
    adv: Any, fake_llm: FakeLLMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    adv("sheet", "create", "--json", sheet_json("Vex"))
    monkeypatch.setenv("ADVENTORATOR_LLM_MODEL", "openai/fake-model")
    monkeypatch.setenv("ADVENTORATOR_LLM_API_BASE", fake_llm.base_url)
    monkeypatch.setenv("ADVENTORATOR_LLM_API_KEY", "test-key")
    fake_llm.reply_json(
        {"action": "none", "ability": None, "skill": None, "dc": None, "reason": "Talk."}
    )
    fake_llm.reply_json({"narration": f"The guard {HOSTILE}[link=https://x]nods[/link]."})

    turn = adv("do", f"I wave {HOSTILE} at the guard").stdout
    assert_inert(turn)
    assert "nods" in turn

    for args in (("transcript", "show"), ("transcript", "show", "--json")):
        shown = adv(*args).stdout
        assert_inert(shown)
        assert "I wave" in shown

    code, on_screen, stderr = on_terminal("transcript", "show")
    assert code == 0, stderr
    assert_inert(on_screen)
    assert "The guard" in on_screen


# Error messages quote what was typed ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("sheet", "show", f"Nobody{HOSTILE}"),  # NotFoundError quotes the name
        ("sheet", "show", f"--x{OSC52}"),  # click: no such option
        ("sheet", "show", "a", f"b{HOSTILE}"),  # click: unexpected extra argument
        ("roll", f"1d20 [{RLO}fire]"),  # an annotation reaches the plain output
        ("--debug", "sheet", "show", f"Nobody{HOSTILE}"),  # the traceback quotes it too
    ],
)
def test_error_messages_and_echoed_input_are_inert(adv: Any, args: tuple[str, ...]) -> None:
    result = CliRunner().invoke(adv_app(), list(args))
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    assert result.stdout or result.stderr


def test_the_adv_script_cleans_click_errors_on_a_terminal() -> None:
    code, _, stderr = on_terminal("sheet", "show", f"--x{OSC52}{RLO}")
    assert code == 2
    # click splits at "="; the error is our one line
    assert stderr == "error: no such option: --x]52;c;ZXZpbA; see 'adv sheet show --help'\n"
    assert_inert(stderr)
