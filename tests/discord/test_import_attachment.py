"""`/sheet import file:<attachment>`: the webhook reads the attached file from a loopback "CDN".

Discord resolves an ATTACHMENT option to a CDN URL in ``data.resolved``; the
webhook fetches only Discord's CDN, or the origin of ``DISCORD_API_BASE``
when that is not discord.com. The tests set the API base to a stdlib server on
127.0.0.1 that serves the files, so the fetch is real HTTP on loopback.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adventorator.discord_webhook import application_commands
from adventorator.limits import IMPORT_DOCUMENT_BYTES
from tests.characters.test_import_ddb import halfling_rogue
from tests.discord.harness import command, fetch, next_id, option
from tests.discord.helpers import EPHEMERAL, content
from tests.discord.support import StartWebhook, Webhook


@dataclass
class FakeCDN:
    """Files by path, and every path asked for."""

    origin: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"


def _handler(cdn: FakeCDN) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            cdn.paths.append(self.path)
            body = cdn.files.get(self.path)
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def cdn() -> Iterator[FakeCDN]:
    fake = FakeCDN()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
async def hook(start_webhook: StartWebhook, fresh_database_url: str, cdn: FakeCDN) -> Webhook:
    return await start_webhook(fresh_database_url, discord_api_base=f"{cdn.origin}/api/v10")


def attached(url: str, *, size: int = 1000, **options: Any) -> dict[str, Any]:
    """A /sheet import interaction with ``url`` attached as the ``file`` option."""
    attachment = next_id()
    items = [{"name": "file", "type": 11, "value": attachment}]
    items += [option(name, value) for name, value in options.items()]
    payload = command("sheet", items, sub="import")
    payload["data"]["resolved"] = {
        "attachments": {
            attachment: {"id": attachment, "filename": "pip.json", "size": size, "url": url}
        }
    }
    return payload


async def answer(hook: Webhook, payload: dict[str, Any]) -> dict[str, Any]:
    response = await hook.discord.send(payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_sheet_import_registers_a_file_option() -> None:
    (sheet,) = [c for c in application_commands() if c["name"] == "sheet"]
    (leaf,) = [o for o in sheet["options"] if o["name"] == "import"]
    assert {"type": 11, "name": "file", "required": False} in [
        {k: o[k] for k in ("type", "name", "required")} for o in leaf["options"]
    ]


async def test_an_attached_file_imports(hook: Webhook, cdn: FakeCDN) -> None:
    cdn.files["/attachments/1/2/pip.json"] = json.dumps(halfling_rogue()).encode()
    body = await answer(hook, attached(cdn.url("/attachments/1/2/pip.json")))
    assert content(body).startswith("Imported Pip Underbough from D&D Beyond."), body
    assert cdn.paths == ["/attachments/1/2/pip.json"]
    rows = await fetch(hook.database_url, "SELECT name FROM characters")
    assert rows == [("Pip Underbough",)]
    dry = await answer(hook, attached(cdn.url("/attachments/1/2/pip.json"), dry_run=True))
    assert content(dry).startswith("Dry run: Pip Underbough read from D&D Beyond"), dry


@pytest.mark.parametrize(
    ("where", "size", "fragment"),
    [
        ("https://evil.example/attachments/pip.json", 1000, "not on Discord's CDN"),
        ("missing", 1000, "has expired on Discord: attach it again"),
        ("big", IMPORT_DOCUMENT_BYTES + 1, f"the limit is {IMPORT_DOCUMENT_BYTES:,}"),
        ("huge", 1000, f"more than {IMPORT_DOCUMENT_BYTES:,} bytes"),
    ],
    ids=["other-host", "expired", "declared-size", "served-size"],
)
async def test_a_bad_attachment_is_one_ephemeral_line(
    hook: Webhook, cdn: FakeCDN, where: str, size: int, fragment: str
) -> None:
    cdn.files["/huge"] = b"x" * (IMPORT_DOCUMENT_BYTES + 1)
    url = where if where.startswith("https://") else cdn.url(f"/{where}")
    body = await answer(hook, attached(url, size=size))
    assert body["data"]["flags"] & EPHEMERAL, body
    assert fragment in content(body), body
    assert "\n" not in content(body).strip()
    assert await fetch(hook.database_url, "SELECT name FROM characters") == []


async def test_a_file_and_a_json_document_together_are_refused(hook: Webhook, cdn: FakeCDN) -> None:
    cdn.files["/pip.json"] = json.dumps(halfling_rogue()).encode()
    body = await answer(hook, attached(cdn.url("/pip.json"), json=json.dumps(halfling_rogue())))
    assert "give either the json option or a file, not both" in content(body), body
    assert cdn.paths == []
