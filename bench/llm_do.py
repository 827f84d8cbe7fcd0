"""Whole-process CPU of `adv do` with a model configured, against offline `adv do`.

    .venv/bin/python bench/llm_do.py [--runs 15]

An embedded SQLite database with one character (examples/rogue.json) in a
scratch folder; a fake OpenAI-compatible server in this process that answers
at once (the proposal, then the narration). Each round runs, in turn, offline
`adv do`, `adv do` with ``openai/fake-model`` on the fast path, and the same
with ``ADVENTORATOR_LLM_FAST_PATH=false`` (litellm). Prints the median CPU
(user + sys, ``os.wait4``) and wall time of each, and the ratios against
offline `adv do` (target, issue 19: <= 2x).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.cli_startup import ADV, EXAMPLE, run_once, scratch_env  # noqa: E402
from tests.fakes.openai_server import ContentReply, FakeLLMServer  # noqa: E402

TARGET = 2.0
DO = [ADV, "do", "I sneak past the sleeping guard", "--seed", "3"]
PROPOSAL = {"action": "skill_check", "skill": "stealth", "dc": 15, "reason": "Sneaking."}
NARRATION = {"narration": "You slip past the guard."}


def variants(env: dict[str, str], base_url: str) -> dict[str, dict[str, str]]:
    """The environment of each side, by name; offline (the baseline) first."""
    model = {
        **env,
        "ADVENTORATOR_LLM_MODEL": "openai/fake-model",
        "ADVENTORATOR_LLM_API_BASE": base_url,
        "ADVENTORATOR_LLM_API_KEY": "bench-key",
    }
    return {
        "adv do, offline": env,
        "adv do, model on the fast path": {**model, "ADVENTORATOR_LLM_FAST_PATH": "true"},
        "adv do, model through litellm": {**model, "ADVENTORATOR_LLM_FAST_PATH": "false"},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="adv-bench-"))
    fake = FakeLLMServer().start()
    # Routed by schema name, so every run gets a proposal and then a narration.
    fake.route("narrator_proposal", ContentReply(json.dumps(PROPOSAL)))
    fake.route("narration", ContentReply(json.dumps(NARRATION)))
    try:
        env = scratch_env(home)
        run_once([ADV, "sheet", "create", "--file", str(EXAMPLE)], env, str(home))
        sides = variants(env, fake.base_url)
        walls: dict[str, list[float]] = {name: [] for name in sides}
        cpus: dict[str, list[float]] = {name: [] for name in sides}
        for side_env in sides.values():  # warm the file cache and .pyc files
            run_once(DO, side_env, str(home))
        for _ in range(args.runs):
            for name, side_env in sides.items():
                wall, cpu = run_once(DO, side_env, str(home))
                walls[name].append(wall * 1000)
                cpus[name].append(cpu * 1000)
        requests = len(fake.requests)
    finally:
        fake.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"Whole process, median of {args.runs} alternating runs ({requests} model requests)")
    base = statistics.median(cpus["adv do, offline"])
    for name in sides:
        cpu, wall = statistics.median(cpus[name]), statistics.median(walls[name])
        print(f"  {cpu:7.1f} ms CPU  {wall:7.1f} ms wall  {cpu / base:5.2f}x  {name}")
    fast = statistics.median(cpus["adv do, model on the fast path"]) / base
    verdict = "met" if fast <= TARGET else "NOT met"
    print(f"fast path adv do / offline adv do = {fast:.2f}x CPU (target <= {TARGET:g}x: {verdict})")


if __name__ == "__main__":
    main()
