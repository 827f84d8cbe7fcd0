"""What the importers share: reading a foreign document safely, and the import report.

The D&D Beyond and Foundry formats are undocumented and change, so the
importers never index into them directly: ``obj``, ``items``, ``text`` and
``number`` return a safe empty value for anything of the wrong shape, and the
``ImportReport`` collects what was mapped and what was not. ``import_sheet`` picks
the format, maps the document and validates the result as a sheet, so every
problem is one ``SheetError`` line and nothing half-read is ever returned.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from adventorator.limits import IMPORT_DOCUMENT_BYTES
from adventorator.sheet._io import SheetError, parse_sheet_data
from adventorator.sheet._model import CharacterSheet

__all__ = [
    "FORMATS",
    "MAX_IMPORT_BYTES",
    "ImportReport",
    "ImportedSheet",
    "import_sheet",
    "items",
    "known_feature",
    "number",
    "obj",
    "sneak_attack_dice",
    "text",
]

# A D&D Beyond document with every definition is a few hundred KiB.
MAX_IMPORT_BYTES = IMPORT_DOCUMENT_BYTES
FORMATS = ("auto", "ddb", "foundry")
Format = Literal["ddb", "foundry"]
FORMAT_NAMES: dict[str, str] = {"ddb": "D&D Beyond", "foundry": "Foundry VTT (dnd5e)"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# --- safe access to an unknown structure ---------------------------------------------------


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``value`` if it is a list (anything else in it is skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def text(value: Any, limit: int = 100) -> str | None:
    """``value`` as one clean line of at most ``limit`` characters, or None."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(_CONTROL.sub("", value).split())
    return cleaned[:limit].rstrip() or None


def number(value: Any) -> int | None:
    """A whole number (an integral float counts), or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if abs(value) < 10**9 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value) if abs(value) < 10**9 else None
    return None


# --- features the rules apply --------------------------------------------------------------

_RULE_FEATURES = {
    "jack of all trades": "Jack of All Trades",
    "reliable talent": "Reliable Talent",
    "remarkable athlete": "Remarkable Athlete",
    "improved critical": "Improved Critical (19-20)",
    "superior critical": "Superior Critical (18-20)",
}


def known_feature(name: str, *, species: str | None = None) -> str | None:
    """The sheet entry for a feature the rules apply, or None.

    "Lucky" (and the SRD 5.2 "Luck") is Halfling Lucky only as a halfling's
    trait; the feat of the same name is something else.
    """
    key = " ".join(re.sub(r"[_\-]+", " ", name).lower().split())
    if key in _RULE_FEATURES:
        return _RULE_FEATURES[key]
    if key in ("lucky", "luck", "halfling lucky") and "halfling" in (species or "").lower():
        return "Halfling Lucky"
    return None


MAX_FEATURES = 200  # what a sheet holds


def reported_features(rules: list[str], kept: list[str], report: ImportReport) -> list[str]:
    """The sheet's features, rules first: each list reported, duplicates and overflow dropped."""
    rules = list(dict.fromkeys(rules))
    report.done(f"features the rules apply: {', '.join(rules) or 'none'}")
    if kept:
        report.skip(f"features kept as text only (the rules do not apply them): {', '.join(kept)}")
    features = rules + kept
    if len(features) > MAX_FEATURES:
        report.skip(
            f"{len(features) - MAX_FEATURES} more features left out (a sheet holds {MAX_FEATURES})"
        )
    return features[:MAX_FEATURES]


def sneak_attack_dice(rogue_level: int) -> str:
    """Sneak Attack's dice at a rogue level: 1d6, one more at every odd level."""
    return f"{(rogue_level + 1) // 2}d6"


# --- the report ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import mapped, and what it could not (for the player to fix by hand)."""

    source: str
    mapped: list[str] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)

    def done(self, line: str) -> None:
        self.mapped.append(line)

    def skip(self, line: str) -> None:
        if line not in self.not_mapped:
            self.not_mapped.append(line)

    def lines(self) -> list[str]:
        """The report as text lines."""
        out = ["Mapped:", *(f"  {line}" for line in self.mapped)]
        if self.not_mapped:
            out += ["Not mapped (fix by hand with sheet update):"]
            out += [f"  - {line}" for line in self.not_mapped]
        else:
            out += ["Everything was mapped."]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "mapped": self.mapped, "not_mapped": self.not_mapped}


@dataclass(frozen=True)
class ImportedSheet:
    """A validated sheet read from a foreign document, with its report."""

    format: Format
    sheet: CharacterSheet
    report: ImportReport


# --- reading the document ------------------------------------------------------------------


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def load_document(document: str) -> Any:
    """Parse untrusted JSON text of at most ``MAX_IMPORT_BYTES``; ``SheetError`` if not."""
    size = len(document.encode("utf-8", errors="surrogatepass"))
    if size > MAX_IMPORT_BYTES:
        raise SheetError(f"the document is {size:,} bytes; the limit is {MAX_IMPORT_BYTES:,}")
    if not document.strip():
        raise SheetError("the document is empty")
    try:
        return json.loads(document.removeprefix("\ufeff"), parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(document.rstrip()) or error.msg.startswith("Unterminated")
        cut = " (the document looks truncated)" if truncated else ""
        raise SheetError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}{cut}"
        ) from None
    except RecursionError:
        raise SheetError("invalid JSON: the document is nested too deeply") from None
    except ValueError as error:  # NaN or Infinity, or an integer past Python's digit limit
        raise SheetError(f"invalid JSON: {error}") from None


def detect(document: Any) -> Format:
    """Which format a parsed document is in; ``SheetError`` when it is neither."""
    if isinstance(document, dict):
        if document.get("success") is False:  # the character service's refusal
            why = text(document.get("message")) or "no reason given"
            raise SheetError(f"D&D Beyond did not return the character: {why}")
        data = obj(document.get("data")) if "data" in document else document
        if isinstance(data.get("stats"), list) and ("classes" in data or "race" in data):
            return "ddb"
        if isinstance(obj(document.get("system")).get("abilities"), dict) and "type" in document:
            return "foundry"
    raise SheetError(
        "unrecognised document: neither a D&D Beyond character (data.stats, data.classes) "
        "nor a Foundry VTT dnd5e actor (type, system)"
    )


Mapper = Callable[[Any, ImportReport], dict[str, Any]]


def import_sheet(document: str, fmt: str = "auto") -> ImportedSheet:
    """Read a D&D Beyond or Foundry document into a validated sheet and its report.

    ``fmt`` is "auto", "ddb" or "foundry". Every failure is a ``SheetError``:
    bad JSON, an unrecognised document, or a sheet our schema refuses (the
    same errors as ``sheet create``).
    """
    from adventorator.sheet._import_ddb import ddb_sheet
    from adventorator.sheet._import_foundry import foundry_sheet

    if fmt not in FORMATS:
        raise SheetError(f"unknown format {fmt!r} (valid: {', '.join(FORMATS)})")
    parsed = load_document(document)
    chosen: Format = detect(parsed) if fmt == "auto" else fmt  # type: ignore[assignment]
    mapper: Mapper = ddb_sheet if chosen == "ddb" else foundry_sheet
    report = ImportReport(FORMAT_NAMES[chosen])
    try:
        data = mapper(parsed, report)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError) as error:
        # A shape no one has seen yet: one clear line rather than a traceback.
        raise SheetError(
            f"cannot read this {FORMAT_NAMES[chosen]} document: {type(error).__name__}"
        ) from None
    return ImportedSheet(chosen, parse_sheet_data(data), report)
