"""``damage``, ``heal``, ``hp``, ``save death`` and ``stabilize``: hit points by the SRD.

Each change goes through ``PlayStateService.change`` (one recorded event,
undoable); the arithmetic is ``rules.hp`` and ``rules.damage``. The handlers
import them on use, so this module stays light for ``adv --help``.
"""

from __future__ import annotations

from dataclasses import dataclass

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

NAME_HELP = "The character: a unique prefix of the name, any case (default: your active one)."
AMOUNT_HELP = "A number, or dice to roll (2d6+3)."


@dataclass(frozen=True)
class DamageOptions:
    # NAME may be left out: `adv damage 7` (see _play.split_amount); so both default.
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)
    amount: str | None = option(f"Damage: {AMOUNT_HELP}", default=None, positional=True)
    type: str | None = option("Damage type (fire, piercing ...): for defences.", default=None)
    critical: bool = option(
        "A critical hit: two death save failures at 0 HP.", default=False, cli_flags=("--crit",)
    )


@dataclass(frozen=True)
class HealOptions:
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)
    amount: str | None = option(f"Healing: {AMOUNT_HELP}", default=None, positional=True)


@dataclass(frozen=True)
class HpOptions:
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)
    set: int | None = option("Set current hit points.", default=None, min=0, max=999)
    temp: int | None = option(
        "Gain temporary hit points (the higher is kept).", default=None, min=0, max=999
    )
    max: int | None = option("Set the hit point maximum.", default=None, min=1, max=999)


@dataclass(frozen=True)
class DeathSaveOptions:
    character: str | None = option(
        "Who rolls (default: your active character).", default=None, autocomplete=True
    )


@dataclass(frozen=True)
class StabilizeOptions:
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)


async def damage(invocation: Invocation, options: DamageOptions) -> Reply:
    """Roll or take the amount, adjust it by the target's defences, apply it."""
    from adventorator.commands._concentrating import SaveRoller, after_damage, ended_line
    from adventorator.commands._play import (
        Outcome,
        act,
        hp_line,
        hp_reply,
        roll_amount,
        split_amount,
    )
    from adventorator.commands._play import with_hp_change as with_change
    from adventorator.rules.damage import adjust_damage_parts, parse_damage_type
    from adventorator.rules.hp import apply_damage
    from adventorator.sheet import CharacterSheet

    kind = None if options.type is None else parse_damage_type(options.type)
    name, typed = split_amount(invocation, options.name, options.amount, "damage")
    amount = roll_amount(invocation, typed, "damage")
    outcome = Outcome()
    roller = SaveRoller(invocation.ruleset, invocation.rng)
    held: list[str] = []  # the concentration line of the run that was recorded

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        taken, [adjusted] = adjust_damage_parts([(amount.total, kind)], sheet.defences())
        change = apply_damage(sheet.hit_points(), taken, critical=options.critical)
        # SRD Concentration: the save (or its end at 0 HP) is part of this one event.
        updated, save = after_damage(roller, with_change(sheet, change), taken)
        outcome.hp = change
        outcome.extra = {"amount": amount.total, "type": kind, "taken": taken}
        outcome.extra["adjustments"] = list(adjusted.reasons)
        outcome.extra["concentration"] = None if save is None else save.to_json()
        held[:] = [] if save is None else [save.line()]
        detail = f"{taken} {kind}" if kind else str(taken)
        if taken != amount.total:
            detail = f"{amount.total} → {detail}"
        return updated, hp_line(sheet.name, change, detail) + ended_line(save)

    done = await act(invocation, name, "damage", apply)
    outcome.extra["roll"] = amount.roll
    return hp_reply(done, outcome, extra_lines=(*held, *_rolled(amount.text)))


async def heal(invocation: Invocation, options: HealOptions) -> Reply:
    """Regain hit points up to the maximum (temporary HP are not healed)."""
    from adventorator.commands._play import (
        Outcome,
        act,
        hp_line,
        hp_reply,
        roll_amount,
        split_amount,
    )
    from adventorator.commands._play import with_hp_change as with_change
    from adventorator.rules.hp import apply_healing
    from adventorator.sheet import CharacterSheet

    name, typed = split_amount(invocation, options.name, options.amount, "heal")
    amount = roll_amount(invocation, typed, "healing")
    outcome = Outcome(extra={"amount": amount.total, "roll": amount.roll})

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        change = apply_healing(sheet.hit_points(), amount.total)
        outcome.hp = change
        return with_change(sheet, change), hp_line(sheet.name, change, f"healed {amount.total}")

    done = await act(invocation, name, "heal", apply)
    return hp_reply(done, outcome, extra_lines=_rolled(amount.text))


async def hp(invocation: Invocation, options: HpOptions) -> Reply:
    """Show hit points, or set current, temporary or maximum HP (one at a time)."""
    from adventorator.commands._concentrating import after_conditions
    from adventorator.commands._play import Outcome, act, hp_line, hp_reply
    from adventorator.commands._play import with_hp_change as with_change
    from adventorator.errors import InputError
    from adventorator.rules import hp as rules_hp
    from adventorator.sheet import CharacterSheet

    given = [flag for flag in ("set", "temp", "max") if getattr(options, flag) is not None]
    if not given:
        return await _show_hp(invocation, options.name)
    if len(given) > 1:
        set_, temp, max_ = (invocation.syntax.name(o, command="hp") for o in ("set", "temp", "max"))
        raise InputError(f"give one of {set_}, {temp} and {max_} at a time")
    outcome = Outcome()

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        if sheet.hp is None and options.max is not None:
            state = rules_hp.HitPointState(current=options.max, maximum=options.max)
            change = rules_hp.HpChange(state, state, (rules_hp.HpEvent.MAXIMUM_SET,))
        elif options.max is not None:
            change = rules_hp.set_maximum(sheet.hit_points(), options.max)
        elif options.temp is not None:
            change = rules_hp.set_temporary(sheet.hit_points(), options.temp)
        else:
            assert options.set is not None
            change = rules_hp.set_current(sheet.hit_points(), options.set)
        outcome.hp = change
        # Set to 0 HP: unconscious, so concentration ends (SRD Concentration).
        updated, ended = after_conditions(with_change(sheet, change))
        line = hp_line(sheet.name, change)
        return updated, line if ended is None else f"{line}; {ended}"

    done = await act(invocation, options.name, "hp", apply)
    return hp_reply(done, outcome)


async def _show_hp(invocation: Invocation, name: str | None) -> Reply:
    from adventorator.commands._play import active_or

    name = await active_or(invocation, name)
    ids = await invocation.app.lookup(invocation.identity)
    record = await (await invocation.app.play_state()).find(ids.campaign_id, name)
    state = record.sheet.hit_points()
    line = f"{record.name}: {state.current}/{state.maximum} HP"
    if state.temporary:
        line += f", {state.temporary} temp"
    if state.dead:
        line += ", dead"
    elif state.stable:
        line += ", stable"
    elif state.dying:
        line += f", dying ({state.successes} successes, {state.failures} failures)"
    return Reply(text=line, data={"character": record.name, "hp": state.to_json()})


async def death_save(invocation: Invocation, options: DeathSaveOptions) -> Reply:
    """Roll a death saving throw (d20, 10+ succeeds; a 1 is two failures, a 20 is 1 HP)."""
    from adventorator.commands._play import Outcome, act, hp_line, hp_reply
    from adventorator.commands._play import with_hp_change as with_change
    from adventorator.rules import dice
    from adventorator.rules.hp import death_save as roll_death_save
    from adventorator.sheet import CharacterSheet

    # A named character is found by prefix in the change; else the player's active one.
    name = options.character
    result = dice.roll("1d20", rng=invocation.rng)
    face = int(result.total)
    outcome = Outcome(extra={"roll": dice.result_to_json(result), "d20": face})

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        change = roll_death_save(sheet.hit_points(), face)
        outcome.hp = change
        return with_change(sheet, change), hp_line(sheet.name, change, f"death save: {face}")

    done = await act(invocation, name, "death save", apply)
    return hp_reply(done, outcome)


async def stabilize(invocation: Invocation, options: StabilizeOptions) -> Reply:
    """Make a dying character stable (Medicine DC 10 or a healer's kit, judged at the table)."""
    from adventorator.commands._play import Outcome, act, hp_line, hp_reply
    from adventorator.commands._play import with_hp_change as with_change
    from adventorator.rules.hp import stabilize as make_stable
    from adventorator.sheet import CharacterSheet

    outcome = Outcome()

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        change = make_stable(sheet.hit_points())
        outcome.hp = change
        return with_change(sheet, change), hp_line(sheet.name, change)

    done = await act(invocation, options.name, "stabilize", apply)
    return hp_reply(done, outcome)


def _rolled(text: str) -> tuple[str, ...]:
    return (f"rolled {text}",) if text else ()


SPECS = (
    CommandSpec(
        path=("damage",),
        help="Damage a character (default: your active one): "
        "`adv damage wren 11 --type piercing`, `adv damage 2d6`.",
        options=DamageOptions,
        handler=damage,
        uses_rng=True,
        purpose="damage a character",
        planner_requires=("amount",),
    ),
    CommandSpec(
        path=("heal",),
        help="Heal a character (default: your active one), up to the maximum: "
        "`adv heal wren 5`, `adv heal 2d4+2`.",
        options=HealOptions,
        handler=heal,
        uses_rng=True,
        purpose="heal a character",
        planner_requires=("amount",),
    ),
    CommandSpec(
        path=("hp",),
        help="Show or set hit points (default: your active character): "
        "`adv hp wren`, `--set 20`, `--temp 5`, `--max 40`.",
        options=HpOptions,
        handler=hp,
    ),
    CommandSpec(
        path=("save", "death"),
        help="Roll a death saving throw at 0 HP: `adv save death --character wren`.",
        options=DeathSaveOptions,
        handler=death_save,
        uses_rng=True,
    ),
    CommandSpec(
        path=("stabilize",),
        help="Stabilise a dying character at 0 HP (default: your active one): "
        "`adv stabilize wren`.",
        options=StabilizeOptions,
        handler=stabilize,
    ),
)
