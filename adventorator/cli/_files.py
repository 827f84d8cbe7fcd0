"""``--file PATH|-`` or a positional ``FILE|-``: the CLI reads a document for the command.

Reading files and standard input is client work: the shared handlers (and so
Discord and the planner) only ever see the text, as the ``json`` option.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from adventorator.errors import InputError

FILE_FLAG = "--file"
SOURCE = "source"  # a positional FILE|-|URL option (sheet import): a file fills ``json``
_URL_PREFIXES = ("https://", "http://")  # left to the handler, which fetches it
BOTH_OR_NEITHER = "give exactly one of --json TEXT or --file PATH ('-' for stdin)"


def file_help(json_help: str) -> str:
    """``--file``'s help, from the help of the option it fills ("The sheet as JSON text.")."""
    what = json_help.removesuffix(".").removesuffix(" as JSON text")
    if what == json_help.removesuffix("."):
        what = "the --json document"
    return f"Read {what[:1].lower()}{what[1:]} from this JSON file ('-' for standard input)."


def document_text(
    json_text: str | None, path: str | None, *, limit: int | None = None
) -> str | None:
    """The text for the ``json`` option: as given, or read from ``path`` (never both).

    ``limit`` is the option's own cap (``OptionMeta.max_bytes``); a sheet's by default.
    """
    if path is None:
        return json_text
    if json_text is not None:
        raise InputError(BOTH_OR_NEITHER)
    if limit is None:
        from adventorator.sheet import MAX_SHEET_BYTES

        limit = MAX_SHEET_BYTES
    return read_document(path, limit=limit)


def fill_source(params: dict[str, Any], *, limit: int | None) -> None:
    """Read a positional ``source`` that names a file (or '-') into the ``json`` option.

    A URL stays in ``source`` for the handler to fetch; a file given twice
    (``FILE`` and ``--file`` or ``--text``) is refused.
    """
    source = params.get(SOURCE)
    if source is None or source.lower().startswith(_URL_PREFIXES):
        return
    if params.get("json") is not None:
        raise InputError("give the document once: FILE, --file PATH or --text JSON")
    params["json"] = document_text(None, source, limit=limit)
    params[SOURCE] = None


def read_document(path: str, *, limit: int) -> str:
    """The UTF-8 text of the file at ``path`` ('-': standard input), at most ``limit`` bytes.

    A regular file's size is checked before reading it; a stream is read only
    one byte past the limit, so an oversized document is never held whole.
    """
    if path == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read(limit + 1) if stream else sys.stdin.read(limit + 1).encode()
        return _decode(data, "standard input", limit)
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > limit:
            raise InputError(f"{path} is {size:,} bytes; the limit is {limit:,}")
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from error
    return _decode(data, path, limit)


def _decode(data: bytes, what: str, limit: int) -> str:
    if len(data) > limit:
        raise InputError(f"{what} is more than {limit:,} bytes; the limit is {limit:,}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"cannot read {what}: not UTF-8 (byte {error.start + 1})") from None
