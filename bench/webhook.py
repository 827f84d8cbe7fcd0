"""Webhook benchmark: signed ``/roll`` interactions against ``adv serve`` on PostgreSQL,
with a bare endpoint that only verifies the Ed25519 signature measured in the same run.

    .venv/bin/python bench/webhook.py [--requests 3000] [--concurrency 30] [--rounds 3]
        [--workers 1] [--admin-url postgresql://root@127.0.0.1:5432/test]

1. Creates a scratch database, runs ``adv db upgrade`` on it, and starts
   ``adv serve`` as a subprocess with a key pair made for the run.
2. Starts the bare endpoint the same way (uvicorn, same workers and options): a
   plain Starlette route on a FastAPI app that checks the signature headers against
   the raw body with the webhook's own verifier and returns ``{"type": 1}``.
3. In each of ``--rounds`` rounds, the two servers take turns (the order rotates):
   a separate process (this script with ``--generate``) sends a warm-up, then N
   signed ``/roll`` interactions with distinct ids at concurrency C through httpx,
   and reports throughput, p50/p99 latency and errors. Every request body is
   signed before the clock starts. The medians of the rounds are compared.

Targets (issue 19): zero errors, throughput at least 0.6x the bare endpoint's, and
a p99 at most 2x its p99. Prints figures only; a missed target is reported, not raised.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
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

TARGET_RATIO = 0.6
TARGET_P99_RATIO = 2.0
APPLICATION_ID = "700000000000000001"


# The bare baseline ---------------------------------------------------------------


def bare_app() -> Any:
    """A FastAPI app whose POST /interactions verifies the signature and returns ``{"type": 1}``."""
    from fastapi import FastAPI
    from fastapi.responses import Response
    from starlette.requests import Request

    from adventorator.discord_webhook import SignatureVerifier, parse_public_key

    verifier = SignatureVerifier(parse_public_key(os.environ["DISCORD_PUBLIC_KEY"]))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    async def interactions(request: Request) -> Response:
        body = await request.body()
        headers = request.headers
        signature = headers.get("x-signature-ed25519")
        if not verifier.verify(signature, headers.get("x-signature-timestamp"), body):
            return Response(b'{"error":"invalid request signature"}', status_code=401)
        return Response(b'{"type":1}', media_type="application/json")

    # A plain Starlette route: the request is passed in, nothing is parsed or validated.
    app.router.add_route("/interactions", interactions, methods=["POST"])

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    return app


def serve_bare(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run(
        "bench.webhook:bare_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=True,
        server_header=False,
    )


# The load generator (runs in its own process) --------------------------------------


def _bodies(seed_hex: str, count: int) -> list[tuple[bytes, dict[str, str]]]:
    """Signed /roll interactions with distinct ids, ready to send."""
    from nacl.signing import SigningKey

    key = SigningKey(bytes.fromhex(seed_hex))
    run = uuid.uuid4().int % 10**6
    bodies = []
    for n in range(count):
        identifier = str(900_000_000_000_000_000 + run * 10**7 + n)
        payload = {
            "id": identifier,
            "application_id": APPLICATION_ID,
            "type": 2,
            "token": f"bench-token-{identifier}",
            "guild_id": "710000000000000001",
            "channel_id": "720000000000000001",
            "member": {"user": {"id": f"73000000000000{n % 1000:04d}", "username": "bench"}},
            "data": {
                "name": "roll",
                "type": 1,
                "options": [{"name": "expr", "type": 3, "value": "2d20kh1+5"}],
            },
            "version": 1,
        }
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "X-Signature-Timestamp": stamp,
            "X-Signature-Ed25519": key.sign(stamp.encode() + body).signature.hex(),
        }
        bodies.append((body, headers))
    return bodies


async def _load(
    url: str, seed_hex: str, requests: int, concurrency: int, warmup: int
) -> dict[str, Any]:
    import httpx

    signed = _bodies(seed_hex, warmup + requests)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    clients = load_clients(concurrency)

    async def send(client: httpx.AsyncClient, index: int, record: bool) -> None:
        body, headers = signed[index]
        started = time.perf_counter()
        problem = None
        try:
            response = await client.post(url, content=body, headers=headers)
            reply = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or reply.get("type") not in (1, 4):
                problem = f"HTTP {response.status_code}: {response.text[:80]}"
            elif reply.get("data", {}).get("flags"):
                problem = f"error reply: {reply['data']['content'][:80]}"
        except httpx.HTTPError as error:
            problem = type(error).__name__
        if record:
            latencies.append(time.perf_counter() - started)
            if problem:
                errors[problem] = errors.get(problem, 0) + 1

    async def worker(number: int, queue: list[int], record: bool) -> None:
        client = clients[number % len(clients)]
        while queue:
            await send(client, queue.pop(), record)

    try:
        warm = list(range(warmup))
        await asyncio.gather(*(worker(n, warm, False) for n in range(concurrency)))
        todo = list(range(warmup, warmup + requests))
        todo.reverse()
        started = time.perf_counter()
        await asyncio.gather(*(worker(n, todo, True) for n in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    latencies.sort()
    return {
        "requests": requests,
        "seconds": elapsed,
        "throughput": requests / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def generate(args: argparse.Namespace) -> None:
    # No collections in the load generator: a pause here would add to the latency of
    # whichever server it happens to be measuring.
    gc.disable()
    result = asyncio.run(_load(args.url, args.seed, args.requests, args.concurrency, args.warmup))
    print(json.dumps(result))


# The driver ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{what} did not become healthy")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def measure(url: str, seed: str, args: argparse.Namespace) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--generate",
            "--url",
            url,
            "--seed",
            seed,
            "--requests",
            str(args.requests),
            "--concurrency",
            str(args.concurrency),
            "--warmup",
            str(args.warmup),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(args: argparse.Namespace) -> None:
    from nacl.signing import SigningKey

    key = SigningKey.generate()
    seed = bytes(key).hex()
    with scratch_database(args.admin_url) as url:
        run_servers(url, key, seed, args)


LABELS = ("bare", "adv")
NAMES = {"bare": "bare endpoint (signature only)", "adv": "adv serve /interactions (/roll)"}


def start_server(label: str, env: dict[str, str], workers: int) -> tuple[int, Any]:
    adv = str(Path(sys.executable).parent / "adv")
    port = free_port()
    if label == "adv":
        command = [adv, "serve", "--port", str(port), "--workers", str(workers)]
        command += ["--log-level", "warning"]
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--serve-bare"]
        command += ["--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, env=env)
    wait_healthy(f"http://127.0.0.1:{port}/healthz", process, label)
    return port, process


def run_servers(url: str, key: Any, seed: str, args: argparse.Namespace) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DISCORD_PUBLIC_KEY": key.verify_key.encode().hex(),
        "DISCORD_APPLICATION_ID": APPLICATION_ID,
        "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10",  # /roll never calls Discord
        "PYTHONPATH": str(ROOT),
    }
    env.pop("ADVENTORATOR_LLM_MODEL", None)
    adv = str(Path(sys.executable).parent / "adv")
    servers: dict[str, tuple[int, Any]] = {}
    try:
        subprocess.run([adv, "db", "upgrade"], env=env, check=True, capture_output=True)
        for label in LABELS:
            servers[label] = start_server(label, env, args.workers)
        rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in LABELS}
        for number in range(args.rounds):
            for label in LABELS[number % 2 :] + LABELS[: number % 2]:  # alternate who goes first
                port, process = servers[label]
                cpu_before = tree_cpu_seconds(process.pid)
                result = measure(f"http://127.0.0.1:{port}/interactions", seed, args)
                cpu_after = tree_cpu_seconds(process.pid)
                if cpu_before is not None and cpu_after is not None:  # warm-up included
                    sent = args.requests + args.warmup
                    result["cpu_ms_per_request"] = 1000 * (cpu_after - cpu_before) / sent
                rounds[label].append(result)
        report({label: medians(results) for label, results in rounds.items()}, args)
    finally:
        for _, process in servers.values():
            stop(process)


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over the rounds; errors are summed."""
    keys = ("throughput", "p50_ms", "p99_ms", "cpu_ms_per_request")
    merged: dict[str, Any] = {
        key: statistics.median(r[key] for r in results) for key in keys if key in results[0]
    }
    merged["errors"] = sum(r["errors"] for r in results)
    merged["error_kinds"] = {k: v for r in results for k, v in r["error_kinds"].items()}
    return merged


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> None:
    print(
        f"{args.requests:,} signed /roll interactions per server per round, concurrency "
        f"{args.concurrency}, {args.rounds} alternating rounds (medians), {args.workers} uvicorn "
        "worker(s), PostgreSQL; load generator in its own process"
    )
    print(
        f"{'endpoint':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'cpu ms/req':>11}"
    )
    for label in LABELS:
        r = results[label]
        cpu = f"{r['cpu_ms_per_request']:.2f}" if "cpu_ms_per_request" in r else "-"
        print(
            f"{NAMES[label]:<34} {r['throughput']:>8.0f} {r['p50_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['errors']:>7} {cpu:>11}"
        )
        if r["error_kinds"]:
            print(f"  errors: {r['error_kinds']}")
    adv, bare = results["adv"], results["bare"]
    ratio = adv["throughput"] / bare["throughput"]
    p99_ratio = adv["p99_ms"] / bare["p99_ms"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(
        f"throughput adv/bare: {ratio:.2f}x (target >= {TARGET_RATIO}: "
        f"{verdict(ratio >= TARGET_RATIO)})"
    )
    print(
        f"p99 adv/bare: {p99_ratio:.2f}x (target <= {TARGET_P99_RATIO:g}: "
        f"{verdict(p99_ratio <= TARGET_P99_RATIO)})"
    )
    print(f"adv errors: {adv['errors']} (target 0: {verdict(adv['errors'] == 0)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers for both servers")
    parser.add_argument("--warmup", type=int, default=300, help="requests sent before timing")
    parser.add_argument("--admin-url", default=DEFAULT_ADMIN_URL, help="Postgres admin URL")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args)
    elif args.serve_bare:
        serve_bare(args.port, args.workers)
    else:
        run(args)


if __name__ == "__main__":
    main()
