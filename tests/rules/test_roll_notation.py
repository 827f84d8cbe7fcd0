"""One roll notation for every plain-text rendering: roll, check, save, attack.

Dropped dice ``~1~``, rerolled ``~1~ -> 16``, a natural 20 or 1 on the leading
d20 flagged after the total, bonus dice with their faces.
"""

from __future__ import annotations

from adventorator.rules import BonusDice, CheckInput, CheckKind, Dnd5eRuleset, Skill
from adventorator.rules.dice import (
    Room,
    render_markdown,
    render_rich,
    render_signed_terms,
    render_terms,
    render_text,
    roll,
)
from adventorator.rules.srd import Ability
from tests.scripted import ScriptedRandom, script

RULES = Dnd5eRuleset()


def text(expression: str, *faces: int) -> str:
    return render_text(roll(expression, rng=ScriptedRandom(faces)))


def test_dropped_dice_are_struck_in_plain_text() -> None:
    assert text("4d6kh3", 2, 5, 1, 3) == "4d6kh3 (2, 5, ~1~, 3) = 10"
    assert text("2d20kl1", 12, 8) == "2d20kl1 (~12~, 8) = 8"
    # A dropped member is struck once, as a whole, as in Markdown.
    assert text("(1d6, 1d8)kh1", 3, 6) == "(~1d6 (3)~, 1d8 (6))kh1 = 6"


def test_a_rerolled_die_reads_the_same_in_roll_and_check() -> None:
    assert text("1d20ro1", 1, 16) == "1d20ro1 (~1~ -> 16) = 16"
    check = CheckInput(kind=CheckKind.SAVE, ability=Ability.WIS, score=10, halfling_lucky=True)
    result = RULES.perform_check(check, rng=script(1, 16))
    assert "1d20ro1 (~1~ -> 16) + 0 [WIS modifier] = 16" in result.text()
    # Halfling Lucky with advantage: the 1 rerolled first, then the keep.
    lucky = CheckInput(
        kind=CheckKind.SAVE, ability=Ability.WIS, score=10, halfling_lucky=True, advantage=1
    )
    result = RULES.perform_check(lucky, rng=script(1, 5, 12))
    assert result.text().startswith("Wisdom saving throw: 2d20ro1kh1 (~1~ -> 12, ~5~) + 0")


def test_natural_20_and_1_are_flagged_in_plain_and_rich_text() -> None:
    assert text("1d20 + 5", 20) == "1d20 (20) + 5 = 25 (natural 20)"
    assert text("2d20kh1", 1, 1) == "2d20kh1 (1, ~1~) = 1 (natural 1)"
    assert text("1d20 + 5", 19) == "1d20 (19) + 5 = 24"
    assert text("1d6 + 1d20", 6, 20) == "1d6 (6) + 1d20 (20) = 26"  # not the leading die
    rich = render_rich(roll("1d20", rng=ScriptedRandom([1])))
    assert rich.plain == "1d20 (1) = 1 (natural 1)"
    # Markdown bolds the face instead (d20 style) and adds no words.
    assert render_markdown(roll("1d20", rng=ScriptedRandom([20]))) == "1d20 (**20**) = `20`"


def test_checks_flag_a_natural_20_before_the_outcome() -> None:
    check = CheckInput(kind=CheckKind.SKILL, skill=Skill.STEALTH, score=10, dc=25)
    result = RULES.perform_check(check, rng=script(20))
    assert result.text() == (
        "Dexterity (Stealth) check: 1d20 (20) + 0 [DEX modifier] = 20 (natural 20)"
        " vs DC 25: failure"
    )
    assert result.markdown().endswith(
        "1d20 (**20**) + 0 [DEX modifier] = `20` vs DC 25: **failure**"
    )


def test_bonus_dice_show_their_faces() -> None:
    check = CheckInput(
        kind=CheckKind.SKILL,
        skill=Skill.STEALTH,
        score=12,
        bonus_dice=(BonusDice("1d4", "Bless"), BonusDice("-1d4", "Bane"), BonusDice("2")),
    )
    result = RULES.perform_check(check, rng=script(11, 3, 2))
    assert result.text() == (
        "Dexterity (Stealth) check: 1d20 (11) + 1 [DEX modifier] + 1d4 (3) [Bless]"
        " - 1d4 (2) [Bane] + 2 = 15"
    )
    assert result.total == 11 + 1 + 3 - 2 + 2
    attack = RULES.attack_roll(
        4, target_ac=15, rng=script(12, 3), bonus_dice=[BonusDice("1d4", "Bless")]
    )
    assert attack.text() == (
        "Attack: 1d20 (12) + 4 [attack bonus] + 1d4 (3) [Bless] = 19 vs AC 15: hit"
    )
    assert attack.terms() == "1d20 (12) + 4 [attack bonus] + 1d4 (3) [Bless]"
    assert attack.terms(markdown=True) == "1d20 (12) + 4 [attack bonus] + 1d4 (3) [Bless]"


def test_signed_terms_take_only_a_leading_minus_as_the_sign() -> None:
    assert render_signed_terms(roll("-1d4", rng=ScriptedRandom([3]))) == ("-", "1d4 (3)")
    assert render_signed_terms(roll("-1d4+2", rng=ScriptedRandom([3]))) == (
        "+",
        "-1d4 (3) + 2",
    )


def test_a_cut_plain_line_closes_its_strike() -> None:
    result = roll("(1d6, 1d8)kh1 + 1", rng=ScriptedRandom([3, 6]))
    assert render_terms(result, room=Room(chars=8)) == "(~1d6 (3…~"
    assert render_text(result, room=Room(chars=8)) == "(~1d6 (3…~ = 7"
