"""The tracker's buttons: Next turn, Attack, End and Numbers, each through the registry.

Next turn runs ``init next --current <who it was drawn at>``, so two presses
at once advance once (the service's rule: a press advances from the turn it
read or not at all); the winner's message is edited in place (UPDATE_MESSAGE)
and every refusal is a private one-line message, the tracker left as it was.
Who may press is the service's rule (the acting combatant's player or a game
master: the campaign's, or a Discord member with Manage Server or the GM
role). Attack answers privately with the ``/attack`` command to type, for
the acting combatant's weapons and the other combatants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from adventorator.commands import find_command
from adventorator.discord_webhook import _render as render
from adventorator.discord_webhook import _tracker as tracker
from adventorator.discord_webhook._handled import Handled
from adventorator.errors import AdventoratorError
from adventorator.text import escape_markdown

if TYPE_CHECKING:
    from adventorator.discord_webhook._handled import Runner
    from adventorator.discord_webhook._payload import InteractionContext

COMMAND = "tracker"  # the metric label of every tracker press
MAX_WEAPONS = 5


class TrackerButtons:
    """Answers a press of a tracker button (claimed by the caller)."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    async def __call__(self, ctx: InteractionContext, press: tracker.Press) -> Handled:
        encounter = await self._encounter(ctx)
        if not isinstance(encounter, Mapping) or int(encounter["id"]) != press.encounter_id:
            return _refuse("This encounter is over.", "expired")
        if press.action == "next":
            return await self._next(ctx, press, encounter)
        if press.action == "end":
            return await self._end(ctx)
        if press.action == "attack":
            return await self._attack(ctx, encounter)
        return await self._numbers(ctx, encounter)

    async def _encounter(self, ctx: InteractionContext) -> Any:
        ran = await self._run(ctx, "init list", {})
        return None if ran is None else ran.get("encounter")

    async def _run(self, ctx: InteractionContext, name: str, args: dict[str, Any]) -> Any:
        """The data of a registry command's reply; an AdventoratorError propagates."""
        spec = find_command(name)
        assert spec is not None  # the tracker's commands are registered
        reply = await spec.handler(self.runner.invocation(ctx), spec.options(**args))
        return reply.data

    async def _next(
        self, ctx: InteractionContext, press: tracker.Press, encounter: Mapping[str, Any]
    ) -> Handled:
        if (encounter.get("round"), encounter.get("turn")) != (press.round, press.turn):
            return _refuse(_moved_on(encounter), "stale")
        spec = find_command("init next")
        assert spec is not None
        options = spec.options(current=encounter.get("current"))
        ran = await self.runner.command(ctx, spec, options)
        if ran.reply is None:  # refused (not your turn, moved on meanwhile): message unchanged
            return Handled(render.respond(ran.data), COMMAND, "refused")
        fields = {key: value for key, value in ran.data.items() if key != "flags"}
        return Handled({"type": render.UPDATE_MESSAGE, "data": fields}, COMMAND, "ok")

    async def _end(self, ctx: InteractionContext) -> Handled:
        spec = find_command("init end")
        assert spec is not None
        ran = await self.runner.command(ctx, spec, spec.options())
        if ran.reply is None:
            return Handled(render.respond(ran.data), COMMAND, "refused")
        fields = {key: value for key, value in ran.data.items() if key != "flags"}
        return Handled(render.update(fields), COMMAND, "ok")  # buttons removed: it is over

    async def _may_act(self, ctx: InteractionContext, owner_id: int | None) -> bool:
        """The acting combatant's player, or a game master (Discord's or the campaign's)."""
        if await tracker.is_game_master(self.runner.app, ctx.identity):
            return True
        ids = await self.runner.app.lookup(ctx.identity)
        return ids.player_id is not None and ids.player_id == owner_id

    async def _attack(self, ctx: InteractionContext, encounter: Mapping[str, Any]) -> Handled:
        current = _current(encounter)
        if current is None:
            return _refuse("The encounter has not started: press Next turn first.", "invalid")
        app = self.runner.app
        ids = await app.lookup(ctx.identity)
        record = await (await app.characters()).get_by_id(
            ids.campaign_id or 0, int(current["character_id"])
        )
        if not await self._may_act(ctx, record.owner_id):
            return _refuse(_not_yours(current), "refused")
        name = str(current["name"])
        others = [c for c in encounter["combatants"] if c["id"] != current["id"]]
        # The other side first: monsters for a character, characters for a monster.
        others.sort(key=lambda c: (c.get("monster") is None) == (current.get("monster") is None))
        targets = [str(c["name"]) for c in others]
        weapons = [attack.name for attack in record.sheet.attacks][:MAX_WEAPONS]
        acting = "" if record.owner_id == ids.player_id else f' character:"{name}"'
        target = targets[0] if targets else "NAME"
        lines = [f"It is **{escape_markdown(name)}**'s turn. Attack with:"]
        lines += [f'`/attack weapon:{w} target:"{target}"{acting}`' for w in weapons]
        if not weapons:
            lines.append(f"`/attack weapon:NAME ac:N{acting}` (no attacks on the sheet)")
        shown = ", ".join(escape_markdown(t) for t in targets[:20]) or "none"
        lines.append(f"Targets: {shown}")
        return Handled(render.respond(render.notice("\n".join(lines))), COMMAND, "ok")

    async def _numbers(self, ctx: InteractionContext, encounter: Mapping[str, Any]) -> Handled:
        if not await self._may_act(ctx, None):
            return _refuse("Only a game master sees the monsters' numbers.", "refused")
        found = await tracker.statuses(self.runner.app, ctx.identity, encounter)
        return Handled(
            render.respond(render.notice(tracker.numbers_text(encounter, found))), COMMAND, "ok"
        )


async def press(runner: Runner, ctx: InteractionContext, pressed: tracker.Press) -> Handled:
    """A press answered, a user error as a private line (no claim here: the caller's)."""
    try:
        return await TrackerButtons(runner)(ctx, pressed)
    except AdventoratorError as error:
        return Handled(render.respond(render.error_message(error)), COMMAND, "error")


def _current(encounter: Mapping[str, Any]) -> Mapping[str, Any] | None:
    name = encounter.get("current")
    return next((c for c in encounter.get("combatants", ()) if c["name"] == name), None)


def _moved_on(encounter: Mapping[str, Any]) -> str:
    current = encounter.get("current")
    if current is None:
        return (
            "The turn moved on meanwhile: see the newest tracker (`/init list`); nothing changed."
        )
    return (
        f"The turn moved on meanwhile: it is {escape_markdown(str(current))}'s turn "
        f"(round {encounter.get('round')}); "
        "nothing changed."
    )


def _not_yours(current: Mapping[str, Any]) -> str:
    name = escape_markdown(str(current["name"]))
    return f"It is {name}'s turn: only its player or a game master may act now."


def _refuse(text: str, outcome: str) -> Handled:
    return Handled(render.respond(render.notice(text)), COMMAND, outcome)
