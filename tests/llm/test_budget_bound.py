"""The cheap token bound: never below the exact count, and it spares loading an encoding."""

from __future__ import annotations

import subprocess
import sys

import pytest

from adventorator.llm._budget import fit_lines
from adventorator.llm.tokens import count_tokens, token_upper_bound
from tests.llm.helpers import MODEL

TEXTS = [
    "",
    "I sneak past the sleeping guard.",
    "ünïcödé, 日本語のテキスト, emoji 🐉🗡️ and\ttabs\n\nnewlines",
    "a" * 3000,
    " ".join(str(n) for n in range(400)),
]


def _assemble(kept: list[str]) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You are the narrator."},
        {"role": "user", "content": "Recent:\n" + "".join(line + "\n" for line in kept)},
    ]


@pytest.mark.parametrize("model", [None, "gpt-4o-mini", MODEL])
@pytest.mark.parametrize("text", TEXTS)
def test_the_bound_is_never_below_the_exact_count(model: str | None, text: str) -> None:
    messages = [{"role": "system", "content": "GM"}, {"role": "user", "content": text}]

    bound = token_upper_bound(messages, model=model)

    assert bound is not None
    assert bound >= count_tokens(messages, model=model)


def test_no_bound_for_names_litellm_counts() -> None:
    assert token_upper_bound([{"role": "user", "content": "-"}], model="ollama/llama3") is None


@pytest.mark.parametrize("budget", [30, 45, 60, 80, 120, 400, 4000])
def test_fit_lines_keeps_what_the_exact_budget_keeps(budget: int) -> None:
    lines = ["The guard snores.", "A torch gutters 🔥.", "Rain on the roof.", "x" * 90]

    kept, messages = fit_lines(lines, assemble=_assemble, budget=budget, model=MODEL)

    # The result is the longest prefix whose prompt fits (the exact rule), bound or not.
    assert messages == _assemble(kept)
    assert kept == lines[: len(kept)]
    if kept:
        assert count_tokens(messages, model=MODEL) <= budget
    if len(kept) < len(lines):
        assert count_tokens(_assemble(lines[: len(kept) + 1]), model=MODEL) > budget


def test_a_small_prompt_far_below_its_budget_loads_no_encoding() -> None:
    code = (
        "from adventorator.llm._budget import fit_lines\n"
        "import tiktoken.registry as r\n"
        "asm = lambda k: [{'role': 'user', 'content': 'scene: ' + ' '.join(k)}]\n"
        "kept, _ = fit_lines(['a', 'b'], assemble=asm, budget=2000, model='openai/m')\n"
        "print(kept, sorted(r.ENCODINGS))\n"
        "fit_lines(['a' * 500], assemble=asm, budget=300, model='openai/m')\n"
        "print(sorted(r.ENCODINGS))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.splitlines() == ["['a', 'b'] []", "['cl100k_base']"]
