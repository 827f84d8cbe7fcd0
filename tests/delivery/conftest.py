"""Delivery tests: the container, compose and CI files, and secrets from files.

Tests that need an optional tool (PyYAML, the validation tools) skip with the
reason when it is missing, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.delivery.support import VALIDATE_SCRIPT, skip_or_fail


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "container_tools: needs the tools scripts/validate-containers.sh installs "
        "(hadolint, docker-compose, check-jsonschema, actionlint, shellcheck)",
    )


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
