"""The offline planner: a few deterministic phrase rules over the registry names.

It is the planner when no LLM is configured, and the fallback when the LLM
fails. Its plans go through the same checks as the LLM's (``planner.execute``):
"roll 4d6 6 times" sets ``times`` and "the odds of 8d6" sets ``stats``, which
the planner refuses where the client has no such option (Discord). Play state
("heal 10 hp", "I take 10 fire damage", "stabilize wren", "undo", "show
history", "I am poisoned") plans its command (``_offline_play_state``), on
the active character unless one is named. Confidence
is high for an unmistakable phrase and low for a bare word, so ambiguous
requests still offer choices.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from adventorator.play._offline_names import stated_dc
from adventorator.play._offline_play_state import PLAY_STATE_RULES
from adventorator.play._offline_rules import DIFFICULTY_RULES
from adventorator.play.proposals import PlanAlternative, PlannerOutput
from adventorator.rules.srd import DC_BY_DIFFICULTY, Ability, Skill

UNKNOWN = "unknown"  # no rule matched: the planner rejects it
_CHECK_EXTRAS = ("advantage", "disadvantage", "dc")
_DICE = re.compile(r"(?<![\w])(\d*\s*[dD]\s*(?:\d+|%)(?:[^\s,;]*)(?:\s*[-+*/]\s*[\w%()]+)*)")
_NUMBERS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
_COUNTS = {word: n for n, word in enumerate(_NUMBERS, 1)} | {"twice": 2, "thrice": 3}
_TIMES = re.compile(
    r"\b(\d{1,9}|" + "|".join(w for w in _COUNTS if w not in ("twice", "thrice")) + r")\s*times\b"
    r"|\b(twice|thrice)\b",
    re.IGNORECASE,
)
_ADV = re.compile(r"\b(?:with\s+)?(?:advantage|adv)\b", re.IGNORECASE)
_DIS = re.compile(r"\b(?:with\s+)?(?:disadvantage|dis)\b", re.IGNORECASE)
_STATS = re.compile(
    r"\b(?:distribution|odds|chances?|stats|statistics|probabilit(?:y|ies))\b", re.IGNORECASE
)
_SKILLS = {skill.value.replace("_", " "): skill.value for skill in Skill}
_ABILITIES = {a.long.lower(): a.value for a in Ability} | {a.value: a.value for a in Ability}


def _plan(
    command: str, sub: str | None = None, *, confidence: float = 0.9, **args: object
) -> PlannerOutput:
    return PlannerOutput(command=command, subcommand=sub, args=dict(args), confidence=confidence)


def _with_ignored(plan: PlannerOutput, ignored: list[str]) -> PlannerOutput:
    """The plan with what the text asked for that it cannot carry (``resolve_plan`` says it)."""
    if not ignored:
        return plan
    return PlannerOutput.model_validate({**plan.model_dump(), "ignored": ignored})


def _alt(command: str, sub: str | None, confidence: float, **args: object) -> PlanAlternative:
    return PlanAlternative(command=command, subcommand=sub, args=dict(args), confidence=confidence)


def _roll(text: str) -> PlannerOutput | None:
    match = _DICE.search(text)
    stats = _STATS.search(text) is not None
    if match and (stats or re.search(r"\broll\b|^\s*\d*d\d", text, re.IGNORECASE)):
        args: dict[str, object] = {"expr": match.group(1).strip()}
        extras = _extras(text)
        # The planner checks times against the option's clients and limits; where
        # the client has no such option (Discord) it is dropped and said so.
        ignored = _carry(args, extras, ("advantage", "disadvantage", "times"), "roll")
        if stats:
            args["stats"] = True
        plan = PlannerOutput.model_validate(
            {"command": "roll", "args": args, "confidence": 0.9, "optional": ["times"]}
        )
        return _with_ignored(plan, ignored)
    return None


def _extras(text: str) -> dict[str, tuple[object, str]]:
    """What the text asks of a roll besides its dice: option -> (value, the words)."""
    found: dict[str, tuple[object, str]] = {}
    for option, pattern in (("advantage", _ADV), ("disadvantage", _DIS)):
        words = pattern.search(text)
        if words:
            found[option] = (True, words.group(0).lower())
    stated = stated_dc(text)
    if stated is not None:
        found["dc"] = stated
    else:
        for pattern, difficulty in DIFFICULTY_RULES:
            words = pattern.search(text)
            if words:
                found["dc"] = (DC_BY_DIFFICULTY[difficulty], words.group(0).lower())
                break
    times = _TIMES.search(text)
    if times:
        count = (times.group(1) or times.group(2)).lower()
        found["times"] = (int(count) if count.isdigit() else _COUNTS[count], times.group(0))
    return found


def _carry(
    args: dict[str, object],
    extras: dict[str, tuple[object, str]],
    options: tuple[str, ...],
    command: str,
) -> list[str]:
    """Put the extras the command has into ``args``; the words of the others, to be said."""
    ignored = []
    for option, (value, words) in extras.items():
        if option in options:
            args[option] = value
        else:
            ignored.append(f'"{words}" ({command} has no {option})')
    return ignored


def _sheet(original: str) -> PlannerOutput | None:
    text = original.lower()
    if re.search(r"\b(create|make|new|add)\b.*\b(character|sheet|pc)\b", text):
        return _plan("sheet", "create")
    if re.search(r"\b(list|all)\b.*\b(characters|sheets)\b", text):
        return _plan("sheet", "list")
    named = re.search(r"\b(?:show|view|see|display|open)\b.*\bsheet\b(?: (?:of|for) (.+))?", text)
    if named:
        plan = _plan("sheet", "show")
        if named.group(1):
            plan.args["name"] = named.group(1).strip(" ?.!")
        return plan
    switch = re.search(r"\b(?:switch to|play as|change to)\s+(.+)", text)
    if switch:
        return _plan("character", "switch", name=switch.group(1).strip(" ?.!"))
    if re.search(r"\b(who am i|which character|current character)\b", text):
        return _plan("character", "current")
    if re.search(r"\b(transcript|what happened|history of play|recap)\b", text):
        return _plan("transcript", "show")
    return None


def _check(original: str) -> PlannerOutput | None:
    text = original.lower()
    for name, skill in _SKILLS.items():
        if re.search(rf"\b{name}\b", text):
            args: dict[str, object] = {"skill": skill}
            ignored = _carry(args, _extras(original), _CHECK_EXTRAS, "check")
            if re.search(r"\b(check|roll|test)\b", text) or len(args) > 1:
                return _with_ignored(
                    PlannerOutput(command="check", args=args, confidence=0.9), ignored
                )
            # A bare skill word: a check, or an action to narrate?
            return PlannerOutput(
                command="check",
                args=args,
                confidence=0.5,
                alternatives=[_alt("do", None, 0.4, message=original.strip())],
            )
    save = re.search(r"\b(\w+) (?:saving throw|save)\b", text)
    ability = re.search(r"\b(\w+) (?:check|test)\b", text)
    for found, option in ((save, "save"), (ability, "ability")):
        if found and found.group(1) in _ABILITIES:
            args = {option: _ABILITIES[found.group(1)]}
            ignored = _carry(args, _extras(original), _CHECK_EXTRAS, "check")
            return _with_ignored(PlannerOutput(command="check", args=args, confidence=0.9), ignored)
    return None


def _sheet_word(text: str) -> PlannerOutput | None:
    if re.fullmatch(r"\s*(my )?(sheet|character)\s*[?.!]?\s*", text, re.IGNORECASE):
        return PlannerOutput(
            command="sheet",
            subcommand="show",
            confidence=0.5,
            alternatives=[_alt("sheet", "list", 0.4), _alt("character", "current", 0.3)],
        )
    return None


_ATTACK = re.compile(
    r"\b(?:attack|hit|strike|stab|shoot|slash)(?:s|ing)?\s+(?:at\s+)?"
    r"(?:the\s+|a\s+|an\s+)?(?P<target>[\w'-]+(?:\s+[\w'-]+)?)\s+with\s+"
    r"(?:my\s+|a\s+|an\s+|the\s+|his\s+|her\s+|their\s+)?(?P<weapon>[\w'-]+(?:\s+[\w'-]+)?)",
    re.IGNORECASE,
)


def _attack(text: str) -> PlannerOutput | None:
    """ "attack the goblin with my shortsword": the attack command, weapon and target named."""
    found = _ATTACK.search(text)
    if found is None:
        return None
    weapon = found.group("weapon").strip(" ?.!")
    return _plan("attack", weapon=weapon, target=found.group("target").strip())


def _action(text: str) -> PlannerOutput | None:
    if re.match(r"\s*i\b", text, re.IGNORECASE):
        return _plan("do", confidence=0.8, message=text.strip())
    return None


_RULES: tuple[Callable[[str], PlannerOutput | None], ...] = (
    _roll,
    _sheet_word,
    _sheet,
    _attack,
    *PLAY_STATE_RULES,  # before _action: "I take 7 damage" is damage, not a narrated action
    _action,
    _check,
)


def offline_plan(text: str) -> PlannerOutput:
    """The first rule that matches ``text``; no match gives an ``unknown`` plan."""
    for rule in _RULES:
        plan = rule(text)
        if plan is not None:
            return plan
    return _plan(UNKNOWN, confidence=0.0)
