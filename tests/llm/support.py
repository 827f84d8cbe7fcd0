"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

TRANSPORTS = ("openai", "litellm")
