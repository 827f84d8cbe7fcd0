"""``condition add|remove|list``: the SRD conditions and exhaustion levels 1-6 on a sheet.

Each change is one recorded, undoable event (``PlayStateService.change``).
Adding unconscious also adds prone (SRD Unconscious: it falls prone), and
exhaustion 6 is death (SRD Exhaustion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

if TYPE_CHECKING:
    from adventorator.sheet import CharacterSheet

NAME_HELP = "The character: a unique prefix of the name, any case (default: your active one)."


@dataclass(frozen=True)
class ConditionOptions:
    # NAME may be left out: `adv condition add poisoned` (one word is the condition).
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)
    condition: str | None = option(
        "An SRD condition (poisoned, prone ...) or exhaustion.", default=None, positional=True
    )
    level: int | None = option(
        "Exhaustion level to set (1-6; add: one more level by default).",
        default=None,
        min=0,
        max=6,
    )
    rounds: int | None = option(
        "In an encounter: the condition ends by itself after this many of the "
        "character's turns (see --until).",
        default=None,
        min=1,
        max=100,
    )
    until: str = option(
        "With --rounds: end at the end of its turn (the SRD's 'until the end of its next "
        "turn') or at the start.",
        default="end",
    )


@dataclass(frozen=True)
class ListOptions:
    name: str | None = option(NAME_HELP, default=None, positional=True, autocomplete=True)


async def add(invocation: Invocation, options: ConditionOptions) -> Reply:
    return await _change(invocation, options, adding=True)


async def remove(invocation: Invocation, options: ConditionOptions) -> Reply:
    return await _change(invocation, options, adding=False)


async def _change(invocation: Invocation, options: ConditionOptions, *, adding: bool) -> Reply:
    from adventorator.commands._play import act
    from adventorator.errors import InputError
    from adventorator.rules.conditions import EXHAUSTION, parse_condition_name

    name, condition = options.name, options.condition
    if condition is None:
        name, condition = None, name
    command = "condition add" if adding else "condition remove"
    if condition is None:
        usage = invocation.syntax.usage(command, ["condition"])
        raise InputError(f"name the condition: `{usage}`")
    found = parse_condition_name(condition)
    if found != EXHAUSTION and options.level is not None:
        raise InputError(
            f"{invocation.syntax.name('level', command=command)} is for exhaustion only"
        )

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        from adventorator.commands._concentrating import after_conditions, refuse_immune

        if adding:  # condition immunities refuse it; incapacitated ends concentration
            refuse_immune(sheet, [found if found == EXHAUSTION else found.value])
        if found == EXHAUSTION:
            updated, line = _exhaustion(sheet, adding, options.level)
        else:
            updated, line = _named(sheet, found.value, adding)
        updated, ended = after_conditions(updated)
        return updated, line if ended is None else f"{line}; {ended}"

    if options.rounds is not None:
        if not adding or found == EXHAUSTION:
            raise InputError("--rounds is for adding a named condition (not exhaustion)")
        from adventorator.commands._init_effects import timed_condition

        return await timed_condition(
            invocation, name, found.value, options.rounds, options.until, apply
        )
    done = await act(invocation, name, "condition", apply)
    after = done.record_after.sheet
    return Reply(
        text=done.summary,
        data={
            "character": done.record_after.name,
            "event_id": done.event_id,
            "before": done.record_before.sheet.play_state(),
            "after": after.play_state(),
            "conditions": [c.value for c in after.conditions],
            "exhaustion": after.exhaustion,
        },
        transcript_ids=() if done.transcript_id is None else (done.transcript_id,),
    )


def _named(sheet: CharacterSheet, name: str, adding: bool) -> tuple[CharacterSheet, str]:
    from adventorator.rules.conditions import ALSO_GAINED, Condition

    names = [c.value for c in sheet.conditions]
    if adding:
        gained = [name, *sorted(c.value for c in ALSO_GAINED.get(Condition(name), ()))]
        new = [n for n in gained if n not in names]
        names += new
        line = (
            f"{sheet.name} is now {' and '.join(new)}" if new else f"{sheet.name} is already {name}"
        )
    else:
        line = (
            f"{sheet.name} is no longer {name}" if name in names else f"{sheet.name} was not {name}"
        )
        names = [n for n in names if n != name]
    return sheet.with_conditions(names, sheet.exhaustion), line


def _exhaustion(
    sheet: CharacterSheet, adding: bool, level: int | None
) -> tuple[CharacterSheet, str]:
    from dataclasses import replace

    from adventorator.rules.conditions import EXHAUSTION_MAX

    before = sheet.exhaustion
    if level is None:
        level = min(EXHAUSTION_MAX, before + 1) if adding else 0
    updated = sheet.with_conditions([c.value for c in sheet.conditions], level)
    line = f"{sheet.name}: exhaustion {before} → {level}"
    if level == EXHAUSTION_MAX and updated.hp is not None:
        # SRD Exhaustion, level 6: death.
        state = replace(updated.hit_points(), current=0, successes=0, failures=0, stable=False)
        updated = updated.with_hit_points(replace(state, dead=True))
        line += " (dead: SRD Exhaustion level 6)"
    return updated, line


async def list_conditions(invocation: Invocation, options: ListOptions) -> Reply:
    from adventorator.commands._play import active_or
    from adventorator.rules.conditions import exhaustion_effects

    name = await active_or(invocation, options.name)
    ids = await invocation.app.lookup(invocation.identity)
    record = await (await invocation.app.play_state()).find(ids.campaign_id, name)
    sheet = record.sheet
    names = [c.value for c in sheet.conditions if c.value != "exhaustion"]
    shown = [*names]
    if sheet.exhaustion:
        shown.append(exhaustion_effects(sheet.exhaustion).label)
    text = f"{record.name}: {', '.join(shown) if shown else 'no conditions'}"
    return Reply(
        text=text,
        data={"character": record.name, "conditions": names, "exhaustion": sheet.exhaustion},
    )


SPECS = (
    CommandSpec(
        path=("condition", "add"),
        help="Give a character (default: your active one) a condition: "
        "`adv condition add wren poisoned`, `adv condition add exhaustion --level 2`; "
        "in an encounter, `--rounds 1` ends it with the character's next turn.",
        options=ConditionOptions,
        handler=add,
        purpose="give a character a condition",
        planner_requires=("condition",),
    ),
    CommandSpec(
        path=("condition", "remove"),
        help="End a condition: `adv condition remove wren poisoned`, `adv condition remove "
        "poisoned` (your active character; exhaustion: to 0 or --level).",
        options=ConditionOptions,
        handler=remove,
        planner_requires=("condition",),
    ),
    CommandSpec(
        path=("condition", "list"),
        help="Show a character's conditions and exhaustion (default: your active one): "
        "`adv condition list wren`.",
        options=ListOptions,
        handler=list_conditions,
    ),
)
