"""Renderers fit one reply's Room: a bounded number of dice faces and characters."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adventorator.limits import REPLY_DICE_SHOWN, REPLY_TEXT_CHARS
from adventorator.rules.dice import (
    DiceError,
    Room,
    natural_flag,
    render_markdown,
    render_rich,
    render_text,
    result_to_json,
    roll,
)

from .strategies import expressions


def _faces(text: str) -> int:
    inside = "".join(re.findall(r"\(([^()]*)\)", text))
    return len(re.findall(r"\d+", inside.replace("more dice", "")))


def test_a_thousand_dice_show_the_first_two_hundred() -> None:
    result = roll("1000d6", rng=random.Random(1))
    room = Room()
    text = render_text(result, room=room)
    assert text.endswith(f"… 800 more dice) = {result.total}")
    assert room.hidden == 800
    assert _faces(text.replace("1000d6", "")) == REPLY_DICE_SHOWN + 1  # + the "800"


def test_one_room_is_shared_by_every_roll_of_a_reply() -> None:
    rng = random.Random(2)
    room = Room()
    lines = [render_text(roll("150d6", rng=rng), room=room) for _ in range(3)]
    assert room.hidden == 3 * 150 - REPLY_DICE_SHOWN
    assert lines[1].endswith(f"… 100 more dice) = {lines[1].rsplit(' ', 1)[-1]}")
    assert lines[2].startswith("150d6 (… 150 more dice) = ")


def test_characters_run_out_but_the_total_is_always_shown() -> None:
    result = roll("1d20 [" + "x" * 900 + "] + 1d4", rng=random.Random(3))
    room = Room(chars=100)
    text = render_text(result, room=room)
    assert room.cut
    assert text.endswith(f"… = {result.total}")
    assert len(text) <= 100 + len(f"… = {result.total}")


def test_a_cut_markdown_line_closes_its_strikethrough() -> None:
    result = roll("(1d20 [" + "y" * 300 + "], 1d20)kl1", rng=random.Random(4))
    for chars in range(1, 330, 7):
        text = render_markdown(result, room=Room(chars=chars))
        assert text.count("~~") % 2 == 0, (chars, text)


def test_rich_is_bounded_too() -> None:
    result = roll("1000d6", rng=random.Random(5))
    assert len(render_rich(result).plain) < 8 * REPLY_DICE_SHOWN


def test_json_lists_dice_within_the_room_and_counts_the_rest() -> None:
    result = roll("1000d6", rng=random.Random(6))
    data = result_to_json(result)
    assert len(data["dice"]) == REPLY_DICE_SHOWN
    assert data["dice_omitted"] == 1000 - REPLY_DICE_SHOWN
    shared = Room()
    first, second = (result_to_json(result, room=shared) for _ in range(2))
    assert (len(first["dice"]), len(second["dice"]), second["dice_omitted"]) == (200, 0, 1000)


def test_small_rolls_are_unchanged() -> None:
    result = roll("4d6kh3 + 2 [fire]", rng=random.Random(7))
    assert render_text(result) == render_text(result, room=Room())
    assert "…" not in render_text(result)
    assert result_to_json(result)["dice_omitted"] == 0


@settings(max_examples=150, deadline=None)
@given(expression=expressions(max_leaves=6, max_count=40), dice=st.integers(0, 30))
def test_renders_never_exceed_the_room(expression: str, dice: int) -> None:
    try:
        result = roll(expression, rng=random.Random(8))
    except DiceError:
        return
    for render in (render_text, render_markdown):
        room = Room(dice=dice, chars=60)
        text = render(result, room=room)
        # The total, and on plain text its natural-20/1 flag, are always shown.
        total = str(result.total) + (natural_flag(result) if render is render_text else "")
        assert len(text) <= 60 + len(total) + 8
        assert room.dice >= 0
    flagged = str(result.total) + natural_flag(result)
    assert len(render_text(result)) <= REPLY_TEXT_CHARS + len(flagged) + 8


def test_the_natural_flag_is_shown_past_the_room_and_takes_from_it() -> None:
    result = roll("1d20rr>1", rng=random.Random(8))  # rerolls until a 1: a long chain
    room = Room(chars=20)
    text = render_text(result, room=room)
    assert text == "1d20rr>1 (~8~ -> … = 1 (natural 1)"
    assert room.cut
    shown = len("1d20rr>1 (~8~ -> ")
    assert room.chars == 20 - shown - len(" = 1") - len(" (natural 1)")
