"""scripts/validate-containers.sh passes on the repository and fails on broken copies.

Each broken copy breaks one file in one way; the run must exit 1 and name the
check and the file that found it, and only those.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import REPO_ROOT

pytestmark = pytest.mark.container_tools

FILES = (
    "Dockerfile",
    ".dockerignore",
    "docker-compose.yml",
    ".env.example",
    ".github/workflows/ci.yml",
    "scripts/validate-containers.sh",
    "scripts/container-smoke.sh",
)


def _run(script: Path, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), str(directory)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _failed_checks(stderr: str) -> list[str]:
    """The `  check: file` lines of the closing summary."""
    _, _, summary = stderr.partition("check(s) failed:\n")
    return [line.strip() for line in summary.splitlines() if line.startswith("  ")]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The files the script checks, copied into an empty directory."""
    for name in FILES:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_repository_passes(validation_tools: Path) -> None:
    done = _run(validation_tools, REPO_ROOT)
    assert done.returncode == 0, done.stderr
    assert "all checks passed" in done.stderr


def test_a_clean_copy_passes_and_nothing_is_written_into_it(
    validation_tools: Path, copy: Path
) -> None:
    before = sorted(path.relative_to(copy) for path in copy.rglob("*"))
    done = _run(validation_tools, copy)
    assert done.returncode == 0, done.stderr
    assert sorted(path.relative_to(copy) for path in copy.rglob("*")) == before  # no .env


def _unpinned_base(root: Path) -> None:
    _edit(root / "Dockerfile", "FROM ${PYTHON_IMAGE} AS base", "FROM python AS base")


def _apt_without_no_install_recommends(root: Path) -> None:
    _edit(
        root / "Dockerfile",
        "FROM base AS builder\n",
        "FROM base AS builder\n"
        "RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u12 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n",
    )


def _undefined_volume(root: Path) -> None:
    _edit(
        root / "docker-compose.yml",
        "      - pgdata:/var/lib/postgresql/data\n",
        "      - pgdata:/var/lib/postgresql/data\n      - undeclared_volume:/backups\n",
    )


def _top_level_name(root: Path) -> None:
    path = root / "docker-compose.yml"
    path.write_text("name: adventorator\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def _unknown_service_key(root: Path) -> None:
    _edit(root / "docker-compose.yml", "    restart: unless-stopped\n", "    restrat: always\n")


def _invalid_workflow_key(root: Path) -> None:
    _edit(root / ".github/workflows/ci.yml", "    timeout-minutes: 15\n", "    timeout: 15\n")


def _unquoted_variable_in_a_script(root: Path) -> None:
    _edit(root / "scripts/container-smoke.sh", 'cd "$(dirname "$0")/.."', "cd $(dirname $0)/..")


def _missing_dockerfile(root: Path) -> None:
    (root / "Dockerfile").unlink()


BREAKAGES: list[tuple[Callable[[Path], None], list[str], list[str]]] = [
    # (break the copy, the failed checks in the summary, what the output must name)
    (_unpinned_base, ["hadolint: Dockerfile"], ["DL3006 warning"]),
    (_apt_without_no_install_recommends, ["hadolint: Dockerfile"], ["DL3015 error"]),
    (
        _undefined_volume,
        ["docker-compose config: docker-compose.yml"],
        ['Named volume "undeclared_volume:/backups:rw" is used in service "db"'],
    ),
    (
        _top_level_name,
        ["docker-compose config: docker-compose.yml"],
        ["'name' does not match any of the regexes"],
    ),
    (
        _unknown_service_key,
        [
            "docker-compose config: docker-compose.yml",
            "compose-spec schema: docker-compose.yml",
        ],
        [
            "Unsupported config option for services.db: 'restrat'",
            "('restrat' was unexpected)",
        ],
    ),
    (
        _invalid_workflow_key,
        ["github-workflows schema: .github/workflows", "actionlint: .github/workflows"],
        ["('timeout' was unexpected)", 'unexpected key "timeout" for "job" section'],
    ),
    (_unquoted_variable_in_a_script, ["shellcheck: scripts/"], ["SC2046"]),
    (_missing_dockerfile, ["missing: Dockerfile"], ["missing file: Dockerfile"]),
]


@pytest.mark.parametrize(
    ("breakage", "failed", "named"),
    BREAKAGES,
    ids=[breakage.__name__.lstrip("_") for breakage, _, _ in BREAKAGES],
)
def test_a_broken_copy_fails_and_names_the_finding(
    validation_tools: Path,
    copy: Path,
    breakage: Callable[[Path], None],
    failed: list[str],
    named: list[str],
) -> None:
    breakage(copy)

    done = _run(validation_tools, copy)

    assert done.returncode == 1, done.stderr
    assert _failed_checks(done.stderr) == failed, done.stderr
    for text in named:
        assert text in done.stderr
