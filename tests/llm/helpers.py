"""Helpers shared by the LLM tests (not fixtures)."""

from __future__ import annotations

from pathlib import Path

from adventorator.sheet import CharacterSheet, parse_sheet_json

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TEST_KEY = "sk-test-key-never-logged"
MODEL = "openai/fake-model"


def example_names() -> list[str]:
    """The stems of examples/*.json."""
    return sorted(path.stem for path in EXAMPLES.glob("*.json"))


def example_sheet(name: str) -> CharacterSheet:
    """One of the examples/*.json sheets, parsed."""
    return parse_sheet_json((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
