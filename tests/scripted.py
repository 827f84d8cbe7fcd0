"""Scripted dice for tests: the engine draws every die as ``rng.randrange(sides) + 1``.

A ScriptedRandom is passed in as ``rng`` (never patched in); running out of
faces, or a face the die cannot show, fails the test loudly.
"""

from __future__ import annotations

import random
from collections.abc import Iterable


class ScriptedRandom(random.Random):
    """Returns the scripted die faces, in order, through ``randrange(sides)``."""

    def __init__(self, faces: Iterable[int]) -> None:
        super().__init__(0)
        self.faces = list(faces)
        self.sides_asked: list[int] = []

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        assert stop is None, "the engine calls randrange(sides) only"
        assert step == 1, "the engine calls randrange(sides) only"
        self.sides_asked.append(start)
        if not self.faces:
            raise AssertionError(f"script exhausted (asked for a d{start})")
        face = self.faces.pop(0)
        assert 1 <= face <= start, f"scripted {face} on a d{start}"
        return face - 1

    @property
    def exhausted(self) -> bool:
        return not self.faces


def script(*faces: int) -> ScriptedRandom:
    """A ScriptedRandom that returns ``faces`` in order."""
    return ScriptedRandom(faces)
