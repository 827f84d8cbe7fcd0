"""`adv sheet import --url`: a public D&D Beyond character, fetched from a loopback fake service.

``ADVENTORATOR_DDB_CHARACTER_URL`` points at a stdlib HTTP server on
127.0.0.1 that answers ``/character/v5/character/<id>`` from a table the test
fills, so the whole path (URL parsing, HTTP, size cap, import, write) is real
and nothing leaves the machine.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from adventorator.limits import IMPORT_DOCUMENT_BYTES
from tests.characters.support import Cli, assert_one_line_error
from tests.characters.test_import_ddb import halfling_rogue

PREFIX = "/character/v5/character/"
PIP = "https://www.dndbeyond.com/characters/12345678"


@dataclass
class Answer:
    status: int
    body: bytes
    declare_length: bool = True


@dataclass
class FakeCharacterService:
    """The character service's answers by id, and every path it was asked for."""

    base_url: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    def answer(self, character_id: str, document: Any, status: int = 200) -> None:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.answers[character_id] = Answer(status, body)


def _handler(fake: FakeCharacterService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.paths.append(self.path)
            answer = fake.answers.get(self.path.removeprefix(PREFIX), Answer(404, b"{}"))
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            if answer.declare_length:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Our client hangs up on an oversized answer mid-body: the fake's write fails,
        # which is the point, not an error to print (into the CLI's captured stderr).
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@pytest.fixture
def ddb(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCharacterService]:
    fake = FakeCharacterService()
    server = _Server(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    monkeypatch.setenv("ADVENTORATOR_DDB_CHARACTER_URL", fake.base_url)
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_public_character_imports_by_url(cli: Cli, ddb: FakeCharacterService) -> None:
    ddb.answer("12345678", halfling_rogue())
    result = cli("sheet", "import", "--url", PIP + "/pip-underbough")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == ["Imported Pip Underbough from D&D Beyond.", "Mapped:"]
    assert ddb.paths == [PREFIX + "12345678"]
    (row,) = cli.rows()
    assert (row["name"], row["sheet"]["level"]) == ("Pip Underbough", 11)
    shown = cli.json("sheet", "import", "--url", PIP, "--dry-run")
    assert (shown["format"], shown["written"]) == ("ddb", False)


@pytest.mark.parametrize(
    ("status", "document"),
    [
        (403, {"success": False, "message": "Unauthorized Access Attempt.", "data": None}),
        (404, {"success": False, "message": "Character not found", "data": None}),
        (200, {"success": False, "message": "Unauthorized Access Attempt.", "data": None}),
    ],
    ids=["403", "404", "success-false"],
)
def test_a_private_character_says_how_to_share_it(
    cli: Cli, ddb: FakeCharacterService, status: int, document: dict[str, Any]
) -> None:
    ddb.answer("12345678", document, status=status)
    result = cli("sheet", "import", "--url", PIP)
    assert_one_line_error(
        result,
        "D&D Beyond did not share character 12345678",
        "Character Settings → Privacy: Public",
        "--file",
    )
    assert cli.rows() == []


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/characters/12345678",
        "ftp://www.dndbeyond.com/characters/12345678",
        "https://www.dndbeyond.com/characters/pip",
        "https://www.dndbeyond.com/campaigns/12345678",
        "12345678",
    ],
)
def test_only_dndbeyond_character_urls_are_fetched(
    cli: Cli, ddb: FakeCharacterService, url: str
) -> None:
    result = cli("sheet", "import", "--url", url)
    assert_one_line_error(result, "not a D&D Beyond character URL", "/characters/ID")
    assert ddb.paths == []


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "streamed"])
def test_an_oversized_answer_is_refused(
    cli: Cli, ddb: FakeCharacterService, declare_length: bool
) -> None:
    body = b'{"data": "' + b"x" * IMPORT_DOCUMENT_BYTES + b'"}'
    ddb.answers["12345678"] = Answer(200, body, declare_length=declare_length)
    result = cli("sheet", "import", "--url", PIP)
    assert_one_line_error(result, f"more than {IMPORT_DOCUMENT_BYTES:,} bytes")
    assert cli.rows() == []


def test_a_server_error_and_a_url_with_a_document_are_one_line(
    cli: Cli, ddb: FakeCharacterService
) -> None:
    ddb.answer("12345678", {"error": "busy"}, status=503)
    assert_one_line_error(cli("sheet", "import", "--url", PIP), "HTTP 503")
    both = cli("sheet", "import", "--url", PIP, "--text", json.dumps(halfling_rogue()))
    assert_one_line_error(both, "give either a document or a URL, not both")
    assert len(ddb.paths) == 1
    assert cli.rows() == []
