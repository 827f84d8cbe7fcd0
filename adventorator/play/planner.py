"""``act``: free text -> a command of the registry, then run, guide or ask.

Outcomes, in order:
1. an unknown or forbidden command is rejected with a message;
2. missing or invalid arguments get guidance built from the registry: the
   exact command and the option it needs, in the client's own syntax;
3. confidence below the threshold, with alternatives, offers choices;
4. otherwise the command runs through its normal handler, with the same
   permission checks as if it had been typed.

The catalogue the planner may choose from is the command registry itself
(commands with ``planner=True``); there is no second list. Each option's
clients and limits hold as for the typed command: the catalogue offers, and
``execute`` accepts, only the options the invocation's client has
(``planner_fields``), within their min/max, whichever planner (LLM, offline,
or a choice picked later) made the plan.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adventorator.commands._types import (
    Choice,
    CommandSpec,
    Invocation,
    OptionMeta,
    Reply,
    option_meta,
)
from adventorator.commands._usage import command_ref, usage
from adventorator.errors import InputError, LLMError
from adventorator.limits import PLAN_LABEL_CHARS, PROPOSAL_NAME_CHARS
from adventorator.llm.bounds import shorten
from adventorator.play.offline_planner import UNKNOWN
from adventorator.play.proposals import PlannerOutput

if TYPE_CHECKING:
    from adventorator.identity import Client
    from adventorator.play.proposals import PlanAlternative

log = logging.getLogger("adventorator.play.planner")

Status = Literal["executed", "needs_arguments", "ambiguous", "rejected"]
EXIT_AMBIGUOUS = 3
EXIT_REJECTED = 2


@dataclass(frozen=True)
class PlanReply:
    """The planner's answer before rendering."""

    status: Status
    command: str | None
    args: dict[str, Any]
    message: str
    choices: tuple[Choice, ...] = ()
    result: Reply | None = None

    def to_reply(self, *, planner: str, notice: str | None) -> Reply:
        inner = self.result
        data = {
            "status": self.status,
            "command": self.command,
            "args": self.args,
            "message": self.message,
            "choices": [
                {"number": n, "label": c.label, "command": c.command, "args": dict(c.args)}
                for n, c in enumerate(self.choices, 1)
            ],
            "result": None if inner is None or inner.data is None else dict(inner.data),
            "planner": planner,
            "notice": notice,
        }
        text = inner.text if inner is not None else self.message
        if self.choices:
            text += "\n" + "\n".join(f"  {n}. {c.label}" for n, c in enumerate(self.choices, 1))
        if notice:
            text = f"{notice}\n{text}"
        return Reply(
            text=text,
            markdown=None if inner is None else inner.markdown,
            rich=None if inner is None or self.status != "executed" else inner.rich,
            data=data,
            ephemeral=self.status != "executed" or (inner is not None and inner.ephemeral),
            choices=self.choices,
            exit_code={"ambiguous": EXIT_AMBIGUOUS, "rejected": EXIT_REJECTED}.get(self.status, 0),
        )


def planner_commands() -> dict[str, CommandSpec]:
    """The commands the planner may choose, by registry name."""
    from adventorator.commands import COMMANDS

    return {spec.name: spec for spec in COMMANDS if spec.planner}


def catalogue_text(client: Client = "cli") -> str:
    """The registry as the LLM planner sees it on ``client``: names, purposes, options, limits.

    Only the options the planner may set on that client are listed, exactly
    the ones ``execute`` accepts there.
    """
    lines = []
    for name, spec in planner_commands().items():
        options = ", ".join(
            f"{item.name}{' (required)' if _required(spec, item) else ''}"
            f"{_range(option_meta(item))}: {option_meta(item).help}"
            for item in planner_fields(spec, client).values()
        )
        lines.append(f"- {name}: {_help_for(spec, client)} Options: {options or 'none'}")
    # One block per command, separated by blank lines: the prompt builder keeps
    # whole blocks, in order, while they fit the token budget.
    return "\n\n".join(lines)


def _help_for(spec: CommandSpec, client: Client) -> str:
    """The command's help without the examples using an option the planner lacks on ``client``."""
    hidden = [
        flag
        for item in spec.fields()
        if not (option_meta(item).planner and _offered(option_meta(item), client))
        for flag in option_meta(item).cli_flags or ("--" + item.name.replace("_", "-"),)
    ]
    text = spec.help
    for example in re.findall(r"`[^`]*`", spec.help):
        if any(re.search(rf"{re.escape(flag)}(?![\w-])", example) for flag in hidden):
            text = text.replace(example, "")
    # Tidy what a removed example leaves: "()", ", ,", ":." and " or manual stats ."
    text = re.sub(r"\s*\(\s*\)", "", text)
    text = re.sub(r"(?:,\s*)+(?=[,.])|:\s*(?=\.)", "", text)
    return re.sub(r"\s+([,.])", r"\1", text)


def planner_fields(spec: CommandSpec, client: Client) -> dict[str, dataclasses.Field[Any]]:
    """The options of ``spec`` the planner may set for an invocation from ``client``.

    An option must allow the planner and be offered by that client, as the
    typed command is: on Discord, ``roll`` has no ``times`` or ``stats``.
    """
    return {
        item.name: item
        for item in spec.fields()
        if option_meta(item).planner and _offered(option_meta(item), client)
    }


def _offered(meta: OptionMeta, client: Client) -> bool:
    return meta.cli if client == "cli" else meta.discord


def _range(meta: OptionMeta) -> str:
    if meta.min is not None and meta.max is not None:
        return f" ({meta.min} to {meta.max})"
    if meta.min is not None:
        return f" (at least {meta.min})"
    return f" (at most {meta.max})" if meta.max is not None else ""


def _required(spec: CommandSpec, item: dataclasses.Field[Any]) -> bool:
    return not _has_default(item) or item.name in spec.planner_requires


def _has_default(item: dataclasses.Field[Any]) -> bool:
    return (
        item.default is not dataclasses.MISSING or item.default_factory is not dataclasses.MISSING
    )


async def plan_text(invocation: Invocation, text: str) -> tuple[PlannerOutput, str, str | None]:
    """The plan for ``text``: (plan, which planner answered, notice on fallback).

    The model call joins the turn in progress (``act`` opens it), so a failure
    here sends the rest of the turn offline.
    """
    from adventorator.play.offline_planner import offline_plan

    llm = invocation.app.llm()
    if llm is not None:
        from adventorator.llm import build_planner_messages, model_turn

        settings = invocation.app.settings
        messages = build_planner_messages(
            player_text=text,
            catalogue=catalogue_text(invocation.identity.client),
            max_prompt_tokens=settings.llm_max_prompt_tokens,
            model=settings.llm_model,
        )
        try:
            with model_turn() as turn:
                plan = await llm.complete_structured(
                    messages, PlannerOutput, name="planner_output", turn=turn
                )
            return plan, "llm", None
        except LLMError as error:
            log.warning("LLM planner failed, using the offline planner: %s", error)
            notice = f"The LLM planner failed ({error}); the offline planner answered."
            return offline_plan(text), "offline", notice
    return offline_plan(text), "offline", None


async def resolve_plan(
    invocation: Invocation, plan: PlannerOutput, *, choose: int | None, threshold: float
) -> PlanReply:
    """Turn a plan into an outcome (see the module doc) and run it if it is clear."""
    log.info("plan %s %s confidence=%.2f", plan.name, plan.args, plan.confidence)
    commands = planner_commands()
    choices = _choices(plan, commands)
    if choose is not None:
        if not 1 <= choose <= len(choices):
            raise InputError(f"--choose must be between 1 and {len(choices)}, got {choose}")
        picked = choices[choose - 1]
        return await execute(invocation, commands, picked.command, dict(picked.args))
    spec = commands.get(plan.name)
    if spec is None:
        return _rejected(invocation, plan.name, plan.args)
    if plan.confidence < threshold and len(choices) > 1:
        return PlanReply(
            status="ambiguous",
            command=plan.name,
            args=dict(plan.args),
            message=_ambiguous_message(invocation),
            choices=tuple(choices),
        )
    return await execute(invocation, commands, plan.name, dict(plan.args))


async def execute(
    invocation: Invocation, commands: dict[str, CommandSpec], name: str, args: dict[str, Any]
) -> PlanReply:
    """Validate ``args`` against the command's options and run its handler."""
    spec = commands.get(name)
    if spec is None:
        return _rejected(invocation, name, args)
    problem = missing_or_invalid(spec, args, invocation.identity.client)
    if problem is not None:
        missing, why = problem
        return PlanReply(
            status="needs_arguments",
            command=name,
            args=args,
            message=guidance(spec, invocation, missing, why),
        )
    options = build_options(spec, args)
    result = await spec.handler(invocation, options)
    return PlanReply(status="executed", command=name, args=args, message=result.text, result=result)


async def run_choice(invocation: Invocation, choice: Choice) -> Reply:
    """Run a choice the user picked from an ambiguous plan."""
    outcome = await execute(invocation, planner_commands(), choice.command, dict(choice.args))
    return outcome.to_reply(planner="choice", notice=None)


def missing_or_invalid(
    spec: CommandSpec, args: dict[str, Any], client: Client = "cli"
) -> tuple[list[str], str] | None:
    """(options to ask for, why) when ``args`` cannot run ``spec`` from ``client``, else None."""
    fields = planner_fields(spec, client)
    unknown = sorted(set(args) - set(fields))
    required = [
        name
        for name, item in fields.items()
        if _required(spec, item) and args.get(name) in (None, "")
    ]
    if unknown:
        return required, _unknown_options(spec, unknown, client)
    if required:
        return required, ""
    try:
        build_options(spec, args)
    except InputError as error:
        return list(args), str(error)
    return None


def _unknown_options(spec: CommandSpec, unknown: list[str], client: Client) -> str:
    """Why these options are refused: unknown, or not offered on this client."""
    known = {item.name for item in spec.fields()}
    elsewhere = [name for name in unknown if name in known]
    if elsewhere and client == "discord":
        names = ", ".join(map(repr, elsewhere))
        return f"{command_ref(spec.name, client)} has no option {names} on Discord"
    names = ", ".join(repr(shorten(name, PROPOSAL_NAME_CHARS)) for name in unknown[:5])
    return f"unknown option {names}"


def build_options(spec: CommandSpec, args: dict[str, Any]) -> Any:
    """The options dataclass from planner arguments, coerced and validated by pydantic."""
    from pydantic import TypeAdapter, ValidationError

    try:
        options = TypeAdapter(spec.options).validate_python(args)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InputError(f"invalid arguments for {spec.name}: {problems}") from None
    out_of_range = _out_of_range(spec, options)
    if out_of_range:
        raise InputError(f"invalid arguments for {spec.name}: {out_of_range}")
    return options


def _out_of_range(spec: CommandSpec, options: Any) -> str:
    """The options' min/max bounds from the registry, as the CLI enforces them."""
    problems = []
    for item in spec.fields():
        meta, value = option_meta(item), getattr(options, item.name)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        if meta.min is not None and value < meta.min:
            problems.append(f"{item.name}: must be at least {meta.min}, got {value}")
        if meta.max is not None and value > meta.max:
            problems.append(f"{item.name}: must be at most {meta.max}, got {value}")
    return "; ".join(problems)


def guidance(spec: CommandSpec, invocation: Invocation, missing: list[str], why: str) -> str:
    """ "To create a character, use `adv sheet create --json '<sheet>'` (see ...)"."""
    client = invocation.identity.client
    purpose = spec.purpose or f"run {spec.name}"
    text = f"To {purpose}, use `{usage(spec, client, missing)}`"
    if spec.see_also:
        text += f" (see `{command_ref(spec.see_also, client)}`)"
    return f"{text}. {why[:1].upper()}{why[1:]}." if why else f"{text}."


def _rejected(invocation: Invocation, name: str, args: dict[str, Any]) -> PlanReply:
    client = invocation.identity.client
    known = ", ".join(command_ref(n, client) for n in planner_commands())
    shown = shorten(name, PROPOSAL_NAME_CHARS)
    what = "I don't know how to do that" if name == UNKNOWN else f"I can't run {shown!r} for you"
    return PlanReply(
        status="rejected",
        command=None if name == UNKNOWN else name,
        args=args,
        message=f"{what}. Commands I can run: {known}.",
    )


def _choices(plan: PlannerOutput, commands: dict[str, CommandSpec]) -> list[Choice]:
    """The plan and its alternatives that name real commands, best first."""
    readings: list[PlannerOutput | PlanAlternative] = [plan, *plan.alternatives[:3]]
    choices = []
    for reading in sorted(readings, key=lambda r: -r.confidence):
        name = f"{reading.command} {reading.subcommand}" if reading.subcommand else reading.command
        if name in commands:
            args = dict(reading.args)
            label = f"{name} " + " ".join(f"{k}={v!r}" for k, v in args.items())
            choices.append(
                Choice(label=shorten(label.strip(), PLAN_LABEL_CHARS), command=name, args=args)
            )
    return choices


def _ambiguous_message(invocation: Invocation) -> str:
    if invocation.identity.client == "discord":
        return "I'm not sure what you meant. Pick one:"
    return "I'm not sure what you meant. Run again with --choose N to pick one:"
