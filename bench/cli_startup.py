"""Whole-process start-up: `adv roll 2d20kh1` against the d20 one-liner.

Both run as fresh processes, alternating, so machine noise hits both alike;
the script prints the median of each and the ratio (target: adv <= d20).

    .venv/bin/python bench/cli_startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ADV = Path(sys.executable).parent / "adv"
COMMANDS = {
    "adv roll 2d20kh1": [str(ADV), "roll", "2d20kh1"],
    "python -c 'import d20; print(d20.roll(...))'": [
        sys.executable,
        "-c",
        "import d20; print(d20.roll('2d20kh1'))",
    ],
    "adv --help": [str(ADV), "--help"],
    "python -c pass": [sys.executable, "-c", "pass"],
}


def time_once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # warm the file cache once
        time_once(argv)
    for _ in range(args.runs):
        for name, argv in COMMANDS.items():
            samples[name].append(time_once(argv))
    medians = {name: statistics.median(values) * 1000 for name, values in samples.items()}
    print(f"Whole-process time, median of {args.runs} alternating runs")
    for name, median in medians.items():
        print(f"  {median:7.1f} ms  {name}")
    ours, theirs = medians["adv roll 2d20kh1"], list(medians.values())[1]
    verdict = "met" if ours <= theirs else "NOT met"
    print(f"adv roll / d20 one-liner = {ours / theirs:.2f} (target <= 1.00: {verdict})")


if __name__ == "__main__":
    main()
