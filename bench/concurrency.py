"""Concurrency benchmark: N concurrent ``/do`` interactions with a slow LLM on PostgreSQL.

    .venv/bin/python bench/concurrency.py [--requests 300] [--llm-delay 1.0]
        [--server process|thread] [--workers 1]
        [--admin-url postgresql://root@127.0.0.1:5432/test] [--py-spy FILE]

The webhook runs on a scratch Postgres database with a fake OpenAI server on
loopback (every reply delayed ``--llm-delay`` seconds, answering the schema it
is asked for) and a fake Discord API recording follow-ups. By default it is a
real ``adv serve`` process, so it does not share this process's interpreter
with the load generator and the fakes, and a sampler scrapes its ``/metrics``
pool gauge every 100 ms for the peak checked-out count (a scrape costs the
server about 1.3 ms of CPU, counted in its figure: every 20 ms was a tenth of
it); ``--server thread`` serves ``create_app`` in a thread here instead and reads
``Database.pool_status()`` every millisecond. With ``--workers 2`` each
worker has its own pool, and a scrape reaches one of them: the peak is the
highest any one worker showed. All N signed ``/do`` interactions are sent at
once, through several httpx clients (one client's pool slows down with many
connections).

Two runs: the default pool (5 + 10) and a pool of one
connection (1 + 0). If a connection were held across the LLM call, the second
run could serve one ``/do`` per 2 x llm-delay seconds; it finishes in about
the same time instead.

Targets (default pool, issue 19): all acknowledged < 1 s, N/N follow-ups
delivered, peak checked-out <= 15, last follow-up < 5 s, and at most 12 ms of
server CPU per ``/do`` (process mode). Prints figures; never raises on a
missed target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    load_clients,
    scratch_database,
    tree_cpu_seconds,
)

TARGET_ACK_S = 1.0
TARGET_CPU_MS = 12.0
TARGET_WALL_S = 5.0
TARGET_PEAK = 15
PROPOSAL = {
    "action": "skill_check",
    "skill": "stealth",
    "dc": 12,
    "reason": "Sneaking past a sleeping guard calls for stealth.",
}
NARRATION = {"narration": "You slip past, quiet as a cat."}


@dataclass
class RunResult:
    label: str
    ack_all_s: float
    acked: int
    delivered: int
    peak_checked_out: int
    peak_open: int
    wall_s: float
    llm_requests: int
    server_cpu_s: float | None  # the server's processes, sends to last follow-up


class MetricsSampler(threading.Thread):
    """Scrapes ``/metrics`` of a server in another process for the pool gauges."""

    def __init__(self, base_url: str, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.url = f"{base_url}/metrics"
        self.interval = interval
        self.stop = threading.Event()
        self.peak_checked_out = 0
        self.peak_open = -1  # the gauges do not say how many are open: not reported

    def run(self) -> None:
        import httpx

        with httpx.Client(timeout=5) as client:
            while not self.stop.wait(self.interval):
                gauges = _gauges(client.get(self.url).text)
                out = int(gauges.get("adventorator_db_pool_checked_out", 0))
                self.peak_checked_out = max(self.peak_checked_out, out)


def _gauges(text: str) -> dict[str, float]:
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "{" not in line:
            name, _, value = line.partition(" ")
            values[name] = float(value)
    return values


class PoolSampler(threading.Thread):
    """Reads the pool every millisecond; keeps the peaks."""

    def __init__(self, database: Any) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.stop = threading.Event()
        self.peak_checked_out = 0
        self.peak_open = 0

    def run(self) -> None:
        while not self.stop.wait(0.001):
            status = self.database.pool_status()
            self.peak_checked_out = max(self.peak_checked_out, status.checked_out)
            self.peak_open = max(self.peak_open, status.checked_out + status.checked_in)


def _fake_llm(delay: float) -> Any:
    """A FakeLLMServer answering proposals and narrations, each after ``delay`` seconds."""
    from tests.fakes.openai_server import ContentReply, DelayReply, FakeLLMServer

    fake = FakeLLMServer()
    fake.route("narrator_proposal", DelayReply(delay, then=ContentReply(json.dumps(PROPOSAL))))
    fake.route("narration", DelayReply(delay, then=ContentReply(json.dumps(NARRATION))))
    return fake


async def one_run(
    label: str, url: str, args: argparse.Namespace, pool: tuple[int, int]
) -> RunResult:
    from nacl.signing import SigningKey

    from adventorator.context import AppContext
    from tests.discord.fake_discord import FakeDiscord
    from tests.discord.harness import APPLICATION_ID, Discord, WebhookServer, command
    from tests.discord.helpers import sheet_json

    key = SigningKey.generate()
    llm = _fake_llm(args.llm_delay)
    discord_api = FakeDiscord()
    llm.start()
    discord_api.start()
    context = AppContext(
        {
            "database_url": url,
            "db_pool_size": pool[0],
            "db_max_overflow": pool[1],
            "discord_public_key": key.verify_key.encode().hex(),
            "discord_application_id": APPLICATION_ID,
            "discord_api_base": discord_api.base_url,
            "llm_model": "openai/fake-model",
            "llm_api_base": llm.base_url,
            "llm_api_key": "bench-key",
        }
    )
    if args.server == "process":
        from tests.scale.serve import AdvServe, serve_env

        settings = {
            "DATABASE_URL": url,
            "ADVENTORATOR_DB_POOL_SIZE": str(pool[0]),
            "ADVENTORATOR_DB_MAX_OVERFLOW": str(pool[1]),
            "DISCORD_PUBLIC_KEY": key.verify_key.encode().hex(),
            "DISCORD_APPLICATION_ID": APPLICATION_ID,
            "DISCORD_API_BASE": discord_api.base_url,
            "ADVENTORATOR_LLM_MODEL": "openai/fake-model",
            "ADVENTORATOR_LLM_API_BASE": llm.base_url,
            "ADVENTORATOR_LLM_API_KEY": "bench-key",
        }
        server: Any = AdvServe(serve_env(settings), workers=args.workers).wait_healthy(60)
    else:
        server = WebhookServer(context).start()
    try:
        discord = Discord(server.base_url, key)
        guild = str(710_000_000_000_000_000 + uuid.uuid4().int % 10**6)
        created = await discord.send(
            command("sheet", {"json": sheet_json()}, sub="create", guild=guild)
        )
        assert created.json()["data"]["content"].startswith("Saved "), created.text
        # Warm-up: the first /do loads the LLM stack; time only the steady state.
        warm = command("do", {"message": "I look around"}, guild=guild)
        assert (await discord.send(warm)).json().get("type") == 5
        await asyncio.to_thread(
            discord_api.wait_for, 1, where=lambda r: warm["token"] in r.path, timeout=60
        )
        payloads = [
            command("do", {"message": f"I sneak past guard {n}"}, guild=guild)
            for n in range(args.requests)
        ]
        signed = [json.dumps(p).encode() for p in payloads]
        headers = [discord.headers(body) for body in signed]
        sampler: Any = (
            MetricsSampler(server.base_url)
            if args.server == "process"
            else PoolSampler(await context.database())
        )
        sampler.start()
        clients = load_clients(args.requests)
        server_pid = server.process.pid if args.server == "process" else None
        cpu_before = tree_cpu_seconds(server_pid) if server_pid else None
        profiler = _start_profiler(args.py_spy, server_pid) if args.py_spy and pool[1] else None
        started = time.monotonic()

        async def send(n: int) -> bool:
            response = await clients[n % len(clients)].post(
                f"{server.base_url}/interactions", content=signed[n], headers=headers[n]
            )
            return response.status_code == 200 and response.json().get("type") == 5

        acks = await asyncio.gather(*(send(n) for n in range(args.requests)))
        ack_all = time.monotonic() - started
        for client in clients:
            await client.aclose()
        tokens = {p["token"] for p in payloads}

        def results_filter(r: Any) -> bool:
            return bool(r.method == "PATCH" and r.path.split("/")[-3] in tokens)

        def results() -> list[Any]:
            return discord_api.matching(results_filter)

        with contextlib.suppress(BaseException):  # pytest.fail's Failed when some never come
            await asyncio.to_thread(
                discord_api.wait_for, args.requests, where=results_filter, timeout=args.wait
            )
        cpu_after = tree_cpu_seconds(server_pid) if server_pid else None
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        sampler.stop.set()
        sampler.join()
        delivered = [
            r
            for r in results()
            if not r.body.get("flags") and "quiet as a cat" in str(r.body.get("content"))
        ]
        last = max((r.received_at for r in delivered), default=time.monotonic())
        return RunResult(
            label=label,
            ack_all_s=ack_all,
            acked=sum(acks),
            delivered=len(delivered),
            peak_checked_out=sampler.peak_checked_out,
            peak_open=sampler.peak_open,
            wall_s=last - started,
            llm_requests=len(llm.requests) - 2,  # less the warm-up's two
            server_cpu_s=(
                cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
            ),
        )
    finally:
        server.stop()
        llm.stop()
        discord_api.stop()


def _start_profiler(out: str, pid: int | None) -> subprocess.Popen[bytes]:
    """py-spy recording the server during the burst: collapsed stacks, on-CPU samples only."""
    if pid is None:
        raise SystemExit("--py-spy needs --server process")
    if shutil.which("py-spy") is None:
        raise SystemExit("--py-spy needs py-spy on the PATH: pip install py-spy")
    command = ["py-spy", "record", "--pid", str(pid), "--rate", "200", "--format", "raw"]
    return subprocess.Popen([*command, "--nonblocking", "--output", out])


def report(results: list[RunResult], args: argparse.Namespace) -> None:
    print(
        f"{args.requests} concurrent signed /do interactions, fake LLM replies delayed "
        f"{args.llm_delay:g} s (2 calls per /do), PostgreSQL, webhook "
        + (
            f"as `adv serve --workers {args.workers}` in its own process"
            if args.server == "process"
            else "in-process"
        )
    )
    print(
        f"{'pool':<16} {'ack all s':>9} {'acked':>7} {'delivered':>10} {'peak out':>9} "
        f"{'peak open':>10} {'last s':>7} {'llm reqs':>9} {'server cpu s':>13} {'ms/do':>6}"
    )
    for r in results:
        cpu = "-" if r.server_cpu_s is None else f"{r.server_cpu_s:.2f}"
        per_do = "-" if r.server_cpu_s is None else f"{1000 * r.server_cpu_s / args.requests:.1f}"
        print(
            f"{r.label:<16} {r.ack_all_s:>9.2f} {r.acked:>7} {r.delivered:>6}/{args.requests:<3} "
            f"{r.peak_checked_out:>9} {r.peak_open if r.peak_open >= 0 else '-':>10} "
            f"{r.wall_s:>7.2f} {r.llm_requests:>9} {cpu:>13} {per_do:>6}"
        )

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    base = results[0]
    checks = [
        (
            "ack all",
            f"{base.ack_all_s:.2f} s",
            f"< {TARGET_ACK_S:g} s",
            base.ack_all_s < TARGET_ACK_S,
        ),
        ("delivered", f"{base.delivered}/{args.requests}", "all", base.delivered == args.requests),
        (
            "peak checked out",
            str(base.peak_checked_out),
            f"<= {TARGET_PEAK}",
            base.peak_checked_out <= TARGET_PEAK,
        ),
        (
            "last follow-up",
            f"{base.wall_s:.2f} s",
            f"< {TARGET_WALL_S:g} s",
            base.wall_s < TARGET_WALL_S,
        ),
    ]
    if base.server_cpu_s is not None:
        per_do = 1000 * base.server_cpu_s / args.requests
        checks.append(
            (
                "server CPU per /do",
                f"{per_do:.1f} ms",
                f"<= {TARGET_CPU_MS:g} ms",
                per_do <= TARGET_CPU_MS,
            )
        )
    for name, value, target, ok in checks:
        print(f"{name}: {value} (target {target}: {verdict(ok)})")
    if len(results) > 1:
        one = results[1]
        print(f"pool 1+0 / pool 5+10 wall time: {one.wall_s / base.wall_s:.2f}x")
    if base.server_cpu_s is not None:
        print(
            f"server CPU: {base.server_cpu_s:.2f} s in {base.wall_s:.2f} s "
            f"({base.server_cpu_s / base.wall_s:.2f} cores busy on average; "
            f"{os.cpu_count()} on this machine, shared with the load generator and Postgres)"
        )


async def run(args: argparse.Namespace, url: str) -> None:
    from tests.support import migrate_database

    await migrate_database(url)
    results = [
        await one_run("default 5+10", url, args, (5, 10)),
        await one_run("1+0", url, args, (1, 0)),
    ]
    report(results, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--llm-delay", type=float, default=1.0, help="seconds per LLM reply")
    parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait for follow-ups")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="Postgres admin URL")
    parser.add_argument(
        "--server",
        choices=("process", "thread"),
        default="process",
        help="run the webhook as `adv serve` (its own process) or in a thread of this one",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="`adv serve --workers` (with --server process)"
    )
    parser.add_argument(
        "--py-spy",
        metavar="FILE",
        help="record the server (default pool) with py-spy during the burst, collapsed stacks",
    )
    args = parser.parse_args()
    with scratch_database(args.admin_url) as url:
        asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
