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

from adventorator.play._offline_play_state import PLAY_STATE_RULES
from adventorator.play.proposals import PlanAlternative, PlannerOutput
from adventorator.rules.srd import Ability, Skill

UNKNOWN = "unknown"  # no rule matched: the planner rejects it
_DICE = re.compile(r"(?<![\w])(\d*\s*[dD]\s*(?:\d+|%)(?:[^\s,;]*)(?:\s*[-+*/]\s*[\w%()]+)*)")
_TIMES = re.compile(r"\b(\d{1,9})\s*times\b", re.IGNORECASE)
_STATS = re.compile(
    r"\b(?:distribution|odds|chances?|stats|statistics|probabilit(?:y|ies))\b", re.IGNORECASE
)
_SKILLS = {skill.value.replace("_", " "): skill.value for skill in Skill}
_ABILITIES = {a.long.lower(): a.value for a in Ability} | {a.value: a.value for a in Ability}


def _plan(
    command: str, sub: str | None = None, *, confidence: float = 0.9, **args: object
) -> PlannerOutput:
    return PlannerOutput(command=command, subcommand=sub, args=dict(args), confidence=confidence)


def _alt(command: str, sub: str | None, confidence: float, **args: object) -> PlanAlternative:
    return PlanAlternative(command=command, subcommand=sub, args=dict(args), confidence=confidence)


def _roll(text: str) -> PlannerOutput | None:
    match = _DICE.search(text)
    stats = _STATS.search(text) is not None
    if match and (stats or re.search(r"\broll\b|^\s*\d*d\d", text, re.IGNORECASE)):
        args: dict[str, object] = {"expr": match.group(1).strip()}
        times = _TIMES.search(text)
        if times:  # the planner checks it against the option's clients and limits
            args["times"] = int(times.group(1))
        if stats:
            args["stats"] = True
        return PlannerOutput(command="roll", args=args, confidence=0.9)
    return None


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
            if re.search(r"\b(check|roll|test)\b", text):
                return _plan("check", skill=skill)
            # A bare skill word: a check, or an action to narrate?
            return PlannerOutput(
                command="check",
                args={"skill": skill},
                confidence=0.5,
                alternatives=[_alt("do", None, 0.4, message=original.strip())],
            )
    save = re.search(r"\b(\w+) (?:saving throw|save)\b", text)
    if save and save.group(1) in _ABILITIES:
        return _plan("check", save=_ABILITIES[save.group(1)])
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
