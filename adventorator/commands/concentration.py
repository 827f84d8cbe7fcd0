"""``concentration start|end|show``: the spell a character concentrates on (SRD Concentration).

Starting and ending are recorded, undoable events (``PlayStateService.change``);
starting a new spell ends the one held. Damage asks for the Constitution save
(``damage`` and ``attack``, see ``_concentrating``), and being incapacitated
ends it. Handlers import the play machinery on use, so ``adv --help`` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventorator.commands._types import CommandSpec, Invocation, Reply, option

if TYPE_CHECKING:
    from adventorator.services.play_state import PlayChange

WHO_HELP = "Who concentrates: yours, or anyone's as game master (default: your active character)."


@dataclass(frozen=True)
class StartOptions:
    spell: str = option("The spell, e.g. Bless or 'hold person'.", positional=True)
    character: str | None = option(WHO_HELP, default=None, autocomplete=True)


@dataclass(frozen=True)
class EndOptions:
    character: str | None = option(WHO_HELP, default=None, autocomplete=True)


@dataclass(frozen=True)
class ShowOptions:
    name: str | None = option(
        "The character: a unique prefix of the name, any case (default: your active one).",
        default=None,
        positional=True,
        autocomplete=True,
    )


async def start(invocation: Invocation, options: StartOptions) -> Reply:
    """Concentrate on ``spell``; a spell already held ends (one at a time)."""
    from adventorator.commands._concentrating import lost_reason, with_concentration
    from adventorator.commands._play import act
    from adventorator.errors import InputError
    from adventorator.rules.concentration import spell_name
    from adventorator.sheet import CharacterSheet

    spell = spell_name(options.spell)

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        lost = lost_reason(sheet)
        if lost is not None:  # SRD: an incapacitated creature cannot keep it
            raise InputError(f"{sheet.name} cannot concentrate: {lost}")
        old = sheet.concentration
        line = f"{sheet.name} is concentrating on {spell}"
        if old is not None and old.casefold() == spell.casefold():
            line = f"{sheet.name} is already concentrating on {old}"
        elif old is not None:
            line += f" (concentration on {old} ends: one spell at a time)"
        return with_concentration(sheet, spell), line

    return _reply(await act(invocation, options.character, "concentration", apply))


async def end(invocation: Invocation, options: EndOptions) -> Reply:
    """Stop concentrating (no action needed, SRD Concentration)."""
    from adventorator.commands._concentrating import with_concentration
    from adventorator.commands._play import act
    from adventorator.sheet import CharacterSheet

    def apply(sheet: CharacterSheet) -> tuple[CharacterSheet, str]:
        if sheet.concentration is None:
            return sheet, f"{sheet.name} was not concentrating"
        line = f"{sheet.name} stops concentrating on {sheet.concentration}"
        return with_concentration(sheet, None), line

    return _reply(await act(invocation, options.character, "concentration", apply))


async def show(invocation: Invocation, options: ShowOptions) -> Reply:
    from adventorator.commands._play import active_or

    name = await active_or(invocation, options.name)
    ids = await invocation.app.lookup(invocation.identity)
    record = await (await invocation.app.play_state()).find(ids.campaign_id, name)
    spell = record.sheet.concentration
    text = f"{record.name}: " + (f"concentrating on {spell}" if spell else "not concentrating")
    return Reply(text=text, data={"character": record.name, "concentration": spell})


def _reply(done: PlayChange) -> Reply:
    return Reply(
        text=done.summary,
        data={
            "character": done.record_after.name,
            "event_id": done.event_id,
            "before": done.record_before.sheet.concentration,
            "concentration": done.record_after.sheet.concentration,
        },
        transcript_ids=() if done.transcript_id is None else (done.transcript_id,),
    )


SPECS = (
    CommandSpec(
        path=("concentration", "start"),
        help="Concentrate on a spell (default: your active character); a spell already held "
        "ends: `adv concentration start bless`, `adv concentration start 'hold person' "
        "--character wren`.",
        options=StartOptions,
        handler=start,
        purpose="concentrate on a spell",
        planner_requires=("spell",),
    ),
    CommandSpec(
        path=("concentration", "end"),
        help="Stop concentrating: `adv concentration end`, `adv concentration end --character "
        "wren`.",
        options=EndOptions,
        handler=end,
    ),
    CommandSpec(
        path=("concentration", "show"),
        help="Show what a character concentrates on (default: your active one): "
        "`adv concentration show wren`.",
        options=ShowOptions,
        handler=show,
    ),
)
