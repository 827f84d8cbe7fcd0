"""How ``attack`` runs: find the attacker, weapon and target, roll, apply, reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.commands._attack_odds import AttackChances, DamageSpec, attack_chances
from adventorator.commands._attack_render import Applied, attack_data, attack_lines
from adventorator.commands._attack_roll import AttackRoll, roll_attack
from adventorator.commands._checks import off_loop
from adventorator.commands._concentrating import SaveRoller, after_damage, ended_line
from adventorator.commands._types import Invocation, Reply
from adventorator.commands.attack import AttackOptions
from adventorator.errors import InputError, NotFoundError
from adventorator.rules.concentration import ConcentrationSave
from adventorator.rules.conditions import Condition, effective_conditions
from adventorator.rules.damage import Defences
from adventorator.sheet import CharacterSheet, Feature, attack_profile, find_attack

if TYPE_CHECKING:
    from adventorator.services.characters import CharacterRecord

__all__ = ["find_character", "run_attack"]


async def find_character(invocation: Invocation, name: str | None) -> CharacterRecord:
    """The character ``name`` names exactly or by a unique prefix (any case); else the active one.

    An unknown or ambiguous name lists the campaign's candidates (``PlayStateService.find``,
    the look-up its changes use).
    """
    from adventorator.commands._characters import character_for

    if not name:
        return await character_for(invocation, None)
    ids = await invocation.app.lookup(invocation.identity)
    service = await invocation.app.play_state()
    return await service.find(ids.campaign_id, name)


@dataclass(frozen=True)
class _Target:
    record: CharacterRecord | None
    ac: int | None
    conditions: tuple[str, ...]
    defences: Defences


async def _target(invocation: Invocation, options: AttackOptions) -> _Target:
    if not options.target:
        return _Target(None, options.ac, (), Defences())
    try:
        record = await find_character(invocation, options.target)
    except NotFoundError as error:
        usage = invocation.syntax.usage("attack", ["weapon", "ac"])
        raise NotFoundError(
            f"{error}. To attack a creature without a sheet, give its armor class: `{usage}`"
        ) from None
    sheet = record.sheet
    if sheet.hp is None:
        raise InputError(f"{sheet.name}'s sheet has no hit points to take the damage")
    ac = options.ac if options.ac is not None else sheet.ac
    if ac is None:
        hint = invocation.syntax.option("ac", "N", command="attack")
        raise InputError(f"{sheet.name}'s sheet has no AC: give it with {hint}")
    conditions = tuple(c.value for c in sheet.conditions if c.value != "exhaustion")
    return _Target(record, ac, conditions, sheet.defences())


def _can_attack(sheet: CharacterSheet) -> None:
    # SRD Conditions, Incapacitated: "can't take actions or reactions".
    present = effective_conditions(c.value for c in sheet.conditions if c.value != "exhaustion")
    if Condition.INCAPACITATED in present:
        named = ", ".join(sorted(c.value for c in sheet.conditions)) or "incapacitated"
        raise InputError(
            f"{sheet.name} cannot attack: {named} (incapacitated creatures can't take actions, "
            "SRD Conditions, Incapacitated)"
        )


async def run_attack(invocation: Invocation, options: AttackOptions) -> Reply:
    """Roll the attack, and on a hit apply its damage to a target character."""
    if options.odds and options.target is None and options.ac is None:
        odds, to, ac = (
            invocation.syntax.name(o, command="attack") for o in ("odds", "target", "ac")
        )
        raise InputError(f"{odds} needs a {to} or an {ac} to hit")
    attacker = await find_character(invocation, options.character)
    if options.character:  # acting as a named character: yours, or any as game master
        ids = await invocation.app.lookup(invocation.identity)
        await (await invocation.app.play_state()).require_may_act(
            attacker, ids.player_id, as_gm=invocation.identity.gm
        )
    sheet = attacker.sheet
    weapon = find_attack(sheet.attacks, options.weapon, owner=sheet.name)
    _can_attack(sheet)
    target = await _target(invocation, options)
    profile = attack_profile(
        weapon,
        scores=dict(sheet.abilities),
        level=sheet.level,
        features=sheet.features,
        halfling_lucky=Feature.HALFLING_LUCKY in sheet.flags,
        ruleset=invocation.ruleset,
    )
    rolled = roll_attack(
        invocation.ruleset,
        invocation.rng,
        profile,
        attacker_conditions=[c.value for c in sheet.conditions if c.value != "exhaustion"],
        attacker_exhaustion=sheet.exhaustion,
        target_conditions=target.conditions,
        ac=target.ac,
        advantage=options.advantage,
        disadvantage=options.disadvantage,
        bonus=options.bonus,
        extra=options.extra,
    )
    chances = await _chances(rolled, target, options) if options.odds else None
    applied, save = await _apply(invocation, target, rolled)
    hint = invocation.syntax.option("extra", command="attack")
    return _reply(sheet.name, rolled, target, chances, applied, save, extra=hint)


async def _chances(rolled: AttackRoll, target: _Target, options: AttackOptions) -> AttackChances:
    assert target.ac is not None  # run_attack refuses --odds without an AC
    ac, profile = target.ac, rolled.profile
    wanted = [x for x in profile.extras if options.extra or not x.once_per_turn]
    parts = [DamageSpec(profile.damage, profile.damage_type)]
    parts += [DamageSpec(x.damage, x.damage_type) for x in wanted]
    hp = _target_hp(target)

    def work() -> AttackChances:
        return attack_chances(
            profile.attack_bonus,
            ac,
            parts,
            advantage=rolled.roll.advantage,
            crit_on=profile.crit_on,
            auto_crit=rolled.effect.auto_crit,
            halfling_lucky=profile.halfling_lucky,
            bonus=options.bonus,
            defences=target.defences,
            target_hp=hp,
        )

    return await off_loop(work, what="Exact attack odds")


def _target_hp(target: _Target) -> int | None:
    """Current plus temporary HP: what it takes to drop the target (None if unknown or 0)."""
    if target.record is None or target.record.sheet.hp is None:
        return None
    state = target.record.sheet.hit_points()
    return state.effective if state.effective > 0 else None


async def _apply(
    invocation: Invocation, target: _Target, rolled: AttackRoll
) -> tuple[Applied | None, ConcentrationSave | None]:
    """Apply a hit's damage to the target character: one recorded, undoable event.

    With it, the target's concentration save if it concentrates (SRD Concentration).
    """
    from adventorator.commands._play import Outcome, act, hp_line, with_hp_change
    from adventorator.rules.hp import apply_damage

    if target.record is None:
        return None, None
    sheet = target.record.sheet
    if not rolled.outcome.hit:
        state = sheet.play_state()
        return Applied(sheet.name, state, state, f"{sheet.name}: not hit", 0, (), None), None
    outcome = Outcome()
    roller = SaveRoller(invocation.ruleset, invocation.rng)

    def apply(current: CharacterSheet) -> tuple[CharacterSheet, str]:
        # Pure and repeatable: a lost race re-applies the same rolled damage to the newer sheet.
        taken, adjustments = rolled.adjusted(current.defences())
        change = apply_damage(current.hit_points(), taken, critical=rolled.outcome.critical)
        # SRD Concentration: the target's save (one per hit) is part of this one event.
        updated, save = after_damage(roller, with_hp_change(current, change), taken)
        outcome.hp = change
        outcome.extra = {"taken": taken, "reasons": [r for a in adjustments for r in a.reasons]}
        outcome.extra["concentration"] = save
        detail = _detail(taken, [(a.amount, a.damage_type) for a in adjustments])
        return updated, hp_line(current.name, change, detail) + ended_line(save)

    done = await act(invocation, sheet.name, "attack", apply, any_owner=True)
    applied = Applied(
        done.record_after.name,
        done.record_before.sheet.play_state(),
        done.record_after.sheet.play_state(),
        done.summary,
        int(outcome.extra["taken"]),
        tuple(outcome.extra["reasons"]),
        done.event_id,
    )
    return applied, outcome.extra["concentration"]


def _detail(taken: int, parts: list[tuple[int, Any]]) -> str:
    """``11 piercing`` or ``9 piercing, 4 fire``: the damage taken by type."""
    by_type: dict[str, int] = {}
    for amount, kind in parts:
        key = "" if kind is None else str(kind)
        by_type[key] = by_type.get(key, 0) + amount
    if len(by_type) <= 1:
        kind = next(iter(by_type), "")
        return f"{taken} {kind}".strip()
    return ", ".join(f"{amount} {kind}".strip() for kind, amount in by_type.items())


def _reply(
    attacker: str,
    rolled: AttackRoll,
    target: _Target,
    chances: AttackChances | None,
    applied: Applied | None,
    save: ConcentrationSave | None,
    *,
    extra: str,
) -> Reply:
    name = None if target.record is None else target.record.name
    lines = [
        attack_lines(attacker, rolled, name, chances, applied, markdown=m, extra=extra)
        for m in (False, True)
    ]
    data = attack_data(attacker, rolled, name, chances, applied)
    data["concentration"] = None if save is None else save.to_json()
    if save is not None:  # right after the target's HP line
        at = len(lines[0]) - (chances is not None)
        for shown in lines:
            shown.insert(at, save.line())
    return Reply(text="\n".join(lines[0]), markdown="\n".join(lines[1]), data=data)
