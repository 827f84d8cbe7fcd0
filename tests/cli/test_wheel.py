"""A non-editable install: the wheel ships the migrations and `adv db` works from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from adventorator.storage import migrate

REPO_ROOT = Path(__file__).resolve().parents[2]
DEV_BIN = Path(sys.executable).parent
DEV_SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])


def _run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the working tree with pip (build isolation, no deps)."""
    out = tmp_path_factory.mktemp("wheel")
    _run(
        [str(DEV_BIN / "pip"), "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO_ROOT)],
        cwd=out,
    )
    (built,) = out.glob("adventorator-*.whl")
    return built


def test_wheel_contains_the_migrations(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert "adventorator/storage/migrations/env.py" in names
    assert "adventorator/storage/migrations/script.py.mako" in names
    versions = sorted(
        Path(name).name
        for name in names
        if name.startswith("adventorator/storage/migrations/versions/") and name.endswith(".py")
    )
    expected = sorted(
        path.name
        for path in (REPO_ROOT / "adventorator" / "storage" / "migrations" / "versions").glob(
            "*.py"
        )
    )
    assert versions == expected
    assert versions  # at least the initial schema
    assert "adventorator/storage/migrate.py" in names
    for example in ("rogue", "fighter", "bard"):  # `adv sheet example` reads them
        assert f"adventorator/sheet/examples/{example}.json" in names
    for data in ("srd_monsters.json.gz", "LICENSE-5e-database.md", "README.md"):  # monsters
        assert f"adventorator/rules/data/{data}" in names
    assert not any("__pycache__" in name for name in names)
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(
            archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith(".dist-info/entry_points.txt")
        )
    assert "adv = adventorator.cli:main" in entry_points


@pytest.fixture(scope="module")
def installed_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the wheel installed (not editable); dependencies come from the
    dev venv's site-packages through a .pth file, so nothing is downloaded."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv.parent)
    python = venv / "bin" / "python"
    _run(
        [
            str(DEV_BIN / "pip"),
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        cwd=venv.parent,
    )
    site_packages = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=venv.parent,
        ).strip()
    )
    # Only the dev site-packages directory: a .pth in it (the editable install's)
    # is not processed from here, so `adventorator` resolves to the wheel's copy.
    (site_packages / "zz_dev_dependencies.pth").write_text(f"{DEV_SITE_PACKAGES}\n")
    return venv


@pytest.fixture
def venv_env(isolated_env: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    return env


def test_installed_package_is_the_wheel_copy(
    installed_venv: Path, venv_env: dict[str, str], isolated_env: Path
) -> None:
    script = (
        "import json, adventorator, adventorator.storage.migrate as m, sqlalchemy\n"
        "print(json.dumps({'package': adventorator.__file__,"
        " 'migrations': str(m.migrations_dir()), 'sqlalchemy': sqlalchemy.__file__}))\n"
    )
    report = json.loads(
        _run([str(installed_venv / "bin" / "python"), "-c", script], cwd=isolated_env, env=venv_env)
    )
    assert Path(report["package"]).is_relative_to(installed_venv)
    assert Path(report["migrations"]).is_relative_to(installed_venv)
    assert Path(report["migrations"]).parts[-2:] == ("storage", "migrations")
    assert Path(report["sqlalchemy"]).is_relative_to(DEV_SITE_PACKAGES)


def test_installed_adv_db_upgrade_and_check(
    installed_venv: Path,
    venv_env: dict[str, str],
    isolated_env: Path,
    fresh_database_url: str,
) -> None:
    elsewhere = isolated_env / "some" / "other" / "cwd"
    elsewhere.mkdir(parents=True)
    env = {**venv_env, "DATABASE_URL": fresh_database_url}
    adv = str(installed_venv / "bin" / "adv")

    upgraded = json.loads(_run([adv, "db", "upgrade", "--json"], cwd=elsewhere, env=env))
    assert upgraded["from"] == []
    assert upgraded["to"] == list(migrate.head_revisions())
    assert "schema matches the models" in _run([adv, "db", "check"], cwd=elsewhere, env=env)
    current = json.loads(_run([adv, "db", "current", "--json"], cwd=elsewhere, env=env))
    assert current["state"] == "current"
    assert list(elsewhere.iterdir()) == []  # nothing written into the working directory
