"""User text is data, never markup: neutralise it before any screen sees it.

Player input, character names, notes and model output are stored as given
(within the limits), and cleaned on the way out, on every output path:

- ``clean`` drops what can drive a terminal or reorder a line: C0 and C1
  control characters (ESC, CSI and OSC sequences lose their introducer, so
  they print as inert text), DEL, and the Unicode bidirectional controls.
  Line breaks and tabs stay.
- ``escape_rich`` additionally escapes rich console markup (``[bold]``,
  ``[link=...]``), for text placed inside a renderable that rich parses.
- ``escape_markdown`` additionally escapes Discord markdown (``*bold*``,
  ``_italic_``, ``~~strike~~``, ``||spoiler||``, headings, quotes, links,
  code, mentions), for user text placed in a message Discord renders.

Names are stricter: ``name_problem`` says why a name may not be stored at all
(a control, format or invisible-only name).

Stdlib only: ``adv roll`` imports this module.
"""

from __future__ import annotations

import re
import unicodedata

# Explicit embeddings, overrides and isolates, and the implicit marks: they
# reorder the rest of a line in bidi-aware terminals and Discord clients.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Every C0 control but tab and line feed, DEL, every C1 control (0x9b is CSI
# and 0x9d is OSC on terminals that honour 8-bit controls), the bidi controls,
# and the line/paragraph separators some terminals treat as controls.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(BIDI_CONTROLS)) + "]"
)


def clean(text: str) -> str:
    """``text`` without terminal controls and bidi controls; newlines and tabs kept."""
    if text.isprintable() or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub("", text.replace("\r\n", "\n"))


def clean_line(text: str) -> str:
    """``clean`` for text that must stay on one line (a name, a header)."""
    return " ".join(clean(text).split("\n"))


def escape_rich(text: str) -> str:
    """``clean`` text, then escaped for rich markup (imports rich: render paths only)."""
    from rich.markup import escape

    return escape(clean(text))


# Discord markdown: these characters restyle text wherever they stand (links
# need ``[``); these others only at the start of a line (quote, heading,
# subtext, list). A backslash before ASCII punctuation shows it as itself.
_MARKDOWN_ANYWHERE = re.compile(r"([\\*_~`|\[\]])")
_MARKDOWN_LINE_START = re.compile(r"^([ \t]*)([>#+-])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """``clean`` text, with every Discord markdown character backslash-escaped.

    ``Sir_Reginald ~the~ *Bold*`` shows as itself instead of restyling the
    line, ``[x](https://...)`` is not a link, and a backslash stays a backslash.
    """
    escaped = _MARKDOWN_ANYWHERE.sub(r"\\\1", clean(text))
    return _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped)


def unsafe_characters(text: str) -> list[str]:
    """The characters of ``text`` no stored name or annotation may hold, as U+XXXX labels.

    Controls (Cc, including tab and line breaks), format characters (Cf: bidi
    controls, zero-width spaces and joiners, the BOM), surrogates,
    private-use and unassigned code points, and line/paragraph separators.
    """
    bad = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            label = f"U+{ord(char):04X}"
            if label not in bad:
                bad.append(label)
    return bad


# Letters and symbols that render as nothing: a name made only of these (with
# spaces and combining marks) would look empty, or like another name.
_INVISIBLE = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
NAME_KEY_CHARS = 100  # the stored key's column width (models.Character.name_key)


def name_key(name: str) -> str:
    """The key two names share when a reader could not tell them apart.

    NFKC folds compatibility forms (fullwidth letters, ligatures) and composes
    accents (``Zoë`` typed either way), casefold ignores case, and runs of
    whitespace count as one space.
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a character (None when it can)."""
    bad = unsafe_characters(name)
    if bad:
        return f"must not contain control, format or invisible characters (found {', '.join(bad)})"
    visible = [
        char for char in name if char not in _INVISIBLE and unicodedata.category(char)[0] in "LNPS"
    ]
    if not visible:
        return "must contain a visible character"
    if len(name_key(name)) > NAME_KEY_CHARS:
        return f"is longer than {NAME_KEY_CHARS} characters once case and width are folded"
    return None
