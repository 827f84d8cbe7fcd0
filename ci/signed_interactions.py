"""Signed Discord interactions for the container stage (scripts/ci-containers.sh).

    python ci/signed_interactions.py keygen KEY_FILE   # a new Ed25519 key; prints the public key (hex)
    python ci/signed_interactions.py send URL KEY_FILE # PING and /roll 2d6 to URL/interactions

`send` signs each body the way Discord does (Ed25519 over timestamp + body, hex in
X-Signature-Ed25519) and exits non-zero unless an unsigned request is refused (401),
PING answers PONG and /roll answers at once (type 4) with the roll's text.
Runs with the project's venv (PyNaCl and httpx are dependencies of adventorator).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from nacl.signing import SigningKey


def keygen(key_file: Path) -> None:
    key = SigningKey.generate()
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(bytes(key).hex())
    print(key.verify_key.encode().hex())


def _post(client: httpx.Client, key: SigningKey | None, payload: dict[str, Any]) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        stamp = str(int(time.time()))
        headers["X-Signature-Ed25519"] = key.sign(stamp.encode() + body).signature.hex()
        headers["X-Signature-Timestamp"] = stamp
    return client.post("/interactions", content=body, headers=headers)


def _check(what: str, response: httpx.Response, ok: bool) -> None:
    print(f"{what}: HTTP {response.status_code} {response.text[:300]}")
    if not ok:
        raise SystemExit(f"unexpected answer to {what}")


def send(url: str, key_file: Path) -> None:
    key = SigningKey(bytes.fromhex(key_file.read_text(encoding="ascii").strip()))
    where = {
        "application_id": "100000000000000001",
        "channel_id": "100000000000000002",
        "guild_id": "100000000000000003",
        "member": {
            "user": {"id": "100000000000000004", "username": "ci", "global_name": "CI"},
            "nick": None,
            "roles": [],
        },
        "version": 1,
    }
    with httpx.Client(base_url=url, timeout=30) as client:
        ping = {"id": "200000000000000001", "token": "ci-ping", "type": 1, **where}
        unsigned = _post(client, None, ping)
        _check("unsigned PING", unsigned, unsigned.status_code == 401)
        pong = _post(client, key, ping)
        _check("signed PING", pong, pong.status_code == 200 and pong.json() == {"type": 1})
        roll = {
            "id": "200000000000000002",
            "token": "ci-roll",
            "type": 2,
            "data": {
                "id": "1",
                "name": "roll",
                "type": 1,
                "options": [{"name": "expr", "type": 3, "value": "2d6"}],
            },
            **where,
        }
        answer = _post(client, key, roll)
        content = answer.json().get("data", {}).get("content", "") if answer.is_success else ""
        _check("signed /roll 2d6", answer, answer.json().get("type") == 4 and "2d6" in content)


def main(argv: list[str]) -> None:
    if len(argv) == 2 and argv[0] == "keygen":
        keygen(Path(argv[1]))
    elif len(argv) == 3 and argv[0] == "send":
        send(argv[1], Path(argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
