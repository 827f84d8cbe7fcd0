"""Annotations hold no control, bidi or other invisible format character.

``1d20 [\u202eabc]`` would reverse the rest of the line in bidi-aware clients,
so a 12 reads as 21; the lexer refuses it, at the character.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adventorator.rules.dice import DiceSyntaxError, render_markdown, render_text, roll
from adventorator.text import BIDI_CONTROLS, unsafe_characters


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        *((char, "Format or bidi control character") for char in sorted(BIDI_CONTROLS)),
        ("\u200b", "Format or bidi control character"),  # zero-width space
        ("\u200d", "Format or bidi control character"),  # zero-width joiner
        ("\ufeff", "Format or bidi control character"),  # byte order mark
        ("\u00ad", "Format or bidi control character"),  # soft hyphen
        ("\u2028", "Line separator"),
        ("\u2029", "Paragraph separator"),
        ("\ue000", "Private-use character"),
        ("\U000f0001", "Private-use character"),
        ("\u0378", "Unassigned character"),
        ("\x07", "Control character"),
        ("\x9b", "Control character"),  # 8-bit CSI
        ("\t", "Control character"),
    ],
)
def test_unsafe_characters_in_annotations_are_refused(char: str, kind: str) -> None:
    expression = f"1d20 + 5 [ab{char}cd]"
    with pytest.raises(DiceSyntaxError) as raised:
        roll(expression, rng=random.Random(1))
    assert raised.value.position == expression.index(char)
    label = f"U+{ord(char):04X}"
    assert str(raised.value).startswith(f"{kind} {label} in annotation at column")


def test_unsafe_character_before_an_unclosed_annotation_is_named_first() -> None:
    with pytest.raises(DiceSyntaxError, match="U\\+202E"):
        roll("1d20 [a\u202e", rng=random.Random(1))


@pytest.mark.parametrize("text", ["fire", "café", "火", "Zoë's 🔥", "a b", "x\u00a0y"])
def test_printable_annotations_still_work(text: str) -> None:
    result = roll(f"1d20 [{text}]", rng=random.Random(1))
    assert render_text(result).endswith(f"[{text}] = {result.total}")


@given(st.text(max_size=30))
def test_what_an_annotation_renders_is_always_safe(text: str) -> None:
    try:
        result = roll(f"1d20 [{text}]", rng=random.Random(1))
    except DiceSyntaxError:
        return
    assert unsafe_characters(render_text(result)) == []
    assert unsafe_characters(render_markdown(result)) == []
