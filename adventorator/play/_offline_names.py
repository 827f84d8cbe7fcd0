"""Checks named outright, and a DC stated as a number: "a DC 10 stealth check", "dex save".

A player who names the check ("roll perception", "a Dexterity (Stealth)
check", "make a dex save", "a strength check") means that check, whatever
action words surround it, so ``NAMED_RULES`` are tried before the keyword
rules of ``_offline_rules``. Every SRD skill name is one rule (generated from
``rules.srd.Skill``, so a new skill cannot be missed); an ability name counts
only when followed by "check", "save" or "saving throw", because "wisdom" or
"strength" alone is often just a word ("I pray for strength").
"""

from __future__ import annotations

import re

from adventorator.play._offline_rules import Rule
from adventorator.rules.srd import Ability, Skill

__all__ = ["NAMED_RULES", "stated_dc"]


def _skill_words(skill: Skill) -> str:
    # "sleight_of_hand" -> "sleight\s+of\s+hand"; "animal handling" also as "animal-handling".
    return r"[\s-]+".join(skill.value.split("_"))


def _ability_words(ability: Ability) -> str:
    return rf"(?:{ability.long.lower()}|{ability.value})"


_SAVE_WORDS = r"(?:saving\s+throws?|saves?)"
_CHECK_WORDS = r"(?:checks?|tests?|rolls?)"

NAMED_RULES: tuple[Rule, ...] = (
    # Saves first: "a dex save" is never an ability check.
    *(
        Rule(
            re.compile(rf"\b{_ability_words(a)}\s+{_SAVE_WORDS}\b", re.IGNORECASE),
            "saving_throw",
            ability=a,
        )
        for a in Ability
    ),
    *(
        Rule(re.compile(rf"\b{_skill_words(s)}\b", re.IGNORECASE), "skill_check", skill=s)
        for s in Skill
    ),
    *(
        Rule(
            re.compile(rf"\b{_ability_words(a)}\s+{_CHECK_WORDS}\b", re.IGNORECASE),
            "ability_check",
            ability=a,
        )
        for a in Ability
    ),
)

# "DC 12", "dc15", "DC: 20", "difficulty class 18".
_DC = re.compile(r"\b(?:dc|difficulty\s+class)\s*[:=]?\s*(\d{1,3})\b", re.IGNORECASE)


def stated_dc(text: str) -> tuple[int, str] | None:
    """The DC the text states as a number, and the words that state it, if any."""
    found = _DC.search(text)
    if found is None:
        return None
    return int(found.group(1)), " ".join(found.group(0).lower().split())
