"""The roll path stays light: no heavy modules at import time."""

from __future__ import annotations

import subprocess
import sys


def test_import_does_not_load_heavy_modules() -> None:
    code = (
        "import sys, random; import adventorator.rules.dice as d;"
        "d.render_markdown(d.roll('2d20kh1 + 5', rng=random.Random(1)));"
        "heavy = {'pydantic', 'sqlalchemy', 'rich', 'icepool', 'fractions', 'd20', 'lark'};"
        "print(sorted(heavy & {name.split('.')[0] for name in sys.modules}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_stats_and_rich_load_on_demand() -> None:
    code = (
        "import sys, random; import adventorator.rules.dice as d;"
        "d.distribution('4d6kh3'); d.render_rich(d.roll('1d20', rng=random.Random(1)));"
        "print('icepool' in sys.modules, 'rich' in sys.modules)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.split() == ["True", "True"]
