"""Reading sheets from JSON, with every problem explained, and JSON Merge Patch updates.

Untrusted documents are capped at ``MAX_SHEET_BYTES`` before parsing. Invalid
JSON reports the line and column; schema violations are collected into one
``SheetError`` that lists each problem with its field path.
"""

from __future__ import annotations

import copy
import difflib
import enum
import json
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from adventorator.errors import InputError
from adventorator.rules import srd
from adventorator.rules.srd import RulesError
from adventorator.sheet._fields import describe_value
from adventorator.sheet._model import CharacterSheet
from adventorator.text import BIDI_CONTROLS

__all__ = [
    "MAX_SHEET_BYTES",
    "SheetError",
    "apply_merge_patch",
    "merge_patch",
    "parse_patch_json",
    "parse_sheet_data",
    "parse_sheet_json",
]

MAX_SHEET_BYTES = 65_536
_MAX_INT_DIGITS = 18  # fits the 64-bit integers every backend stores
_MAX_DEPTH = 32  # a sheet is four levels deep; deeper data is a mistake or an attack


class SheetError(InputError):
    """A character sheet (or a patch to one) is not valid.

    ``message`` is one line; ``problems`` lists each problem found, with its
    field path, and ``context_lines()`` shows them one per line.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)

    def context_lines(self) -> list[str]:
        """Each problem on its own line (a single one is already in the message)."""
        return list(self.problems) if len(self.problems) > 1 else []


# --- JSON documents ---------------------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    pass


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


class _NotJsonError(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise _NotJsonError(f"{name} is not a JSON value")


def _bounded_int(digits: str) -> int:
    # Python refuses ints past 4,300 digits with a bare ValueError; no sheet needs 20.
    if len(digits.lstrip("-")) > _MAX_INT_DIGITS:
        raise _NotJsonError(f"the number {digits[:12]}… has more than {_MAX_INT_DIGITS} digits")
    return int(digits)


def _check_size(size: int, what: str) -> None:
    if size > MAX_SHEET_BYTES:
        raise SheetError(f"{what} is {size:,} bytes; the limit is {MAX_SHEET_BYTES:,}")


def _load_json(text: str, what: str) -> Any:
    """``json.loads`` with the size cap, duplicate keys refused and errors made readable."""
    _check_size(len(text.encode("utf-8", errors="surrogatepass")), what)
    text = text.removeprefix("\ufeff")  # editors on Windows like to add a BOM
    try:
        return json.loads(
            text,
            object_pairs_hook=_refuse_duplicate_keys,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
        )
    except json.JSONDecodeError as error:
        raise SheetError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except _DuplicateKeyError as error:
        raise SheetError(
            f"invalid JSON: key {error.args[0]!r} appears twice in one object"
        ) from None
    except _NotJsonError as error:  # Python's json would accept NaN and Infinity
        raise SheetError(f"invalid JSON: {error}") from None
    except RecursionError:
        raise SheetError("invalid JSON: the document is nested too deeply") from None
    except ValueError as error:  # an integer past Python's digit limit, before our hook
        raise SheetError(f"invalid JSON: {error}") from None


def parse_sheet_json(text: str) -> CharacterSheet:
    """Parse and validate a sheet document; ``SheetError`` explains anything wrong."""
    return parse_sheet_data(_load_json(text, "sheet document"))


def parse_sheet_data(data: Any) -> CharacterSheet:
    """Validate already-parsed JSON as a sheet; ``SheetError`` lists every problem."""
    try:
        compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, RecursionError):  # a circular or absurdly deep structure
        raise SheetError("sheet data cannot be written as JSON") from None
    _check_size(len(compact.encode("utf-8", errors="surrogatepass")), "sheet (as compact JSON)")
    problems = unstorable(data)
    if problems:
        raise SheetError(f"invalid character sheet: {problems[0]}", problems)
    try:
        return CharacterSheet.model_validate(data)
    except ValidationError as error:
        problems = [describe_problem(detail) for detail in error.errors()]
        if len(problems) == 1:
            raise SheetError(f"invalid character sheet: {problems[0]}", problems) from None
        # The one-line message counts them; context_lines() shows each one.
        raise SheetError(f"invalid character sheet: {len(problems)} problems", problems) from None


def unstorable(data: Any, path: str = "") -> list[str]:
    """What in ``data`` no backend may be given, as ``"path: problem"`` lines.

    PostgreSQL refuses NUL in text and JSON, and no driver encodes a lone
    surrogate; SQLite would take both, so both backends refuse them here, as
    they refuse integers past 64 bits and control characters (ESC, bidi
    controls) that would drive a reader's terminal.
    """
    if path.count(".") + path.count("[") > _MAX_DEPTH:
        return [f"{path}: nested too deeply"]
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _bad_text(key):
                found.append(f"{path or 'the sheet'}: key {key!r} {_bad_text(key)}")
            found += unstorable(value, inner)
        return found
    if isinstance(data, list | tuple):
        return [
            problem for i, item in enumerate(data) for problem in unstorable(item, f"{path}[{i}]")
        ]
    if isinstance(data, str):
        reason = _bad_text(data)
        return [f"{path or 'the sheet'}: {reason}"] if reason else []
    if isinstance(data, int) and not isinstance(data, bool) and data.bit_length() > 63:
        return [f"{path or 'the sheet'}: the number is too large"]
    return []


def _bad_text(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\x00)"
    bad = [char for char in text if _unstorable_char(char)]
    if bad:
        labels = ", ".join(dict.fromkeys(f"U+{ord(char):04X}" for char in bad))
        return f"contains control or unencodable characters ({labels})"
    return None


def _unstorable_char(char: str) -> bool:
    code = ord(char)
    return (
        (code < 32 and char not in "\n\t")
        or 127 <= code < 160
        or 0xD800 <= code < 0xE000
        or char in BIDI_CONTROLS
    )


def parse_patch_json(text: str) -> dict[str, Any]:
    """Parse a JSON Merge Patch document (same size cap and JSON errors as a sheet)."""
    patch = _load_json(text, "patch document")
    if not isinstance(patch, dict):
        raise SheetError(f"a sheet patch must be a JSON object, got {describe_value(patch)}")
    return patch


# --- validation errors as sentences -------------------------------------------------------------

_SIMPLE_MESSAGES = {
    "string_type": "must be text, got {got}",
    "list_type": "must be a list, got {got}",
    "dict_type": "must be a JSON object, got {got}",
    "model_type": "must be a JSON object, got {got}",
    "model_attributes_type": "must be a JSON object, got {got}",
    "int_type": "must be a whole number, got {got}",
    "string_too_long": "must be at most {max_length} characters, got {length}",
    "too_long": "must have at most {max_length} entries, got {actual_length}",
    "greater_than_equal": "must be at least {ge}, got {got}",
    "less_than_equal": "must be at most {le}, got {got}",
}


def describe_problem(detail: ErrorDetails) -> str:
    """One pydantic error as ``"path: what is wrong"``."""
    loc, kind = tuple(detail["loc"]), detail["type"]
    if kind == "extra_forbidden":
        if loc == ("race",):
            return "race: give race or species, not both (they are the same field)"
        return _at(loc[:-1], f"unknown field {loc[-1]!r}{_suggest(loc[:-1], str(loc[-1]))}")
    if kind == "missing":
        return _at(loc[:-1], f"missing required field {loc[-1]!r}")
    if loc and loc[-1] == "[key]":  # a mapping key: the message names the key itself
        loc = loc[:-2]
    value = detail["input"]
    context = {
        **detail.get("ctx", {}),
        "got": describe_value(value),
        "length": len(value) if isinstance(value, str) else "?",
    }
    if kind == "string_too_short":
        message = "must not be empty"
    elif kind in _SIMPLE_MESSAGES:
        message = _SIMPLE_MESSAGES[kind].format(**context)
    else:  # our own validators already speak plainly; pydantic's need a lower-case start
        message = detail["msg"][:1].lower() + detail["msg"][1:]
    return _at(loc, message)


def _at(loc: tuple[int | str, ...], message: str) -> str:
    if not loc:
        return f"the sheet {message}" if message.startswith("must") else message
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return f"{path}: {message}"


def _suggest(loc: tuple[int | str, ...], name: str) -> str:
    model = _model_at(loc)
    if model is None:
        return ""
    valid = [field.alias or key for key, field in model.model_fields.items()]
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (valid: {', '.join(valid)})"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The sheet model (or nested model) that the error location points into."""
    model: type[BaseModel] | None = CharacterSheet
    for part in loc:
        if isinstance(part, int) or model is None:
            continue  # a list index: the item model was already found with the list
        fields = {field.alias or key: field for key, field in model.model_fields.items()}
        field = fields.get(part)
        model = None if field is None else _model_in(field.annotation)
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The first model class inside a type such as ``list[Annotated[Item, ...]] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is typing.Annotated:
        return _model_in(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (list, types.UnionType, typing.Union):
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None


# --- JSON Merge Patch (RFC 7396) ----------------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: null deletes, objects merge recursively, anything else replaces.

    Neither argument is modified.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return copy.deepcopy(result)


def apply_merge_patch(sheet_json: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Apply a JSON Merge Patch to a sheet's JSON, for ``sheet update``.

    Both sides are first put into canonical keys the way the sheet would read
    them (``"DEX"`` -> ``"dex"``, ``"Sleight of Hand"`` -> ``"sleight_of_hand"``,
    ``"race"`` -> ``"species"``), so a patch may use any spelling the sheet
    accepts and still replace the stored value. The result is not validated:
    pass it to ``parse_sheet_data``.
    """
    if not isinstance(patch, dict):
        raise SheetError(f"a sheet patch must be a JSON object, got {describe_value(patch)}")
    merged = merge_patch(_canonical(sheet_json), _canonical(patch))
    assert isinstance(merged, dict)  # the patch is an object, so the result is one
    return merged


def _canonical(document: dict[str, Any]) -> dict[str, Any]:
    result = dict(document)
    if "race" in result and "species" not in result:
        result["species"] = result.pop("race")
    if "class_name" in result and "class" not in result:
        result["class"] = result.pop("class_name")
    for field, parse in (("abilities", srd.parse_ability), ("skills", srd.parse_skill)):
        mapping = result.get(field)
        if isinstance(mapping, dict):
            renamed = {_canonical_name(key, parse): value for key, value in mapping.items()}
            if len(renamed) == len(mapping):  # two spellings of one name: validation reports it
                result[field] = renamed
    return result


def _canonical_name(key: Any, parse: Callable[[str], enum.StrEnum]) -> Any:
    try:
        return parse(key).value if isinstance(key, str) else key
    except RulesError:
        return key
