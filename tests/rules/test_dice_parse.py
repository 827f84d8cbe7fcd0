"""Parsing: the grammar table, normalised text, errors and their positions."""

from __future__ import annotations

import pytest

from adventorator.errors import InputError
from adventorator.rules.dice import (
    DEFAULT_LIMITS,
    DiceError,
    DiceLimitError,
    DiceSyntaxError,
    DiceValueError,
    Limits,
    double_dice,
    parse,
)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("3", "3"),
        (".5", "0.5"),
        ("3.14", "3.14"),
        ("1d20", "1d20"),
        ("d20", "1d20"),
        ("1D20", "1d20"),
        ("0d6", "0d6"),
        ("4d%", "4d%"),
        ("(1,2,3)", "(1, 2, 3)"),
        ("(1,)", "(1,)"),
        ("()", "()"),
        ("(1)", "(1)"),
        ("1d6[fire]", "1d6 [fire]"),
        ("1d6 [fire] [cold]", "1d6 [fire][cold]"),
        ("4d6kh3", "4d6kh3"),
        ("4d6 kh3", "4d6kh3"),
        ("10d6k1k2k3", "10d6k1k2k3"),
        ("4d6k1p2k3", "4d6k1p2k3"),
        ("1d20rr1ro2ra3e20mi2ma19", "1d20rr1ro2ra3e20mi2ma19"),
        ("3d6e>4k<5", "3d6e>4k<5"),
        ("1+2*3", "1 + 2 * 3"),
        ("1d20>=15", "1d20 >= 15"),
        ("--1", "--1"),
        ("-7//2", "-7 // 2"),
        ("(1d4+1, 3, 2d6kl1)kh1", "(1d4 + 1, 3, 2d6kl1)kh1"),
        ("1 d20\t+\n5", "1d20 + 5"),
    ],
)
def test_normalised_text(source: str, text: str) -> None:
    assert parse(source).text == text


def test_dice_count() -> None:
    assert parse("4d6kh3 + 2d20 + (1d4, 3)").dice_count == 7


@pytest.mark.parametrize(
    ("source", "position", "found", "message"),
    [
        ("", 0, "end of input", "Empty dice expression at column 1"),
        ("1d20 + x", 7, "'x'", "Unexpected 'x' at column 8: expected a number, a die"),
        ("1d", 2, "end of input", "expected the number of sides"),
        ("1d20 +", 6, "end of input", "Unexpected end of input at column 7"),
        ("1d20kh", 6, "end of input", "expected a number after 'kh'"),
        ("(1, 2", 0, "'('", "Unclosed '(' at column 1"),
        ("1)", 1, "')'", "Unmatched ')' at column 2"),
        ("1d20 [a", 5, "'['", "Unclosed annotation at column 6"),
        ("4d6mih1", 5, "'h'", "'mi' takes a plain number, not 'h1'"),
        ("(1, 2)rr1", 6, "'r'", "Operator 'rr' only applies to dice"),
        ("1\n+ ?", 4, "'?'", "at line 2, column 3"),
        ("\u0661d\u0666", 0, "'\u0661'", "Unexpected '\u0661' at column 1"),
        ("1d20\x00", 4, "U+0000", "Unexpected U+0000 at column 5"),
        ("1d20 [\x07]", 6, "U+0007", "Control character U+0007 in annotation"),
        ("5kh1", 1, "'k'", "expected an operator or the end"),
        ("4d6 [a]kh3", 7, "'k'", "Unexpected 'k'"),
        ("1e5", 1, "'e'", "Unexpected 'e'"),
        (".", 0, "'.'", "Unexpected '.'"),
        ("1,2", 1, "','", "',' outside parentheses"),
        ("(,)", 1, "','", "Unexpected ','"),
    ],
)
def test_syntax_errors(source: str, position: int, found: str, message: str) -> None:
    with pytest.raises(DiceSyntaxError) as info:
        parse(source)
    error = info.value
    assert isinstance(error, InputError)
    assert isinstance(error, DiceError)
    assert error.position == position
    assert error.found == found
    assert message in str(error)
    assert error.expression == source
    assert "\n" not in str(error)


def test_line_and_column() -> None:
    with pytest.raises(DiceSyntaxError) as info:
        parse("1d20 +\n\n  ?")
    assert (info.value.line, info.value.column, info.value.position) == (3, 3, 10)


@pytest.mark.parametrize(
    ("source", "error", "position", "message"),
    [
        ("x" * 1001, DiceLimitError, 1000, "1001 characters, at most 1000"),
        ("1001d6", DiceLimitError, 0, "at most 1000 may be rolled"),
        ("600d6 + 401d6", DiceLimitError, 8, "1001 in all"),
        ("1d10001", DiceLimitError, 2, "d10001, at most d10000"),
        ("(" * 51 + "1" + ")" * 51, DiceLimitError, 50, "more than 50 levels"),
        ("+".join(["1"] * 201), DiceLimitError, 400, "at most 200"),
        ("1d0", DiceValueError, 2, "0-sided"),
        ("1" * 400 + ".5", DiceValueError, 0, "too large"),
    ],
)
def test_limit_and_value_errors(
    source: str, error: type[DiceError], position: int, message: str
) -> None:
    with pytest.raises(error) as info:
        parse(source)
    assert info.value.position == position
    assert message in str(info.value)


def test_limits_are_configurable() -> None:
    parse("(" * 49 + "1" + ")" * 49)  # 49 parentheses and the number: 50 levels
    tight = Limits(max_length=10, max_rolls=5, max_depth=3, max_terms=2, max_sides=6)
    for source in ("1" * 11, "6d6", "(((1)))", "1+2+3", "1d8"):
        with pytest.raises(DiceLimitError):
            parse(source, limits=tight)
    assert parse("2d6 + 1", limits=tight).text == "2d6 + 1"
    assert Limits() == DEFAULT_LIMITS
    with pytest.raises(ValueError, match="max_rolls"):
        Limits(max_rolls=0)


def test_zero_dice_of_zero_sides_is_zero() -> None:
    assert parse("0d0").dice_count == 0


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse(b"1d20")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "doubled"),
    [
        ("2d6+3", "4d6+3"),
        ("d8", "2d8"),
        ("1d20 + 1d4 [fire]", "2d20 + 2d4 [fire]"),
        ("4d6kh3", "8d6kh3"),
        ("0d6", "0d6"),
        ("5", "5"),
        ("1D6", "2D6"),
        ("d%", "2d%"),
        ("(1d6, 2)kh1", "(2d6, 2)kh1"),
        ("2d6 + 1d8 - 2", "4d6 + 2d8 - 2"),
    ],
)
def test_double_dice(source: str, doubled: str) -> None:
    assert double_dice(source) == doubled


def test_double_dice_errors() -> None:
    with pytest.raises(DiceLimitError):
        double_dice("600d6")
    with pytest.raises(DiceSyntaxError):
        double_dice("2d6 +")
