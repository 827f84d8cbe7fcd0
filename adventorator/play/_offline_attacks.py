"""The offline narrator in an encounter: attack phrasings read, attack outcomes told.

``offline_attack`` reads "I attack the goblin", "I slash at goblin 2 with my
shortsword", "shoot the skeleton", "I stab it":

* **Verb.** An attack verb ("attack", "slash", "stab", "strike", "hit",
  "swing at", "lunge at", "shoot", "fire at" ...). Outside an encounter only
  the unmistakable ones ("attack", "slash", "stab", "shoot") count, and the
  proposal is refused there (``play.combat``): "hit the books" stays speech.
* **Weapon.** An attack of the sheet named in the text (its name or one of its
  words: "my shortsword", "the bow"), else the first ranged attack for a
  ranged verb ("shoot", "fire"), the first melee attack for a melee verb, the
  first attack for "attack".
* **Target.** A combatant named in the text (its whole name, its name without
  the number, or its first word: "goblin 2", "goblin", "Wren"); a name shared
  by several ("the goblin on the left" with two goblins) is proposed as is and
  refused as ambiguous. No name ("I stab it"): the only foe, if there is one.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

from adventorator.play.proposals import NarratorProposal

if TYPE_CHECKING:
    from adventorator.play.combat import AttackOutcome, CombatScene, ValidAttack
    from adventorator.sheet import Attack

__all__ = ["attack_narration", "offline_attack"]

_PREFIX = "offline narrator: "
_RANGED = r"shoot(?:s|ing)?|fir(?:e|es|ing)\s+(?:at|on)|loos(?:e|es|ing)\s+an?\s+\w+\s+at"
_MELEE = (
    r"slash(?:es|ing)?|stab(?:s|bing)?|strik(?:e|es|ing)|hit(?:s|ting)?|hack(?:s|ing)?"
    r"|slic(?:e|es|ing)|cut(?:s|ting)?|smash(?:es|ing)?|bash(?:es|ing)?|punch(?:es|ing)?"
    r"|(?:swing|swings|swinging|lunge|lunges|lunging|thrust|thrusts|charge|charges)\s+at"
    r"|bit(?:e|es|ing)|claw(?:s|ing)?"
)
_VERB = re.compile(
    rf"\b(?:(?P<any>attack(?:s|ing)?)|(?P<ranged>{_RANGED})|(?P<melee>{_MELEE}))\b", re.I
)
_PLAIN = re.compile(
    r"\b(?:attack(?:s|ing)?|slash(?:es|ing)?|stab(?:s|bing)?|shoot(?:s|ing)?)\b", re.I
)
_NUMBER = re.compile(r"\s+\d+$")


def offline_attack(text: str, scene: CombatScene | None) -> tuple[NarratorProposal, int] | None:
    """The attack ``text`` describes and where its verb starts, or None (see the module doc)."""
    running = scene is not None and scene.running
    found = (_VERB if running else _PLAIN).search(text)
    if found is None or scene is None:
        return None
    verb = " ".join(found.group(0).lower().split())
    groups = found.groupdict()
    kind = "ranged" if groups.get("ranged") else "melee" if groups.get("melee") else None
    weapon = _weapon(text, scene.attacks, kind)
    target = _target(text, scene) if running else None
    said = f'"{verb}" is an attack'
    said += f" with {weapon}" if weapon else ""
    said += f" on {target}" if target else ""
    proposal = NarratorProposal(
        action="attack", weapon=weapon, target=target, reason=_PREFIX + said
    )
    return proposal, found.start()


def _mentions(text: str, words: str) -> bool:
    return bool(words) and re.search(rf"\b{re.escape(words)}s?\b", text, re.I) is not None


def _weapon(text: str, attacks: tuple[Attack, ...], kind: str | None) -> str | None:
    words = {w.casefold() for w in re.findall(r"[^\W\d_]{3,}", text)}
    for attack in attacks:
        name = attack.name.casefold()
        # "my shortsword", "the bow" (Shortbow), "the crossbow" (Light Crossbow)
        if _mentions(text, attack.name) or any(name.endswith(w) for w in words):
            return attack.name
    if kind is None:
        return attacks[0].name if attacks else None
    fitting = [a for a in attacks if a.ranged == (kind == "ranged")]
    return fitting[0].name if fitting else None


def _target(text: str, scene: CombatScene) -> str | None:
    others = [c for c in scene.combatants if c != scene.actor]
    for name in sorted(others, key=len, reverse=True):
        if _mentions(text, name):
            return name
    for key in (lambda n: _NUMBER.sub("", n), lambda n: n.split()[0]):
        named = [n for n in others if _mentions(text, key(n))]
        if len(named) == 1:
            return named[0]
        if named:  # a shared name ("goblin"): proposed as said, refused as ambiguous
            return max((key(n) for n in named), key=len)
    foes = scene.foes()
    return foes[0] if len(foes) == 1 else None


_HIT = (
    "{name}'s {weapon} finds its mark, and {target} reels from the blow.",
    "{name} drives the {weapon} home; {target} staggers back, hurt.",
    "A clean strike: {name}'s {weapon} bites into {target}.",
)
_CRIT = (
    "{name}'s {weapon} lands with devastating force, and {target} howls in pain.",
    "A perfect opening: {name} strikes {target} with the {weapon} where it hurts most.",
)
_DOWN = (
    "{name}'s {weapon} strikes true, and {target} crumples to the ground.",
    "With one last blow of the {weapon}, {name} drops {target}.",
)
_BLOODIED = (
    "{name}'s {weapon} opens a bloody wound; {target} is badly hurt now.",
    "{target} bleeds from the {weapon}'s blow and falters.",
)
_MISS = (
    "{name}'s {weapon} swings wide, and {target} slips away unharmed.",
    "{target} turns the {weapon} aside; {name}'s attack finds nothing.",
    "{name} attacks with the {weapon}, but {target} is not where the blow lands.",
)


def attack_narration(text: str, attack: ValidAttack, outcome: AttackOutcome) -> str:
    """Template narration of the attack's outcome, chosen by a stable hash of ``text``."""
    templates: tuple[str, ...]
    if not outcome.hit:
        templates = _MISS
    elif outcome.target_state == "down":
        templates = _DOWN
    elif outcome.critical:
        templates = _CRIT
    elif outcome.target_state == "bloodied":
        templates = _BLOODIED
    else:
        templates = _HIT
    normalised = re.sub(r"\s+", " ", text.strip().lower())
    digest = hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest()
    template = templates[int.from_bytes(digest, "big") % len(templates)]
    told = template.format(name=attack.attacker, weapon=attack.weapon, target=attack.target)
    return told[0].upper() + told[1:]
