"""Every construct of the notation, rolled with scripted dice."""

from __future__ import annotations

import random

import pytest

from adventorator.errors import InputError
from adventorator.rules.dice import (
    Advantage,
    CritType,
    DiceError,
    DiceLimitError,
    DiceValueError,
    DieRecord,
    RollResult,
    applies_advantage,
    parse,
    render_markdown,
    render_rich,
    render_text,
    result_to_json,
    roll,
)
from tests.scripted import ScriptedRandom


def rolled(expression: str, *faces: int, advantage: Advantage = Advantage.NONE) -> RollResult:
    rng = ScriptedRandom(faces)
    result = roll(expression, rng=rng, advantage=advantage)
    assert rng.exhausted, f"unused scripted faces {rng.faces}"
    return result


def md(expression: str, *faces: int) -> str:
    return render_markdown(rolled(expression, *faces))


# -- the spec's rendering examples ----------------------------------------
def test_spec_example_crit() -> None:
    result = rolled("1d20 + 5", 20)
    assert render_markdown(result) == "1d20 (**20**) + 5 = `25`"
    assert render_text(result) == "1d20 (20) + 5 = 25 (natural 20)"
    assert result.total == 25
    assert result.crit is CritType.CRIT


def test_spec_example_advantage() -> None:
    result = rolled("2d20kh1 + 5", 19, 3)
    assert render_markdown(result) == "2d20kh1 (19, ~~3~~) + 5 = `24`"
    assert result.dice == (DieRecord(20, 19, True), DieRecord(20, 3, False))


def test_spec_rendering_rules() -> None:
    assert md("4d6kh3", 1, 3, 4, 6) == "4d6kh3 (~~**1**~~, 3, 4, **6**) = `13`"
    assert md("1d6ro1", 1, 4) == "1d6ro1 (**~~1~~** -> 4) = `4`"
    assert render_text(rolled("1d6ro5", 5, 4)) == "1d6ro5 (~5~ -> 4) = 4"
    assert md("2d6e6", 6, 2, 3) == "2d6e6 (**6!**, 2, 3) = `11`"
    assert md("3d6 [fire] + 1d4 [piercing]", 1, 2, 3, 4) == (
        "3d6 (**1**, 2, 3) [fire] + 1d4 (**4**) [piercing] = `10`"
    )


# -- numbers --------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "total", "text"),
    [
        ("3", 3, "3 = 3"),
        (".5", 0, "0.5 = 0"),
        ("3.14", 3, "3.14 = 3"),
        ("3.", 3, "3.0 = 3"),
        ("-3.5", -3, "-3.5 = -3"),
        ("1.5 + 1.5", 3, "1.5 + 1.5 = 3"),
        ("007", 7, "7 = 7"),
    ],
)
def test_numbers(expression: str, total: int, text: str) -> None:
    result = rolled(expression)
    assert result.total == total
    assert render_text(result) == text
    assert result.dice == ()


# -- dice -----------------------------------------------------------------
def test_dice_terms() -> None:
    assert rolled("3d6", 1, 2, 6).total == 9
    assert md("d20", 7) == "1d20 (7) = `7`"
    assert md("1D20", 7) == "1d20 (7) = `7`"
    assert md("0d6") == "0d6 () = `0`"
    assert md("0d0") == "0d0 () = `0`"


def test_percentile_die_is_1_to_100() -> None:
    rng = ScriptedRandom([100])
    result = roll("d%", rng=rng)
    assert rng.sides_asked == [100]
    assert render_markdown(result) == "1d% (**100**) = `100`"
    assert md("2d%", 1, 42) == "2d% (**1**, 42) = `43`"


def test_every_die_is_one_randrange_call() -> None:
    rng = ScriptedRandom([4, 2, 20, 6])
    roll("2d4 + 1d20 - d6", rng=rng)
    assert rng.sides_asked == [4, 4, 20, 6]


# -- sets and parentheses -------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "total", "markdown"),
    [
        ("(1, 2, 3)", 6, "(1, 2, 3) = `6`"),
        ("(5,)", 5, "(5,) = `5`"),
        ("()", 0, "() = `0`"),
        ("(5)", 5, "(5) = `5`"),
        ("(1, 2, 3)kh1kl1", 4, "(1, ~~2~~, 3)kh1kl1 = `4`"),
        ("(1, 2, 3, 4, 5)kh1kl1", 6, "(1, ~~2~~, ~~3~~, ~~4~~, 5)kh1kl1 = `6`"),
        ("(1, 2, 3, 4, 5)ph1pl1", 9, "(~~1~~, 2, 3, 4, ~~5~~)ph1pl1 = `9`"),
        ("(1, 2, 3)k>1", 5, "(~~1~~, 2, 3)k>1 = `5`"),
        ("(1, 2, 3)p<3", 3, "(~~1~~, ~~2~~, 3)p<3 = `3`"),
        ("(3, 3)kh1", 3, "(3, ~~3~~)kh1 = `3`"),
        ("((1, 2, 3))kh1", 3, "((~~1~~, ~~2~~, 3))kh1 = `3`"),
        ("(1 + 2)p3", 0, "(~~1 + 2~~)p3 = `0`"),
        ("((5 [x]) [y])p5", 0, "((~~5 [x]~~) [y])p5 = `0`"),
        ("((1, 2)kh1, 5)kl1", 2, "((~~1~~, 2)kh1, ~~5~~)kl1 = `2`"),
        ("(1, 2, 3)kh2kl1p2", 4, "(1, ~~2~~, 3)kh2kl1p2 = `4`"),
    ],
)
def test_sets(expression: str, total: int, markdown: str) -> None:
    result = rolled(expression)
    assert result.total == total
    assert render_markdown(result) == markdown


def test_keep_on_a_set_of_rolls() -> None:
    result = rolled("(1d4 + 1, 3, 2d6kl1)kh1", 2, 6, 5)
    assert result.total == 5
    assert render_markdown(result) == "(~~1d4 (2) + 1~~, ~~3~~, 2d6kl1 (~~**6**~~, 5))kh1 = `5`"
    kept = [die.value for die in result.dice if die.kept]
    assert kept == [5]
    assert [die.kept for die in result.dice] == [False, False, True]


def test_dropped_set_member_drops_its_dice() -> None:
    result = rolled("(1d6, 1d6)kh1", 2, 5)
    assert result.total == 5
    assert render_markdown(result) == "(~~1d6 (2)~~, 1d6 (5))kh1 = `5`"
    assert [die.kept for die in result.dice] == [False, True]


def test_keep_on_parenthesised_dice_reaches_the_dice() -> None:
    result = rolled("(4d6)kh3", 6, 4, 6, 4)
    assert result.total == 16
    assert render_markdown(result) == "(4d6 (**6**, 4, **6**, ~~4~~))kh3 = `16`"
    result = rolled("(4d6kh3)kl1", 2, 5, 4, 6)
    assert result.total == 4
    assert [die.kept for die in result.dice] == [False, False, True, False]


# -- annotations ----------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "markdown"),
    [
        ("1d6 [a][b]", "1d6 (3) [a][b] = `3`"),
        ("1d6 [a] [b]", "1d6 (3) [a][b] = `3`"),
        ("1d6[fire]", "1d6 (3) [fire] = `3`"),
        ("(1d6, 2) [set]", "(1d6 (3), 2) [set] = `5`"),
        ("4d6kh3 [str]", "4d6kh3 (3, 3, 3, ~~3~~) [str] = `9`"),
        ("2 [flat] + 1d6", "2 [flat] + 1d6 (3) = `5`"),
        ("1d6 [a ] b]", None),
    ],
)
def test_annotations(expression: str, markdown: str | None) -> None:
    if markdown is None:
        with pytest.raises(DiceError):
            roll(expression, rng=ScriptedRandom([3]))
        return
    faces = [3] * (4 if "4d6" in expression else 1)
    assert md(expression, *faces) == markdown


# -- keep / drop on dice ----------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "faces", "kept", "total"),
    [
        ("4d6kh3", (1, 3, 4, 5), (False, True, True, True), 12),
        ("4d6kl1", (4, 3, 1, 5), (False, False, True, False), 1),
        ("4d6ph1", (4, 3, 1, 5), (True, True, True, False), 8),
        ("4d6pl1", (4, 3, 1, 5), (True, True, False, True), 12),
        ("4d6k>3", (4, 3, 1, 5), (True, False, False, True), 9),
        ("4d6k<4", (4, 3, 1, 5), (False, True, True, False), 4),
        ("4d6k4", (4, 3, 4, 5), (True, False, True, False), 8),
        ("4d6p4", (4, 3, 4, 5), (False, True, False, True), 8),
        ("2d20kh1", (7, 7), (True, False), 7),
        ("2d20kl1", (7, 7), (True, False), 7),
        ("4d6kh0", (4, 3, 4, 5), (False, False, False, False), 0),
        ("4d6kh9", (4, 3, 4, 5), (True, True, True, True), 16),
        ("10d6k1k2k3", (2, 3, 5, 4, 6, 5, 1, 5, 1, 4), (1, 1, 0, 0, 0, 0, 1, 0, 1, 0), 7),
        ("6d6kh1kl1", (3, 6, 1, 4, 6, 1), (0, 1, 1, 0, 0, 0), 7),
        ("6d6ph2pl2", (3, 6, 1, 4, 6, 1), (1, 0, 0, 1, 0, 0), 7),
        ("4d6kh3kl2", (1, 3, 4, 5), (True, True, True, True), 13),  # one union
        ("4d6kh3pl1", (1, 3, 4, 5), (False, False, True, True), 9),  # in sequence
        ("4d6 kh3", (1, 3, 4, 5), (False, True, True, True), 12),
    ],
)
def test_keep_and_drop(
    expression: str, faces: tuple[int, ...], kept: tuple[int, ...], total: int
) -> None:
    result = rolled(expression, *faces)
    assert result.total == total
    assert tuple(die.kept for die in result.dice) == tuple(bool(k) for k in kept)


# -- rerolls, explosions, floors ----------------------------------------------
def test_reroll_until_no_match() -> None:
    result = rolled("1d6rr1", 1, 1, 4)
    assert result.total == 4
    assert result.dice == (
        DieRecord(6, 1, False, rerolled=True),
        DieRecord(6, 1, False, rerolled=True),
        DieRecord(6, 4, True),
    )
    assert render_markdown(result) == "1d6rr1 (**~~1~~** -> **~~1~~** -> 4) = `4`"
    assert render_text(result) == "1d6rr1 (~1~ -> ~1~ -> 4) = 4"


def test_reroll_once_keeps_the_second_roll() -> None:
    result = rolled("2d6ro1", 1, 5, 1)
    assert result.total == 6
    assert result.dice == (
        DieRecord(6, 1, False, rerolled=True),
        DieRecord(6, 5, True),
        DieRecord(6, 1, True),
    )
    assert render_markdown(result) == "2d6ro1 (**~~1~~** -> **1**, 5) = `6`"


def test_reroll_in_slot_order() -> None:
    rng = ScriptedRandom([1, 2, 1, 5, 6])
    result = roll("3d6rr1", rng=rng)
    assert result.total == 13
    assert render_text(result) == "3d6rr1 (~1~ -> 5, 2, ~1~ -> 6) = 13"


def test_reroll_and_add_at_most_one() -> None:
    result = rolled("2d6ra6", 6, 6, 3)
    assert result.total == 15
    assert result.dice == (
        DieRecord(6, 6, True, exploded=True),
        DieRecord(6, 6, True),
        DieRecord(6, 3, True),
    )
    assert render_markdown(result) == "2d6ra6 (**6!**, **6**, 3) = `15`"
    assert rolled("2d6ra1ra2", 2, 1, 4).dice[1].exploded  # first selector that matches wins
    assert rolled("2d6ra6", 2, 3).total == 5


def test_explode_chains() -> None:
    result = rolled("2d6e6", 6, 2, 6, 1)
    assert result.total == 15
    assert render_markdown(result) == "2d6e6 (**6!**, 2, **6!**, **1**) = `15`"
    assert [die.exploded for die in result.dice] == [True, False, True, False]
    assert rolled("3d6e>4", 6, 5, 4, 2, 3).total == 20
    assert rolled("10d10e10", *([10] + [5] * 9 + [3])).total == 58


def test_explode_highest_stops_on_a_tie() -> None:
    assert rolled("1d6eh1", 4, 4).total == 8  # the new 4 ties the old one: no more
    assert rolled("1d6eh1", 4, 5, 2).total == 11


def test_min_and_max() -> None:
    assert md("2d20mi10", 3, 15) == "2d20mi10 (3 -> 10, 15) = `25`"
    assert md("2d20ma10", 3, 15) == "2d20ma10 (3, 15 -> 10) = `13`"
    assert md("1d20mi10mi12", 4) == "1d20mi10mi12 (4 -> 10 -> 12) = `12`"
    result = rolled("2d20mi10", 3, 15)
    assert result.dice == (DieRecord(20, 10, True), DieRecord(20, 15, True))
    assert rolled("4d6kh1mi3", 1, 2, 6, 1).total == 6  # dropped dice are not raised


def test_operators_combine_in_order() -> None:
    assert rolled("4d6ro1kh3", 1, 3, 4, 5, 6).total == 15
    assert rolled("4d6kh3ro1", 1, 1, 4, 5, 2).total == 11
    assert md("1d6rr1ro2", 1, 2, 1) == "1d6rr1ro2 (**~~1~~** -> ~~2~~ -> **1**) = `1`"


# -- arithmetic, comparison, unary --------------------------------------------
@pytest.mark.parametrize(
    ("expression", "total"),
    [
        ("7 / 2", 3),
        ("-7/2", -3),
        ("-7//2", -4),
        ("7 % 3", 1),
        ("-7 % 3", 2),
        ("2 * 3 + 4", 10),
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("10 - 2 - 3", 5),
        ("2 * 3 / 4", 1),
        ("1 / 3 * 3", 1),
        ("1 == 1.0", 1),
        ("1 != 2", 1),
        ("3 < 2", 0),
        ("3 <= 3", 1),
        ("2 >= 3", 0),
        ("1 < 2 < 3", 1),
        ("3 > 2 > 1", 0),
        ("1 + 2 > 2", 1),
        ("--1", 1),
        ("+-1", -1),
        ("-(2 + 3)", -5),
        ("2 * -3", -6),
        ("1 -- 1", 2),
    ],
)
def test_arithmetic(expression: str, total: int) -> None:
    assert rolled(expression).total == total


def test_comparison_with_dice() -> None:
    assert md("1d20 >= 15", 15) == "1d20 (15) >= 15 = `1`"
    assert rolled("1d20 >= 15", 14).total == 0
    assert md("-1d6", 4) == "-1d6 (4) = `-4`"


def test_division_by_zero_has_a_position() -> None:
    with pytest.raises(DiceValueError) as info:
        roll("1d6 / (1d1 - 1)", rng=ScriptedRandom([3, 1]))
    assert info.value.position == 4
    assert isinstance(info.value, InputError)


# -- crits ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "faces", "crit"),
    [
        ("1d20", (20,), CritType.CRIT),
        ("1d20", (1,), CritType.FUMBLE),
        ("1d20", (10,), CritType.NONE),
        ("d20 + 5", (20,), CritType.CRIT),
        ("2d20kh1", (20, 5), CritType.CRIT),
        ("2d20kl1", (20, 1), CritType.FUMBLE),
        ("(1d20)", (20,), CritType.CRIT),
        ("(1d20, 5)", (20,), CritType.CRIT),
        ("-1d20", (20,), CritType.CRIT),
        ("1d20 + 1d20", (5, 20), CritType.NONE),
        ("5 + 1d20", (20,), CritType.NONE),
        ("2d20", (20, 5), CritType.NONE),
        ("1d20e20", (20, 3), CritType.NONE),
        ("d%", (20,), CritType.NONE),
        ("1d12", (12,), CritType.NONE),
        ("1d20mi20", (3,), CritType.CRIT),
        ("(1d20, 25)kh1", (20,), CritType.NONE),
        ("1d20ro1", (1, 20), CritType.CRIT),
    ],
)
def test_crit_detection(expression: str, faces: tuple[int, ...], crit: CritType) -> None:
    assert rolled(expression, *faces).crit is crit


# -- advantage ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "advantage", "faces", "rewritten", "total"),
    [
        ("1d20 + 5", Advantage.ADVANTAGE, (5, 17), "2d20kh1 + 5", 22),
        ("1d20 + 5", Advantage.DISADVANTAGE, (5, 17), "2d20kl1 + 5", 10),
        ("d20", Advantage.ADVANTAGE, (5, 17), "2d20kh1", 17),
        # Rerolls before the keep, as Halfling Lucky with advantage (each 1 rerolled once).
        ("1d20ro1", Advantage.ADVANTAGE, (1, 17, 5), "2d20ro1kh1", 17),
        ("1d20ro1", Advantage.ADVANTAGE, (1, 1, 3, 9), "2d20ro1kh1", 9),
        ("1d20ro1", Advantage.DISADVANTAGE, (1, 17, 5), "2d20ro1kl1", 5),
        ("1d20ro1kh1", Advantage.ADVANTAGE, (4, 12), "2d20ro1kh1kh1", 12),
        ("1d20kh1", Advantage.ADVANTAGE, (4, 9), "2d20kh1kh1", 9),
        ("1d20k3", Advantage.ADVANTAGE, (3, 20), "2d20kh1k3", 0),
        ("(1d20)", Advantage.ADVANTAGE, (4, 9), "(2d20kh1)", 9),
        ("-1d20", Advantage.ADVANTAGE, (4, 9), "-2d20kh1", -9),
        ("1d20 [atk] + 5", Advantage.ADVANTAGE, (4, 9), "2d20kh1 [atk] + 5", 14),
        ("(1d20, 3)kh1", Advantage.DISADVANTAGE, (4, 9), "(2d20kl1, 3)kh1", 4),
        ("2d20 + 1", Advantage.ADVANTAGE, (4, 9), "2d20 + 1", 14),
        ("5 + 1d20", Advantage.ADVANTAGE, (4,), "5 + 1d20", 9),
        ("1d%", Advantage.ADVANTAGE, (4,), "1d%", 4),
        ("1d12", Advantage.ADVANTAGE, (4,), "1d12", 4),
        ("3", Advantage.ADVANTAGE, (), "3", 3),
    ],
)
def test_advantage_rewrite(
    expression: str, advantage: Advantage, faces: tuple[int, ...], rewritten: str, total: int
) -> None:
    result = rolled(expression, *faces, advantage=advantage)
    assert result.expression == rewritten
    assert result.total == total


def test_advantage_crit() -> None:
    result = rolled("1d20 + 5", 20, 3, advantage=Advantage.ADVANTAGE)
    assert result.crit is CritType.CRIT
    assert render_markdown(result) == "2d20kh1 (**20**, ~~3~~) + 5 = `25`"


def test_advantage_respects_the_dice_limit() -> None:
    roll("1000d6", rng=random.Random(1))
    with pytest.raises(DiceLimitError):
        roll("1d20 + 999d6", rng=random.Random(1), advantage=Advantage.ADVANTAGE)


# -- results ----------------------------------------------------------------------
def test_result_to_json() -> None:
    data = result_to_json(rolled("2d20kh1 + 5", 19, 3))
    assert data == {
        "expression": "2d20kh1 + 5",
        "total": 24,
        "text": "2d20kh1 (19, ~3~) + 5 = 24",
        "markdown": "2d20kh1 (19, ~~3~~) + 5 = `24`",
        "crit": "none",
        "dice": [
            {"sides": 20, "value": 19, "kept": True, "rerolled": False, "exploded": False},
            {"sides": 20, "value": 3, "kept": False, "rerolled": False, "exploded": False},
        ],
        "dice_omitted": 0,
    }
    assert result_to_json(rolled("1d20", 1))["crit"] == "fumble"


def test_render_rich() -> None:
    text = render_rich(rolled("2d20kh1 + 5", 20, 1))
    assert text.plain == "2d20kh1 (20, 1) + 5 = 25 (natural 20)"
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles["20"] == "bold green"
    assert "strike" in styles["1"]
    assert styles["25"] == "bold"


def test_result_dunder_methods() -> None:
    result = rolled("1d20 + 5", 3)
    assert int(result) == 8
    assert str(result) == "1d20 (3) + 5 = 8"
    assert repr(result) == "<RollResult '1d20 + 5' total=8>"


def test_same_seed_same_result() -> None:
    first = roll("4d6kh3 + 10d10e10 + 1d20rr1", rng=random.Random(42))
    second = roll("4d6kh3 + 10d10e10 + 1d20rr1", rng=random.Random(42))
    assert first.total == second.total
    assert first.dice == second.dice
    assert render_markdown(first) == render_markdown(second)


def test_roll_accepts_a_parsed_expression() -> None:
    expression = parse("1d20 + 5")
    assert parse("1d20 + 5") is expression  # cached
    assert roll(expression, rng=ScriptedRandom([7])).total == 12
    assert str(expression) == "1d20 + 5"


def test_roll_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        roll(5, rng=random.Random())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expression", "applies"),
    [("1d20+5", True), ("d20ro1", True), ("(1d20)", True), ("2d6", False), ("5 + 1d20", False)],
)
def test_applies_advantage_says_whether_the_rewrite_changes_anything(
    expression: str, applies: bool
) -> None:
    assert applies_advantage(parse(expression)) is applies
