"""A private PostgreSQL cluster for one test: initdb into a temporary directory.

A test that restarts or stops Postgres must not touch the machine's shared
cluster, which every other test run uses. This one listens on a free loopback
port with trust authentication, keeps its unix socket inside its own
directory, and is stopped and removed at the end, also when the test fails.

initdb and pg_ctl refuse to run as root, so as root they run as the
``postgres`` user (``runuser``), in a directory that user owns.
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fakes.openai_server import free_port

SUPERUSER = "postgres"
START_TIMEOUT_S = 60


def postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl (the newest installed version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable_reason() -> str | None:
    """Why a private cluster cannot be started here, or None."""
    if postgres_bin() is None:
        return "initdb was not found (under /usr/lib/postgresql/*/bin or on PATH)"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root, and runuser is missing (initdb refuses root)"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and there is no postgres user to run initdb as"
    return None


def _version(path: str) -> tuple[int, ...]:
    version = Path(path).parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())


class PrivateCluster:
    """A running cluster; ``admin_url`` connects as its superuser."""

    def __init__(self, root: Path, bin_dir: Path, port: int) -> None:
        self.root = root
        self.data = root / "data"
        self.log = root / "postgres.log"
        self.port = port
        self._bin = bin_dir

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def command(self, program: str, *args: str) -> list[str]:
        """argv for one of the cluster's programs, as the postgres user when we are root."""
        argv = [str(self._bin / program), *args]
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def pg_ctl(self, action: str, *args: str) -> list[str]:
        # -w: return once the server accepts connections (or has stopped).
        return self.command(
            "pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *args
        )

    async def restart(self) -> None:
        """``pg_ctl restart -m fast``, returning once the server accepts connections again."""
        process = await asyncio.create_subprocess_exec(
            *self.pg_ctl("restart", "-m", "fast", "-t", str(START_TIMEOUT_S)),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed: {output.decode(errors='replace')}")

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def _run(argv: list[str], what: str, cluster: PrivateCluster) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed: {done.stdout}{done.stderr}{cluster.server_log()}")


def _initdb(cluster: PrivateCluster) -> None:
    argv = cluster.command(
        "initdb",
        "-D",
        str(cluster.data),
        "-U",
        SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
        "--no-sync",
    )
    _run(argv, "initdb", cluster)
    # In postgresql.conf, so `pg_ctl restart` keeps them (it reuses no -o options).
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.write(
            "\nlisten_addresses = '127.0.0.1'\n"
            f"port = {cluster.port}\n"
            f"unix_socket_directories = '{cluster.root}'\n"
            "fsync = off\n"  # a throw-away cluster: spare the shared disk
            "max_connections = 50\n"
        )


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """Start a throw-away cluster; stop it and delete its directory afterwards."""
    bin_dir = postgres_bin()
    assert bin_dir is not None, unavailable_reason()
    # Not under pytest's tmp_path: the postgres user cannot enter root's 0700 dirs.
    root = Path(tempfile.mkdtemp(prefix="adv-pg-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    cluster = PrivateCluster(root, bin_dir, free_port())
    try:
        _initdb(cluster)
        _run(cluster.pg_ctl("start", "-t", str(START_TIMEOUT_S)), "pg_ctl start", cluster)
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():
            subprocess.run(
                cluster.pg_ctl("stop", "-m", "immediate"),
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(root, ignore_errors=True)
