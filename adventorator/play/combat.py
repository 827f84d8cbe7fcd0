"""The narrator in combat: who is fighting, whose turn it is, and attack proposals checked.

An attack proposal names a weapon and a target, nothing else; the engine
resolves it through the same path as ``adv attack`` (a resolver the command
layer passes in, since play cannot import commands). It is accepted only:

* in a running encounter of the scene, after its first turn began;
* for a combatant of that encounter, on its own turn (the combatant whose
  turn it is; a game master narrates a monster's turn with ``do --as``);
* with a weapon on the attacker's sheet (exact name or unique prefix) and a
  target among the other combatants (exact name or unique prefix).

Anything else is refused with the reason, and nothing is rolled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from adventorator.errors import NotFoundError
from adventorator.play.proposals import ProposalRejected
from adventorator.sheet import find_attack

if TYPE_CHECKING:
    from adventorator.play.offline_narrator import CommandWords
    from adventorator.play.proposals import NarratorProposal
    from adventorator.services.encounters import EncounterView
    from adventorator.sheet import Attack, CharacterSheet

__all__ = [
    "AttackOutcome",
    "AttackResolver",
    "CombatScene",
    "ValidAttack",
    "combat_scene",
    "find_target",
    "validate_attack",
]


@dataclass(frozen=True)
class CombatScene:
    """What a ``do`` knows of the scene's fight, for the prompt and for validation."""

    actor: str  # the acting character's (or monster's) name
    running: bool  # an encounter runs in the scene
    started: bool = False  # its first turn began
    current: str | None = None  # whose turn it is
    combatants: tuple[str, ...] = ()  # in turn order
    monsters: frozenset[str] = frozenset()
    attacks: tuple[Attack, ...] = ()  # the actor's attacks, from its sheet
    down: frozenset[str] = frozenset()  # combatants at 0 HP

    @property
    def in_fight(self) -> bool:
        return self.actor in self.combatants

    @property
    def actor_turn(self) -> bool:
        return self.started and self.current == self.actor

    def foes(self) -> list[str]:
        """The other side still standing: monsters for a character, characters for a monster."""
        mine = self.actor in self.monsters
        return [
            c
            for c in self.combatants
            if c != self.actor and (c in self.monsters) != mine and c not in self.down
        ]


def combat_scene(
    view: EncounterView | None,
    actor_id: int,
    sheet: CharacterSheet,
    down: frozenset[str] = frozenset(),
) -> CombatScene:
    """The scene for the character ``actor_id`` (its ``sheet``) in the encounter ``view``.

    ``down``: the combatants at 0 HP ("I stab it" means the one foe still standing).
    """
    attacks = tuple(sheet.attacks)
    if view is None:
        return CombatScene(actor=sheet.name, running=False, attacks=attacks)
    actor = next((c.name for c in view.combatants if c.character_id == actor_id), sheet.name)
    current = view.current
    return CombatScene(
        actor=actor,
        running=True,
        started=view.started,
        current=None if current is None else current.name,
        combatants=tuple(c.name for c in view.combatants),
        monsters=frozenset(c.name for c in view.combatants if c.monster is not None),
        attacks=attacks,
        down=down,
    )


@dataclass(frozen=True)
class ValidAttack:
    """An attack proposal that passed validation: the sheet's weapon, a combatant."""

    attacker: str
    weapon: str
    target: str
    reason: str


@dataclass(frozen=True)
class AttackOutcome:
    """What the engine did, as ``adv attack`` reports it, and the words the narrator gets."""

    text: str
    markdown: str | None
    data: dict[str, Any]
    hit: bool | None
    critical: bool
    taken: int | None
    target_state: str  # "down", "bloodied" or "standing"
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def from_attack(cls, text: str, markdown: str | None, data: dict[str, Any]) -> AttackOutcome:
        """Read ``adv attack``'s --json data (``attack_data``)."""
        after = (data.get("target_after") or {}).get("hp") or {}
        current, maximum = after.get("current"), after.get("max")
        state = "standing"
        if isinstance(current, int) and isinstance(maximum, int) and maximum > 0:
            state = "down" if current == 0 else "bloodied" if current * 2 < maximum else state
        return cls(
            text=text,
            markdown=markdown,
            data=data,
            hit=data.get("hit"),
            critical=bool(data.get("critical")),
            taken=data.get("taken"),
            target_state=state,
        )

    def told(self, target: str) -> str:
        """The outcome for the narrator: hit or miss, damage, the target's state; no HP."""
        if not self.hit:
            return f"MISS: the attack misses {target}; no damage."
        hit = "CRITICAL HIT" if self.critical else "HIT"
        state = {"down": "is down (0 hit points)", "bloodied": "is bloodied", "standing": ""}
        after = f"; {target} {state[self.target_state]}" if state[self.target_state] else ""
        save = self.data.get("concentration")
        if isinstance(save, dict) and save.get("spell"):  # SRD Concentration, rolled by the engine
            kept = "keeps" if save.get("kept") else "loses"
            after += f"; {target} {kept} concentration on {save['spell']}"
        return f"{hit}: {self.taken or 0} damage to {target}{after}."


AttackResolver = Callable[[ValidAttack], Awaitable[AttackOutcome]]


def validate_attack(
    proposal: NarratorProposal, scene: CombatScene, words: CommandWords | None = None
) -> ValidAttack:
    """The attack the proposal names, or ProposalRejected saying why (nothing is rolled)."""
    from adventorator.play.offline_narrator import cli_words

    words = words or cli_words()
    reason = proposal.reason.strip()
    picked = [k for k in ("ability", "skill", "dc") if getattr(proposal, k) is not None]
    if picked:
        raise ProposalRejected(
            f"an attack proposal names only a weapon and a target, not {', '.join(picked)}: "
            "the engine rolls against the target's AC"
        )
    _require_turn(scene, words)
    if not proposal.weapon:
        attacks = ", ".join(a.name for a in scene.attacks) or "none on the sheet"
        raise ProposalRejected(f"the attack names no weapon of {scene.actor}'s: {attacks}")
    if not proposal.target:
        foes = ", ".join(scene.foes()) or "nobody"
        raise ProposalRejected(f"the attack names no target; the other side: {foes}")
    if not reason:
        raise ProposalRejected("the narrator gave no reason for its proposal")
    try:
        weapon = find_attack(scene.attacks, proposal.weapon, owner=scene.actor).name
        target = find_target(scene, proposal.target)
    except NotFoundError as error:
        raise ProposalRejected(str(error)) from None
    return ValidAttack(scene.actor, weapon, target, reason)


def _require_turn(scene: CombatScene, words: CommandWords) -> None:
    if not scene.running:
        attack = words.usage("attack", ["weapon", "target"])
        raise ProposalRejected(
            "the narrator proposes attacks only in an encounter, and none is running in this "
            f"scene: start one with `{words.command('init begin')}`, or roll it with `{attack}`"
        )
    if not scene.in_fight:
        add = words.usage("init add", ["name"])
        raise ProposalRejected(f"{scene.actor} is not in the encounter: add it with `{add}`")
    if not scene.started:
        raise ProposalRejected(
            f"the encounter has not started: `{words.command('init next')}` begins round 1"
        )
    if not scene.actor_turn:
        raise ProposalRejected(
            f"it is {scene.current}'s turn, not {scene.actor}'s: an attack waits for its turn"
        )


def find_target(scene: CombatScene, wanted: str) -> str:
    """The combatant ``wanted`` names exactly or by a unique prefix (any case), not the actor."""
    key = " ".join(wanted.split()).casefold()
    others = [c for c in scene.combatants if c != scene.actor]
    exact = [c for c in scene.combatants if c.casefold() == key]
    if exact:
        return exact[0]
    matches = [c for c in others if c.casefold().startswith(key)] if key else []
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(matches or others) or "nobody else"
    if matches:
        raise NotFoundError(f"{wanted!r} could be several combatants: {listed}; name one")
    raise NotFoundError(f"{wanted!r} is not in the encounter; combatants: {listed}")
