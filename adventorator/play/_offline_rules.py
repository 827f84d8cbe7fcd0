"""The offline narrator's keyword tables: action words → check, difficulty words → DC.

Each ``Rule`` is a regular expression (matched case-insensitively, on word
boundaries) and the check it suggests. The rules are ordered from specific to
general; ``offline.offline_proposal`` picks the match that starts earliest in
the text, and the first rule in this order on a tie ("jump aside" is a DEX save
before "jump" is Athletics; "look for" is Investigation before "look around"
is Perception).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adventorator.rules.srd import Ability, Skill

__all__ = [
    "DIFFICULTY_RULES",
    "KNOWLEDGE_TOPICS",
    "RULES",
    "STATE_CHANGES",
    "STATE_KEYS",
    "TALK",
    "Rule",
]


@dataclass(frozen=True)
class Rule:
    """A keyword pattern and the check it suggests (a skill, or an ability and a kind)."""

    pattern: re.Pattern[str]
    action: str
    ability: Ability | None = None
    skill: Skill | None = None
    knowledge: bool = False  # a "recall ..." check: the topic words pick the skill


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def _skill(skill: Skill, *alternatives: str) -> Rule:
    return Rule(_rx(*alternatives), "skill_check", skill=skill)


def _save(ability: Ability, *alternatives: str) -> Rule:
    return Rule(_rx(*alternatives), "saving_throw", ability=ability)


def _ability(ability: Ability, *alternatives: str) -> Rule:
    return Rule(_rx(*alternatives), "ability_check", ability=ability)


_RESIST = r"resist(?:s|ing)?\s+(?:the\s+|its\s+|their\s+)?"
_ART = r"(?:the\s+|a\s+|an\s+|this\s+|that\s+|my\s+|his\s+|her\s+|their\s+)?"
_ANIMALS = (
    r"(?:animal|horse|pony|mule|donkey|dog|hound|wolf|beast|mount|cat|bear|boar|bird|hawk"
    r"|owl|ox|goat|creature|steed|camel)s?"
)

RULES: tuple[Rule, ...] = (
    # Saving throws first: "jump aside" or "resist the poison" are not skill checks.
    _save(
        Ability.CON,
        _RESIST + r"(?:poison|venom|toxins?|disease|sickness|illness)",
        r"shrug(?:s|ging)?\s+off\s+(?:the\s+)?(?:poison|venom|disease)",
        r"(?:maintain|keep|hold)(?:s|ing)?\s+(?:my\s+|his\s+|her\s+|their\s+)?concentration",
    ),
    _save(
        Ability.DEX,
        r"dodg(?:e|es|ed|ing)",
        r"duck(?:s|ed|ing)?",
        r"(?:dive|dives|diving|leap|leaps|leaping|jump|jumps|jumping|throw\s+myself)\s+"
        r"(?:aside|clear|out\s+of\s+the\s+way|for\s+cover)",
        r"evad(?:e|es|ed|ing)",
    ),
    _save(
        Ability.WIS,
        _RESIST + r"(?:charm|spell|enchantment|fear|illusion|compulsion|suggestion|mind)",
        r"shake\s+off\s+(?:the\s+)?(?:fear|charm|spell|enchantment)",
    ),
    _save(Ability.STR, _RESIST + r"being\s+(?:pushed|knocked|shoved|pulled|dragged|thrown)"),
    # Knowledge: Arcana, History, Nature or Religion by topic (KNOWLEDGE_TOPICS).
    Rule(
        _rx(
            r"recall\w*",
            r"remember\w*",
            r"knows?\s+(?:about|of|anything)",
            r"what\s+(?:do\s+)?(?:i|we)\s+know",
            r"lore\s+(?:of|about)",
        ),
        "skill_check",
        knowledge=True,
    ),
    # Skills.
    _skill(
        Skill.SLEIGHT_OF_HAND,
        r"pick(?:s|ed|ing)?\s+" + _ART + r"locks?",
        r"lock\s*pick\w*",
        r"pick\s*pocket\w*",
        r"pick(?:s|ing)?\s+(?:his|her|their|its|someone's|the\s+\w+'s)\s+pockets?",
        r"palm(?:s|ed|ing)?",
        r"disarm(?:s|ed|ing)?\s+" + _ART + r"trap",
        r"steal(?:s|ing)?|stole",
    ),
    _skill(
        Skill.STEALTH,
        r"sneak(?:s|ed|ing)?|snuck",
        r"hide|hides|hiding|hid",
        r"creep(?:s|ing)?|crept",
        r"tiptoe\w*",
        r"stay\s+hidden",
        r"move\s+silently",
    ),
    _skill(
        Skill.ATHLETICS,
        r"climb\w*",
        r"jump(?:s|ed|ing)?",
        r"leap(?:s|ed|ing|t)?",
        r"swim(?:s|ming)?|swam",
        r"push(?:es|ed|ing)?",
        r"shov(?:e|es|ed|ing)",
        r"grappl\w*",
        r"wrestl\w*",
    ),
    _skill(
        Skill.ACROBATICS,
        r"tumbl\w*",
        r"balanc\w*",
        r"somersault\w*",
        r"cartwheel\w*",
        r"backflip\w*",
        r"tightrope",
        r"keep\s+my\s+footing",
    ),
    _skill(
        Skill.INSIGHT,
        r"read(?:s|ing)?\s+(?:his|her|their|its|the\s+\w+'s)?\s*(?:intent\w*|motives?|face|mood)",
        r"sense(?:s|d)?\s+(?:his\s+|her\s+|their\s+)?motives?",
        r"(?:is|are)\s+(?:he|she|they|it)\s+(?:lying|telling\s+the\s+truth|honest)",
        r"tell\s+(?:if|whether)\s+(?:he|she|they|it)\s*(?:'s|is|are)?\s*(?:lying|honest)",
        r"size\s+(?:him|her|them)\s+up",
    ),
    _skill(
        Skill.DECEPTION,
        r"(?:lie|lies|lied|lying)(?!\s+(?:down|low|still|flat|in\s+wait|awake|back|on|under))",
        r"bluff\w*",
        r"deceiv\w*",
        r"pretend\w*",
        r"con\s+(?:him|her|them|the)",
    ),
    _skill(
        Skill.PERSUASION,
        r"persuad\w*",
        r"convinc\w*",
        r"negotiat\w*",
        r"bargain\w*",
        r"haggl\w*",
        r"plead\w*",
        r"talk\s+(?:him|her|them|\w+)\s+into",
    ),
    _skill(
        Skill.INTIMIDATION,
        r"intimidat\w*",
        r"threat\w*",
        r"menac\w*",
        r"scare(?:s|d)?\s+(?:him|her|them|the|it|off|away)",
        r"frighten(?:s|ing)?\s+(?:him|her|them|the|it|off|away)",
        r"bully\w*",
    ),
    _skill(
        Skill.PERFORMANCE,
        r"perform\w*",
        r"sing|sings|singing|sang",
        r"danc(?:e|es|ed|ing)",
        r"play(?:s|ing)?\s+(?:my\s+|a\s+|the\s+)?(?:lute|flute|drum|fiddle|harp|song|tune|music)",
        r"juggl\w*",
        r"recit(?:e|es|ing)",
    ),
    _skill(
        Skill.ANIMAL_HANDLING,
        r"(?:calm|sooth|tam|befriend|handl|gentl|control)\w*\s+(?:down\s+)?"
        + _ART
        + r"(?:\w+\s+)?"
        + _ANIMALS,
        r"calm\s+animal",
        r"tame|tames|taming",
    ),
    _skill(
        Skill.MEDICINE,
        r"heal(?:s|ed|ing)?",
        r"treat(?:s|ed|ing)?\s+"
        + _ART
        + r"(?:\w+\s+)?(?:wounds?|injur\w*|burns?|poison\w*|sick\w*)",
        r"tend(?:s|ed|ing)?\s+(?:to\s+)?" + _ART + r"(?:\w+\s+)?(?:wounds?|injur\w*|wounded)",
        r"bandag\w*",
        r"stabili[sz]\w*",
        r"first\s+aid",
        r"diagnos\w*",
    ),
    _skill(
        Skill.SURVIVAL,
        r"track(?:s|ed|ing)?",
        r"forag\w*",
        r"hunt(?:s|ing)?",
        r"navigat\w*",
        r"follow(?:s|ing)?\s+the\s+(?:trail|tracks|footprints)",
        r"find\s+(?:the|our|my)\s+way",
    ),
    _skill(
        Skill.INVESTIGATION,
        r"search\w*",
        r"look(?:s|ing)?\s+for",
        r"inspect\w*",
        r"examin\w*",
        r"investigat\w*",
        r"study|studies|studying",
        r"decipher\w*",
        r"figure\s+out",
    ),
    _skill(
        Skill.PERCEPTION,
        r"notic\w*",
        r"spot(?:s|ted|ting)?",
        r"listen\w*",
        r"look(?:s|ing)?\s+around",
        r"keep(?:s|ing)?\s+(?:watch|an\s+eye\s+out|lookout)",
        r"watch(?:es|ing)?\s+for",
        r"scan(?:s|ned|ning)?",
        r"sniff\w*",
        r"smell\w*",
        r"eavesdrop\w*",
    ),
    # Raw ability checks, when no skill fits.
    _ability(
        Ability.STR,
        r"break(?:s|ing)?\s+(?:down|open|through|free)",
        r"bash\w*",
        r"smash\w*",
        r"lift\w*",
        r"force(?:s|d)?\s+(?:open|the|it)",
        r"bend(?:s|ing)?\s+(?:the\s+)?bars",
        r"kick(?:s|ed)?\s+(?:down|in|open)",
        r"drag(?:s|ged|ging)?|haul\w*",
    ),
    _ability(
        Ability.CON,
        r"hold(?:s|ing)?\s+(?:my|his|her|their)\s+breath",
        r"endur\w*",
        r"stay\s+awake",
        r"keep\s+going",
        r"march\w*",
    ),
    _ability(
        Ability.INT, r"solv\w*", r"puzzle\w*", r"work\s+out", r"calculat\w*", r"memori[sz]\w*"
    ),
    _ability(Ability.WIS, r"intuition", r"trust\s+my\s+gut", r"meditat\w*"),
    _ability(Ability.DEX, r"catch\w*", r"aim(?:s|ed|ing)?", r"throw(?:s|ing)?"),
    _ability(Ability.CHA, r"impress\w*", r"inspir\w*", r"rally\w*"),
)

# Topic words deciding which knowledge skill a "recall ..." uses; history when none match.
KNOWLEDGE_TOPICS: tuple[tuple[Skill, re.Pattern[str]], ...] = (
    (
        Skill.ARCANA,
        _rx(
            r"magic\w*",
            r"spells?",
            r"arcane",
            r"runes?",
            r"wizards?",
            r"sorcer\w*",
            r"enchant\w*",
            r"portals?",
            r"planes?",
            r"elementals?",
            r"dragons?",
        ),
    ),
    (
        Skill.RELIGION,
        _rx(
            r"gods?",
            r"goddess\w*",
            r"deit\w*",
            r"temples?",
            r"holy",
            r"divine",
            r"undead",
            r"prayers?",
            r"church\w*",
            r"priests?",
            r"demons?",
            r"devils?",
            r"fiends?",
            r"celestials?",
            r"cults?",
            r"shrines?",
        ),
    ),
    (
        Skill.NATURE,
        _rx(
            r"plants?",
            r"herbs?",
            r"animals?",
            r"beasts?",
            r"weather",
            r"terrain",
            r"mushrooms?",
            r"fung\w*",
            r"trees?",
            r"forests?",
            r"rivers?",
            r"seasons?",
        ),
    ),
)

# Speech without an action: no roll. Only used when no rule above matched.
TALK = re.compile(
    r"""^\s*["'\u201c\u2018]|\b(?:say|says|said|ask|asks|tell|tells|greet\w*|talk\w*|chat\w*|thank\w*|"""
    r"""reply|replies|answer\w*|shout\w*|whisper\w*|introduce\w*)\b""",
    re.IGNORECASE,
)

# Most specific first; the first that matches anywhere sets the DC.
DIFFICULTY_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"(?:nearly|almost|virtually)\s+impossible", r"impossible"), "nearly impossible"),
    (_rx(r"(?:very|extremely|really)\s+(?:hard|difficult|tough)"), "very hard"),
    (_rx(r"very\s+easy", r"trivial\w*", r"effortless\w*"), "very easy"),
    (_rx(r"hard", r"difficult", r"tough", r"tricky", r"challenging"), "hard"),
    (_rx(r"easy", r"simple"), "easy"),
    (_rx(r"medium", r"moderate\w*"), "medium"),
)

# Text that would change play state, which only a command may do: (pattern, kind).
# The kinds are worded, with the command to use, by ``offline_narrator.state_refusal``.
# Checked before the check rules: "I take 10 damage" is not a Constitution check,
# and "I heal myself" is not Medicine (SRD Medicine stabilises; it restores no HP).
_STATE_CONDITIONS = (
    r"blinded|charmed|deafened|frightened|grappled|incapacitated|invisible|paralyzed"
    r"|petrified|poisoned|prone|restrained|stunned|unconscious|exhausted"
)
STATE_CHANGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"set(?:s|ting)?\s+(?:my|his|her|their|its|the)\s+(?:current\s+|max(?:imum)?\s+)?"
            r"(?:hp|hit\s*points?|health)\s+to",
            r"(?:my|his|her|their)\s+(?:hp|hit\s*points?)\s+(?:is|are|becomes?)\s+(?:now\s+)?\d+",
            r"(?:full|max(?:imum)?)\s+(?:hp|hit\s*points?|health)",
        ),
        "hp",
    ),
    (
        _rx(
            r"level(?:s|ed|ing)?\s+up",
            r"(?:reach|gain|get)(?:s|ed|ing)?\s+(?:a\s+)?(?:new\s+)?level",
            r"(?:become|am\s+now|reach)(?:s)?\s+level\s+\d+",
            r"set(?:s|ting)?\s+my\s+level",
            r"gain(?:s|ed)?\s+\d*\s*(?:xp|experience)",
        ),
        "level",
    ),
    (
        _rx(
            r"(?:take|takes|took|suffer|suffers|suffered)\s+\d+\s+(?:points?\s+of\s+)?"
            r"(?:\w+\s+)?damage",
            r"(?:lose|loses|lost)\s+\d+\s+(?:hp|hit\s*points?)",
        ),
        "damage",
    ),
    (
        _rx(
            r"heal(?:s|ed|ing)?\s+(?:myself|me|my\s+(?:wounds|hit\s*points|hp)|\d+|to\s+full"
            r"|completely|fully)",
            r"(?:re)?gain(?:s|ed|ing)?\s+(?:\d+\s+|all\s+(?:my\s+)?)?(?:hp|hit\s*points?|health)",
        ),
        "heal",
    ),
    (
        _rx(
            r"(?:give|gives|gain|gains|gained|get|gets|got|find|finds|found)\s+(?:me\s+|myself\s+)?"
            r"\d[\d,]*\s+(?:gold|gp|silver|sp|copper|cp|platinum|pp|electrum|ep|coins?)",
            r"(?:give|gives)\s+(?:me|myself)\s+(?:a|an|the)\s+(?:magic\s+)?\w+",
        ),
        "items",
    ),
    (
        _rx(rf"(?:i\s+am|i'm|i\s+become|becomes?)\s+(?:now\s+)?(?:{_STATE_CONDITIONS})"),
        "condition",
    ),
)

# Keys a model's proposal may add to change state, and the kind each names.
STATE_KEYS: dict[str, str] = {
    **dict.fromkeys(
        ("hp", "current_hp", "hit_points", "max_hp", "temp_hp", "temporary_hp", "health"), "hp"
    ),
    **dict.fromkeys(("damage", "damage_taken"), "damage"),
    **dict.fromkeys(("heal", "healing"), "heal"),
    **dict.fromkeys(("level", "xp", "experience"), "level"),
    **dict.fromkeys(("condition", "conditions", "exhaustion"), "condition"),
    **dict.fromkeys(("gold", "money", "items", "inventory", "equipment"), "items"),
}
