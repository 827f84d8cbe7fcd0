"""Shared helpers for the dice engine tests.

The engine draws every die with ``rng.randrange(sides) + 1``; these
generators script or count exactly that call. They are passed in as ``rng``,
never patched in.
"""

from __future__ import annotations

import pytest

from tests.rules.strategies import CountingRandom


@pytest.fixture
def counting_rng() -> CountingRandom:
    return CountingRandom(1234)
