"""Delivery tests: the container, compose and CI files, and secrets from files.

Tests that need an optional tool (PyYAML, the validation tools) skip with the
reason when it is missing, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VALIDATE_SCRIPT = REPO_ROOT / "scripts" / "validate-containers.sh"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "container_tools: needs the tools scripts/validate-containers.sh installs "
        "(hadolint, docker-compose, check-jsonschema, actionlint, shellcheck)",
    )


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


@pytest.fixture(scope="session")
def validation_tools() -> Path:
    """The validation script, once its tools are installed (it installs nothing here)."""
    if not VALIDATE_SCRIPT.is_file():
        skip_or_fail(f"{VALIDATE_SCRIPT} is missing")
    done = subprocess.run(
        ["bash", str(VALIDATE_SCRIPT), "--check-tools"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        skip_or_fail(
            "the container validation tools are not installed; "
            f"`bash scripts/validate-containers.sh` installs them ({' '.join(done.stderr.split())})"
        )
    return VALIDATE_SCRIPT
