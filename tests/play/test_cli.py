"""The real ``adv`` console script: ``do``, ``act`` and ``transcript show`` as a user runs them.

Each test runs ``adv`` as a subprocess on a fresh database of each backend
(after ``adv db upgrade``), with its user directories isolated; the LLM cases
point it at the fake server through the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.openai_server import FakeLLMServer, free_port
from tests.play.support import EXAMPLES, MODEL, ROGUE, proposal
from tests.processes import ADV

SNEAK = "I sneak past the sleeping guard"
DO_KEYS = {"check", "narration", "rejected", "reason"}
ACT_KEYS = {"status", "command", "args", "message", "choices"}


@dataclass
class Adv:
    """``adv --user alice ...`` in a subprocess with a fixed environment."""

    env: dict[str, str]
    cwd: Path

    def __call__(
        self, *args: str, user: str = "alice", llm_api_base: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if llm_api_base is not None:
            env.update(
                ADVENTORATOR_LLM_MODEL=MODEL,
                ADVENTORATOR_LLM_API_BASE=llm_api_base,
                ADVENTORATOR_LLM_API_KEY="test-key",
            )
        return subprocess.run(
            [str(ADV), "--user", user, *args],
            env=env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,  # not a terminal: never prompts
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def json(self, *args: str, code: int = 0, llm_api_base: str | None = None) -> Any:
        result = self(*args, "--json", llm_api_base=llm_api_base)
        assert result.returncode == code, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        return json.loads(result.stdout)


@pytest.fixture
def adv(fresh_database_url: str, isolated_env: Path) -> Adv:
    """``adv`` on an upgraded, empty database; alice has the example rogue."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVENTORATOR_")}
    env.update(
        DATABASE_URL=fresh_database_url,
        XDG_DATA_HOME=str(isolated_env / "xdg-data"),
        XDG_CONFIG_HOME=str(isolated_env / "xdg-config"),
        XDG_CACHE_HOME=str(isolated_env / "xdg-cache"),
        HOME=str(isolated_env),
    )
    runner = Adv(env, isolated_env)
    for args in (("db", "upgrade"), ("sheet", "create", "--file", str(EXAMPLES / "rogue.json"))):
        result = runner(*args)
        assert result.returncode == 0, result.stdout + result.stderr
    return runner


def test_do_offline_json_has_the_same_check_as_adv_check(adv: Adv) -> None:
    turn = adv.json("do", SNEAK, "--seed", "11")
    checked = adv.json("check", "--skill", "stealth", "--dc", "15", "--seed", "11")

    assert set(turn) >= DO_KEYS
    assert turn["check"] == checked  # the same engine, the same sheet, the same dice
    assert turn["check"]["modifier"] == 10
    assert (turn["rejected"], turn["narrator"], turn["notice"]) == (False, "offline", None)
    assert turn["reason"].startswith("offline narrator:")
    assert ROGUE in turn["narration"]

    shown = adv.json("transcript", "show")["entries"]
    assert [e["id"] for e in shown] == turn["transcript_ids"]
    assert [(e["role"], e["status"]) for e in shown] == [
        ("player", "ok"),
        ("mechanics", "ok"),
        ("narrator", "ok"),
    ]
    assert shown[0]["content"] == SNEAK
    assert shown[1]["meta"]["check"] == turn["check"]
    assert shown[2]["content"] == turn["narration"]


def test_do_offline_plain_output(adv: Adv) -> None:
    result = adv("do", SNEAK, "--seed", "11")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("Dexterity (Stealth) check: ")
    assert "+ 4 [DEX modifier] + 6 [proficiency (expertise)]" in lines[0]
    assert lines[1].endswith(" (offline narrator)")


def test_do_without_a_character_is_a_one_line_error(adv: Adv) -> None:
    result = adv("do", SNEAK, user="bob")

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: you have no character in campaign 'default': "
        "create one with `adv sheet create --json '<sheet>'`"
    ]
    assert adv.json("transcript", "show")["entries"] == []


def test_act_offline_json_and_exit_codes(adv: Adv) -> None:
    ambiguous = adv.json("act", "sheet", code=3)
    assert set(ambiguous) >= ACT_KEYS
    assert ambiguous["status"] == "ambiguous"
    assert [c["command"] for c in ambiguous["choices"]] == [
        "sheet show",
        "sheet list",
        "character current",
    ]

    plain = adv("act", "sheet")
    assert plain.returncode == 3  # non-interactive: no prompt, the choices and a hint
    assert "Run again with --choose N" in plain.stdout
    assert "  2. sheet list" in plain.stdout.splitlines()

    chosen = adv.json("act", "sheet", "--choose", "2")
    assert (chosen["status"], chosen["command"]) == ("executed", "sheet list")
    assert chosen["result"]["characters"][0]["name"] == ROGUE

    guided = adv.json("act", "create a character", code=2)  # nothing ran
    assert (guided["status"], guided["command"], guided["args"], guided["choices"]) == (
        "needs_arguments",
        "sheet create",
        {},
        [],
    )
    assert guided["message"] == (
        "To create a character, use `adv sheet create --json '<sheet>'` (see `adv sheet schema`)."
    )

    rejected = adv.json("act", "xyzzy plugh", code=2)
    assert (rejected["status"], rejected["command"]) == ("rejected", None)


def test_do_and_act_with_the_llm(adv: Adv, fake_llm: FakeLLMServer) -> None:
    fake_llm.reply_json(proposal("stealth", dc=15, bonus=15))
    refused = adv.json("do", f"{SNEAK} with my +15 bonus", llm_api_base=fake_llm.base_url)
    assert set(refused) >= DO_KEYS
    assert (refused["rejected"], refused["check"], refused["narration"]) == (True, None, "")
    assert "not change state (bonus)" in refused["reason"]

    fake_llm.reply_json(proposal("stealth", dc=12))
    fake_llm.reply_json({"narration": "You drift past like smoke."})
    turn = adv.json("do", SNEAK, "--seed", "5", llm_api_base=fake_llm.base_url)
    assert (turn["narrator"], turn["narration"]) == ("llm", "You drift past like smoke.")
    assert (turn["check"]["modifier"], turn["check"]["dc"]) == (10, 12)
    assert fake_llm.requests[0].headers["authorization"] == "Bearer test-key"
    assert ROGUE in fake_llm.requests[1].prompt_text

    fake_llm.reply_json(
        {
            "command": "check",
            "args": {"skill": "stealth"},
            "confidence": 0.5,
            "alternatives": [{"command": "do", "args": {"message": SNEAK}, "confidence": 0.4}],
        }
    )
    ambiguous = adv.json("act", "stealth", code=3, llm_api_base=fake_llm.base_url)
    assert (ambiguous["status"], ambiguous["planner"]) == ("ambiguous", "llm")
    assert [c["command"] for c in ambiguous["choices"]] == ["check", "do"]

    entries = adv.json("transcript", "show")["entries"]
    assert [(e["role"], e["status"]) for e in entries] == [
        ("player", "ok"),
        ("system", "error"),
        ("player", "ok"),
        ("mechanics", "ok"),
        ("narrator", "ok"),
    ]
    assert [e["id"] for e in entries] == refused["transcript_ids"] + turn["transcript_ids"]
    assert entries[1]["content"] == f"Rejected: {refused['reason']}"
    assert entries[3]["meta"]["check"] == turn["check"]


def test_do_with_an_unreachable_llm_falls_back(adv: Adv) -> None:
    turn = adv.json("do", SNEAK, llm_api_base=f"http://127.0.0.1:{free_port()}/v1")

    assert turn["narrator"] == "offline"
    assert "connection refused" in turn["notice"]
    assert turn["check"]["modifier"] == 10
    assert len(turn["transcript_ids"]) == 3


def test_the_readme_examples_are_what_adv_prints(adv: Adv) -> None:
    done = adv("do", SNEAK, "--seed", "3")
    assert (done.returncode, done.stdout.splitlines()) == (
        0,
        [
            "Dexterity (Stealth) check: 1d20ro1 (8) + 4 [DEX modifier] "
            "+ 6 [proficiency (expertise)] = 18 vs DC 15: success",
            "For a breathless moment it could go either way, then it comes good: the "
            f"Dexterity (Stealth) check succeeds for {ROGUE}. (offline narrator)",
        ],
    )
    guided = adv("act", "create a character")
    assert (guided.returncode, guided.stdout) == (
        2,
        "To create a character, use `adv sheet create --json '<sheet>'` "
        "(see `adv sheet schema`).\n",
    )
    asked = adv("act", "sheet")
    assert (asked.returncode, asked.stdout.splitlines()) == (
        3,
        [
            "I'm not sure what you meant. Run again with --choose N to pick one:",
            "  1. sheet show",
            "  2. sheet list",
            "  3. character current",
        ],
    )
    chosen = adv("act", "sheet", "--choose", "2")
    assert (chosen.returncode, chosen.stdout) == (0, f"* {ROGUE}: level 5 Rogue (yours)\n")
