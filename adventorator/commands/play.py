"""``do``, ``act`` and ``transcript``: the narrator, the planner and the record of play."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adventorator.commands._characters import character_for
from adventorator.commands._types import CommandSpec, Invocation, Reply, option
from adventorator.errors import InputError
from adventorator.text import escape_markdown

if TYPE_CHECKING:
    from adventorator.play.combat import AttackOutcome, AttackResolver, ValidAttack
    from adventorator.play.narrator import TurnResult

MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class DoOptions:
    message: str = option("What your character does, in your own words.", positional=True)
    # --as: a game master narrating a monster's turn (`do --as "goblin 2" "it lunges"`).
    character: str | None = option(
        "Act as this character of yours, or as a monster its game master runs "
        "(default: your active one).",
        default=None,
        autocomplete=True,
        cli_flags=("--as", "--character"),
    )


@dataclass(frozen=True)
class ActOptions:
    message: str = option("What you want, in your own words.", positional=True)
    choose: int | None = option(
        "Pick choice N of an ambiguous plan.", default=None, min=1, max=4, discord=False
    )


@dataclass(frozen=True)
class TranscriptOptions:
    limit: int = option("How many recent lines.", default=20, min=1, max=500)


def _message(text: str) -> str:
    text = text.strip()
    if not text:
        raise InputError("say what happens: the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(
            f"the message is {len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,}"
        )
    if "\x00" in text:  # PostgreSQL text cannot store it; SQLite would
        raise InputError("the message contains a NUL character (\\x00); remove it")
    return text


async def do(invocation: Invocation, options: DoOptions) -> Reply:
    """Narrate an action; the engine rolls any check with the character's real stats."""
    from adventorator.play.narrator import run_orchestrator

    text = _message(options.message)
    record = await character_for(invocation, options.character)
    ids = await invocation.app.resolve(invocation.identity)
    if options.character and record.sheet.monster is not None:
        # A monster's turn: its owner or the game master narrates it.
        await (await invocation.app.play_state()).require_may_act(
            record, ids.player_id, as_gm=invocation.identity.gm
        )
    elif options.character:  # a player's character speaks only at its player's word
        record = await character_for(invocation, options.character, own=True)
    turn = await run_orchestrator(
        app=invocation.app,
        ids=ids,
        character_id=record.id,
        player_text=text,
        rng=invocation.rng,
        ruleset=invocation.ruleset,
        words=invocation.syntax,
        resolve_attack=attack_resolver(invocation),
    )
    from adventorator.commands._checks import condition_lines

    label = "" if turn.narrator == "llm" else " (offline narrator)"
    if turn.attack is not None:
        return _attack_reply(turn, label)
    checked = ("", "")
    if turn.check is not None and not turn.rejected:
        checked = (
            condition_lines(turn.check, turn.effect)
            if turn.effect is not None
            else (turn.check.text(), turn.check.markdown())
        )
    if turn.rejected:
        lines = [f"The narrator's proposal was rejected: {turn.reason}. Nothing was rolled."]
    else:
        lines = [checked[0]] if turn.check is not None else []
        lines += [f"({note})" for note in turn.notes]
        lines.append(f"{turn.narration}{label}")
    # Discord: the narration and its notes are model text, never markup (the
    # rejection and the notice are our wording, with commands in code spans).
    markdown_lines = list(lines) if turn.rejected else [escape_markdown(x) for x in lines]
    if turn.check is not None and not turn.rejected:
        markdown_lines[0] = checked[1]
    if turn.notice:
        lines.insert(0, turn.notice)
        markdown_lines.insert(0, turn.notice)
    return Reply(
        text="\n".join(lines),
        markdown="\n".join(markdown_lines),
        data=turn.to_json(),
        ephemeral=turn.rejected,
        transcript_ids=turn.transcript_ids,
    )


def attack_resolver(invocation: Invocation) -> AttackResolver:
    """An accepted attack proposal run as ``adv attack WEAPON --as ATTACKER --target TARGET``."""

    async def resolve(attack: ValidAttack) -> AttackOutcome:
        from adventorator.commands._attacking import run_attack
        from adventorator.commands.attack import AttackOptions
        from adventorator.play.combat import AttackOutcome

        options = AttackOptions(
            weapon=attack.weapon, character=attack.attacker, target=attack.target
        )
        reply = await run_attack(invocation, options)
        return AttackOutcome.from_attack(reply.text, reply.markdown, dict(reply.data or {}))

    return resolve


def _attack_reply(turn: TurnResult, label: str) -> Reply:
    """``adv attack``'s lines, then the narration (model text: escaped for Discord)."""
    assert turn.attack is not None
    attack = turn.attack
    text = [attack.text, f"{turn.narration}{label}"]
    markdown = [attack.markdown or escape_markdown(attack.text), escape_markdown(text[1])]
    if turn.notice:
        text.insert(0, turn.notice)
        markdown.insert(0, turn.notice)
    return Reply(
        text="\n".join(text),
        markdown="\n".join(markdown),
        data=turn.to_json(),
        transcript_ids=turn.transcript_ids,
    )


async def act(invocation: Invocation, options: ActOptions) -> Reply:
    """Plan a command from free text, then run it, guide, or offer choices."""
    from adventorator.commands.planning import plan_act, resolve_plan
    from adventorator.llm import model_turn

    text = _message(options.message)
    # One model turn for the plan and the command it runs (a planned ``do``
    # narrates within the same deadline, and offline if the planner failed).
    with model_turn():
        plan, planner, notice = await plan_act(invocation, text)
        threshold = invocation.app.settings.planner_confidence_threshold
        outcome = await resolve_plan(invocation, plan, choose=options.choose, threshold=threshold)
    return outcome.to_reply(planner=planner, notice=notice)


async def transcript_show(invocation: Invocation, options: TranscriptOptions) -> Reply:
    """The scene's recent lines, oldest first."""
    ids = await invocation.app.lookup(invocation.identity)  # a read: creates no rows
    service = await invocation.app.transcripts()
    lines = [] if ids.scene_id is None else await service.recent(ids.scene_id, limit=options.limit)
    shown = [
        (
            f"[{line.created_at:%Y-%m-%d %H:%M}] {line.label}"
            f"{'' if line.status == 'ok' else f' ({line.status})'}: ",
            line.content,
        )
        for line in lines
    ]
    text = "\n".join(head + said for head, said in shown)
    # Discord: what was said is user (or model) text, never markup.
    marked = [escape_markdown(head + said) for head, said in shown]
    return Reply(
        text=text or "Nothing has happened in this scene yet.",
        markdown="\n".join(marked) or None,
        data={"entries": [line.to_json() for line in lines]},
        fit=lambda limit: newest_lines(marked, limit),
    )


def newest_lines(lines: list[str], limit: int) -> str:
    """The newest of ``lines`` that fit in ``limit`` characters, oldest first, after a count."""
    kept: list[str] = []
    used = 40  # the "… N earlier lines" header
    for line in reversed(lines):
        if used + len(line) + 1 > limit:
            break
        kept.append(line)
        used += len(line) + 1
    if not kept and lines:  # one line longer than the limit: its end is the newest part
        kept = [lines[-1][: limit - used - 1] + "…"]
    earlier = len(lines) - len(kept)
    head = [f"… {earlier} earlier lines not shown"] if earlier else []
    return "\n".join(head + kept[::-1])


SPECS = (
    CommandSpec(
        path=("do",),
        help='Narrate an action: `adv do "I sneak past the sleeping guard"`.',
        options=DoOptions,
        handler=do,
        uses_rng=True,
        slow=True,
        purpose="narrate an action",
    ),
    CommandSpec(
        path=("act",),
        help='Turn free text into a command: `adv act "make a stealth check"`.',
        options=ActOptions,
        handler=act,
        uses_rng=True,
        slow=True,
        planner=False,
    ),
    CommandSpec(
        path=("transcript", "show"),
        help="Show the recent transcript of play in this scene.",
        options=TranscriptOptions,
        handler=transcript_show,
        purpose="read the transcript",
    ),
)
