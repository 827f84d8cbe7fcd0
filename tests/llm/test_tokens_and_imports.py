"""Token counting works offline, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

from adventorator.llm import count_tokens
from tests.llm.helpers import MODEL


@pytest.mark.parametrize("model", [None, "gpt-4o-mini", MODEL, "ollama/llama3"])
def test_count_tokens_offline(model: str | None) -> None:
    short = count_tokens([{"role": "user", "content": "I sneak past the guard."}], model=model)
    longer = count_tokens(
        [
            {"role": "system", "content": "You are the narrator."},
            {"role": "user", "content": "I sneak past the guard. " * 20},
        ],
        model=model,
    )

    assert 5 < short < 20
    assert longer > short + 80


def test_import_does_not_load_litellm() -> None:
    code = (
        "import sys, adventorator.llm; "
        "print(sorted(m for m in ('litellm', 'openai', 'tiktoken', 'adventorator.config') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
