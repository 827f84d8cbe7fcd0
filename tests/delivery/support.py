"""Helpers shared by these tests (plain code; the fixtures are in conftest.py)."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


VALIDATE_SCRIPT = REPO_ROOT / "scripts" / "validate-containers.sh"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip with the reason; under CI a missing prerequisite is a failure instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file with PyYAML (merge keys resolved), or skip without it."""
    try:
        yaml: ModuleType = importlib.import_module("yaml")
    except ImportError:
        skip_or_fail("PyYAML is not installed: add `pyyaml` to the dev extra")
    return yaml.safe_load(path.read_text(encoding="utf-8"))
