"""The offline narrator: deterministic keyword proposals and template narration.

Used when no model is configured (``LLMClient.from_settings`` returned
``None``). It is labelled as what it is: every proposal's ``reason`` starts with
``"offline narrator:"``, and callers should show ``OFFLINE_NARRATOR_LABEL``
next to the narration.

``offline_proposal`` rules, in order:

1. **Check.** A check named outright wins: every SRD skill name ("roll
   perception", "a DC 10 stealth check", "sleight of hand"), an ability with
   "save"/"saving throw" ("a dex save") or "check" ("a strength check")
   (``_offline_names.NAMED_RULES``). Otherwise keyword rules
   (``_offline_rules.RULES``) map action words to a check: saving throws
   ("resist the poison" → CON, "dodge" → DEX, "resist the charm" → WIS),
   skills ("sneak"/"hide"/"creep" → Stealth, "climb"/"jump"/"swim"/"push" →
   Athletics, "lie"/"bluff" → Deception, "persuade"/
   "convince" → Persuasion, "search"/"look for"/"inspect" → Investigation,
   "notice"/"spot"/"listen" → Perception, "pick the lock"/"pickpocket" →
   Sleight of Hand, "tumble"/"balance" → Acrobatics, "recall"/"know about" →
   Arcana, Religion, Nature or History by topic, "calm the horse" → Animal
   Handling, "heal"/"treat wounds" → Medicine, "track" → Survival,
   "intimidate"/"threaten" → Intimidation, "perform"/"sing" → Performance,
   "read his intent"/"sense motive" → Insight) and, failing those, raw
   ability checks ("break down" → STR, "hold my breath" → CON, "solve" → INT,
   ...). The match that starts earliest in the text wins; on a tie, the
   earlier rule (more specific) wins.
2. **DC.** A number stated ("DC 12", "dc15") is the DC. Otherwise the most
   specific difficulty word anywhere in the text: "nearly impossible" 30,
   "very hard" 25, "trivial"/"very easy" 5, "hard" 20, "easy" 10,
   "medium"/"moderate" 15; otherwise 15 (medium).
0. **State changes are refused.** Text that would change play state ("I set
   my HP to 999", "I level up to 20", "I take 10 damage", "I heal myself",
   "I am poisoned", "give me 1000 gold": ``_offline_rules.STATE_CHANGES``) is not narrated as done:
   the proposal carries ``state_change`` and a reason naming the command to
   use, in the client's syntax, and ``narrator.validate_proposal`` rejects it
   (``state_refusal`` words any proposal that tries to change state).
2b. **Attack.** In a ``do``, an attack phrasing ("I attack the goblin", "shoot
   the skeleton", "I stab it") that starts before any check's words proposes
   an attack: the weapon and target read as ``_offline_attacks`` says.
3. **No match.** No roll (``action="none"``): speech ("I say ...", a quote)
   never needs one, and for anything else the offline narrator does not guess
   a check; the reason says which case applied.

No randomness anywhere: the same text always gives the same proposal and the
same narration.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from adventorator.play._offline_attacks import offline_attack
from adventorator.play._offline_names import NAMED_RULES, stated_dc
from adventorator.play._offline_rules import (
    DIFFICULTY_RULES,
    KNOWLEDGE_TOPICS,
    RULES,
    STATE_CHANGES,
    STATE_KEYS,
    TALK,
    Rule,
)
from adventorator.play._outcomes import TEMPLATES, Degree
from adventorator.play.proposals import NarratorProposal
from adventorator.rules.srd import DC_BY_DIFFICULTY, Ability, Skill

if TYPE_CHECKING:
    from adventorator.play.combat import CombatScene

__all__ = [
    "OFFLINE_NARRATOR_LABEL",
    "STATE_CHANGE_KEY",
    "CommandWords",
    "cli_words",
    "offline_narration",
    "offline_proposal",
    "state_refusal",
]

OFFLINE_NARRATOR_LABEL = "offline narrator"
STATE_CHANGE_KEY = "state_change"  # the offline proposal's key for a refused state change
_PREFIX = f"{OFFLINE_NARRATOR_LABEL}: "
_DEFAULT_DIFFICULTY = "medium"
_CHANGES = {
    "hp": "hit points",
    "damage": "hit points",
    "heal": "hit points",
    "level": "the character's level",
    "condition": "a condition",
    "items": "the character's money or items",
}


class CommandWords(Protocol):
    """How the client writes a command (``commands.Syntax``): `adv heal` or `/heal`."""

    def command(self, name: str) -> str: ...

    def option(self, name: str, value: str | None = None, *, command: str | None = None) -> str: ...

    def usage(self, name: str, options: Iterable[str] = ()) -> str: ...


class _CliWords:
    """The command line's words, when no client syntax is given (a library caller)."""

    def command(self, name: str) -> str:
        return f"adv {name}"

    def option(self, name: str, value: str | None = None, *, command: str | None = None) -> str:
        return f"--{name}" if value is None else f"--{name} {value}"

    def usage(self, name: str, options: Iterable[str] = ()) -> str:
        return " ".join([self.command(name), *(f"<{option}>" for option in options)])


def cli_words() -> CommandWords:
    """The command line's words (``adv heal``), for a caller without a client syntax."""
    return _CliWords()


def _hint(kind: str, words: CommandWords, amount: str | None = None) -> str:
    """What to use instead, for one kind of state change (with the amount the text named)."""
    if kind in ("damage", "heal") and amount is not None:
        name = "damage" if kind == "damage" else "heal"
        typed = f"{words.command(name)} {words.option('amount', amount, command=name)}"
        return f"{'damage' if kind == 'damage' else 'healing'} goes through `{typed}`"
    through = (
        f"damage and healing go through `{words.command('damage')}` / `{words.command('heal')}`"
    )
    if kind == "hp":
        setting = f"{words.command('hp')} {words.option('set', amount or 'N', command='hp')}"
        return f"{through}, and `{setting}` sets hit points"
    update = words.usage("sheet update", ["name", "json"])
    if kind == "level":
        return f"a level changes on the sheet: `{update}`"
    if kind == "items":
        return f"money and items change on the sheet: `{update}`"
    if kind == "condition":
        added = words.usage("condition add", ["condition"])
        return f"conditions go through `{added}` / `{words.command('condition remove')}`"
    return through


def state_refusal(proposal: NarratorProposal, words: CommandWords | None = None) -> str:
    """Why a proposal that tries to change state is refused, and what to use instead."""
    words = words or _CliWords()
    extra = proposal.model_extra or {}
    offline = extra.get(STATE_CHANGE_KEY)
    if set(extra) == {STATE_CHANGE_KEY} and offline in _CHANGES:
        return proposal.reason
    keys = sorted(extra)
    line = f"the narrator may only propose a check, not change state ({', '.join(keys)})"
    kinds = dict.fromkeys(STATE_KEYS[k.lower()] for k in keys if k.lower() in STATE_KEYS)
    hints = dict.fromkeys(_hint(kind, words) for kind in kinds)
    return "; ".join([line, *hints])


def offline_proposal(
    player_text: str, words: CommandWords | None = None, scene: CombatScene | None = None
) -> NarratorProposal:
    """The offline narrator's check for ``player_text`` (see the module docstring).

    With the ``scene`` of a ``do``, an attack phrasing that starts before any
    check's words is an attack proposal (``_offline_attacks``).
    """
    changed = _state_change(player_text)
    if changed is not None:
        kind, matched = changed
        number = re.search(r"\d+", matched)
        hint = _hint(kind, words or _CliWords(), number.group(0) if number else None)
        reason = (
            f'"{matched}" would change {_CHANGES[kind]}, which the narrator does not do; {hint}'
        )

        return NarratorProposal.model_validate(
            {"action": "none", "reason": _PREFIX + reason, STATE_CHANGE_KEY: kind}
        )
    match = _first_match(player_text, NAMED_RULES) or _first_match(player_text, RULES)
    attack = offline_attack(player_text, scene)
    if attack is not None and (match is None or attack[1] < match[2]):
        return attack[0]
    if match is None:
        if TALK.search(player_text):
            reason = "speech needs no roll"
        else:
            reason = "no action keyword matched, so no roll is proposed"
        return NarratorProposal(action="none", reason=_PREFIX + reason)
    rule, matched, _ = match
    skill = _knowledge_skill(player_text) if rule.knowledge else rule.skill
    title = _title(rule.action, rule.ability, skill)
    article = "an" if title[0] in "AEIOU" else "a"
    dc, dc_why = _dc(player_text)
    reason = f'"{matched}" suggests {article} {title}; DC {dc} ({dc_why})'
    return NarratorProposal(
        action=rule.action,
        ability=rule.ability.value if rule.ability else None,
        skill=skill.value if skill else None,
        dc=dc,
        reason=_PREFIX + reason,
    )


def _state_change(text: str) -> tuple[str, str] | None:
    """The kind and words of the earliest state change in ``text``, if any."""
    found = [(m.start(), kind, m.group(0)) for p, kind in STATE_CHANGES if (m := p.search(text))]
    if not found:
        return None
    _, kind, words = min(found, key=lambda item: item[0])
    return kind, " ".join(words.lower().split())


def _first_match(text: str, rules: tuple[Rule, ...]) -> tuple[Rule, str, int] | None:
    best: tuple[int, int, Rule, str] | None = None
    for order, rule in enumerate(rules):
        found = rule.pattern.search(text)
        if found and (best is None or (found.start(), order) < best[:2]):
            best = (found.start(), order, rule, found.group(0))
    if best is None:
        return None
    return best[2], " ".join(best[3].lower().split()), best[0]


def _knowledge_skill(text: str) -> Skill:
    for skill, topic in KNOWLEDGE_TOPICS:
        if topic.search(text):
            return skill
    return Skill.HISTORY


def _dc(text: str) -> tuple[int, str]:
    """The DC and why: a number stated ("DC 12"), else the difficulty word, else medium."""
    stated = stated_dc(text)
    if stated is not None:
        return stated[0], f'"{stated[1]}"'
    difficulty, dc_word = _difficulty(text)
    dc_source = f'"{dc_word}"' if dc_word else "no difficulty word, so the default"
    return DC_BY_DIFFICULTY[difficulty], f"{difficulty}: {dc_source}"


def _difficulty(text: str) -> tuple[str, str | None]:
    """The difficulty name and the words that set it (``None``: the default)."""
    for pattern, difficulty in DIFFICULTY_RULES:
        found = pattern.search(text)
        if found:
            return difficulty, " ".join(found.group(0).lower().split())
    return _DEFAULT_DIFFICULTY, None


def _title(action: str, ability: Ability | None, skill: Skill | None) -> str:
    if skill is not None:
        return f"{skill.ability.long} ({skill.long}) check"
    assert ability is not None  # every non-skill rule names an ability
    if action == "saving_throw":
        return f"{ability.long} saving throw"
    return f"{ability.long} check"


_NO_ROLL = (
    "{name} goes ahead; no roll is needed, and it simply happens.",
    "No dice this time: {name} does it, and the scene moves on.",
    "{name} acts without any need for a check, and the moment passes smoothly.",
)


def offline_narration(
    *,
    player_text: str,
    character_name: str,
    check_title: str | None,
    success: bool | None,
    degree: Degree | None = None,
) -> str:
    """Template narration of the engine's outcome: success, failure, or no roll (``None``).

    ``degree`` (``_outcomes.degree_of``) picks the templates by margin and
    critical; without it, a clear success or failure is told. The template is
    chosen by a stable hash (BLAKE2b) of the player's text, so the same input
    always gives the same narration, in every process.
    """
    name = " ".join(character_name.split()) or "The adventurer"
    if success is None:
        templates: tuple[str, ...] = _NO_ROLL
    elif degree is not None:
        templates = TEMPLATES[degree.bucket]
    else:
        templates = TEMPLATES["strong" if success else "clear_fail"]
    title = " ".join((check_title or "").split())
    the_check = f"the {title}" if title else "the attempt"
    template = templates[_stable_index(player_text, len(templates))]
    return template.format(
        name=name, the_check=the_check, The_check=the_check[0].upper() + the_check[1:]
    )


def _stable_index(text: str, size: int) -> int:
    normalised = re.sub(r"\s+", " ", text.strip().lower())
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % size
