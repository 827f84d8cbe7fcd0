"""A real PgBouncer in transaction mode, in front of the test PostgreSQL.

PgBouncer refuses to run as root, so as root it runs as the ``postgres`` user
(``runuser``). Its pool is deliberately small, so many client connections
share few server connections, as in production behind many instances.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.fakes.openai_server import free_port


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.path.exists("/usr/sbin/pgbouncer") else None
    )


@contextmanager
def running_pgbouncer(
    postgres_url: str,
    *,
    server_pool_size: int = 3,
    ignore_startup_parameters: tuple[str, ...] = ("statement_timeout", "lock_timeout"),
) -> Iterator[int]:
    """Start PgBouncer for ``postgres_url``'s server; yields its port.

    By default it lets (and drops) the timeouts a client without
    ADVENTORATOR_DB_PGBOUNCER sends as startup parameters, so such a client
    gets as far as its prepared statements; ``()`` refuses them, as a stock
    PgBouncer does.
    """
    binary = pgbouncer_binary()
    assert binary is not None, "pgbouncer is not installed"
    upstream = make_url(postgres_url)
    port = free_port()
    # Not under pytest's tmp_path: the postgres user cannot enter root's 0700 dirs.
    workdir = Path(tempfile.mkdtemp(prefix="adv-pgbouncer-"))
    users = workdir / "userlist.txt"
    users.write_text(f'"{upstream.username}" ""\n')
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={upstream.host or '127.0.0.1'} port={upstream.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        "unix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {server_pool_size}\n"
        "max_client_conn = 500\n"
        f"logfile = {workdir / 'pgbouncer.log'}\n"
    )
    if ignore_startup_parameters:
        with config.open("a") as ini:
            ini.write(f"ignore_startup_parameters = {','.join(ignore_startup_parameters)}\n")
    argv = [binary, str(config)]
    if os.geteuid() == 0:
        os.chmod(workdir, 0o777)  # pgbouncer writes its log here as postgres
        for path in (users, config):
            os.chmod(path, 0o644)
        argv = ["runuser", "-u", "postgres", "--", *argv]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"pgbouncer exited: {error}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start listening")
