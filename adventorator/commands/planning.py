"""``act`` over the registry: a plan -> run it, guide, or ask.

Outcomes, in order:
1. an unknown or forbidden command is rejected with a message;
2. missing or invalid arguments get guidance built from the registry: the
   exact command and the option it needs, in the client's own syntax;
3. confidence below the threshold, with alternatives, offers choices;
4. otherwise the command runs through its normal handler, with the same
   permission checks as if it had been typed.

The catalogue the planner (``play.planner``) may choose from is the
invocation's registry itself (commands with ``planner=True``); there is no
second list. Each option's clients and limits hold as for the typed command:
the catalogue offers, and ``execute`` accepts, only the options the
invocation's client has (``planner_fields``), within their min/max, whichever
planner (LLM, offline, or a choice picked later) made the plan.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from adventorator.commands._catalogue import (
    catalogue_text,
    is_required,
    planner_commands,
    planner_fields,
)
from adventorator.commands._options import option_meta
from adventorator.commands._syntax import Syntax
from adventorator.commands._types import Choice, CommandSpec, Invocation, Reply
from adventorator.errors import InputError
from adventorator.limits import PLAN_LABEL_CHARS, PROPOSAL_NAME_CHARS
from adventorator.llm.bounds import shorten
from adventorator.play.offline_planner import UNKNOWN
from adventorator.play.proposals import plan_name

if TYPE_CHECKING:
    from adventorator.play.proposals import PlanAlternative, PlannerOutput

__all__ = [
    "EXIT_AMBIGUOUS",
    "EXIT_NEEDS_ARGUMENTS",
    "EXIT_REJECTED",
    "PlanReply",
    "catalogue_text",
    "execute",
    "missing_or_invalid",
    "plan_act",
    "planner_commands",
    "planner_fields",
    "resolve_plan",
    "run_choice",
]

log = logging.getLogger("adventorator.commands.planning")

Status = Literal["executed", "needs_arguments", "ambiguous", "rejected"]
EXIT_AMBIGUOUS = 3
EXIT_REJECTED = 2
# Nothing ran because an argument is missing: a usage mistake, as for a typed command.
EXIT_NEEDS_ARGUMENTS = 2
_EXIT_CODES = {
    "ambiguous": EXIT_AMBIGUOUS,
    "rejected": EXIT_REJECTED,
    "needs_arguments": EXIT_NEEDS_ARGUMENTS,
}


@dataclass(frozen=True)
class PlanReply:
    """The planner's answer before rendering."""

    status: Status
    command: str | None
    args: dict[str, Any]
    message: str
    choices: tuple[Choice, ...] = ()
    result: Reply | None = None
    ignored: tuple[str, ...] = ()  # what the request asked for that the command cannot carry

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
            "ignored": list(self.ignored),
        }
        text = inner.text if inner is not None else self.message
        if self.choices:
            text += "\n" + "\n".join(f"  {n}. {c.label}" for n, c in enumerate(self.choices, 1))
        if notice:
            text = f"{notice}\n{text}"
        markdown = None if inner is None else inner.markdown
        rich = None if inner is None or self.status != "executed" else inner.rich
        if self.ignored:  # said, never silently dropped; the plain text carries it
            said = "ignored: " + "; ".join(self.ignored)
            text = f"{text}\n{said}"
            markdown = None if markdown is None else f"{markdown}\n{said}"
            rich = None
        return Reply(
            text=text,
            markdown=markdown,
            rich=rich,
            data=data,
            ephemeral=self.status != "executed" or (inner is not None and inner.ephemeral),
            choices=self.choices,
            exit_code=_EXIT_CODES.get(self.status, 0),
            transcript_ids=() if inner is None else inner.transcript_ids,
        )


async def plan_act(invocation: Invocation, text: str) -> tuple[PlannerOutput, str, str | None]:
    """The plan for ``text`` over the invocation's registry: (plan, planner, notice)."""
    from adventorator.play.planner import plan_text

    catalogue = catalogue_text(invocation.commands, invocation.syntax)
    app = invocation.app
    return await plan_text(text, catalogue=catalogue, llm=app.llm(), settings=app.settings)


async def resolve_plan(
    invocation: Invocation, plan: PlannerOutput, *, choose: int | None, threshold: float
) -> PlanReply:
    """Turn a plan into an outcome (see the module doc) and run it if it is clear."""
    log.info("plan %s %s confidence=%.2f", plan.name, plan.args, plan.confidence)
    commands = planner_commands(invocation.commands)
    choices = _choices(plan, commands)
    if choose is not None:
        if not 1 <= choose <= len(choices):
            choose_flag = invocation.syntax.option("choose", command="act")
            raise InputError(f"{choose_flag} must be between 1 and {len(choices)}, got {choose}")
        picked = choices[choose - 1]
        return await execute(invocation, picked.command, dict(picked.args))
    spec = commands.get(plan.name)
    if spec is None:
        return _rejected(invocation, plan.name, plan.args)
    optional, ignored = _plan_extras(plan)
    if plan.confidence < threshold and len(choices) > 1:
        return PlanReply(
            status="ambiguous",
            command=plan.name,
            args=dict(plan.args),
            message=_ambiguous_message(invocation),
            choices=tuple(choices),
            ignored=ignored,
        )
    return await execute(invocation, plan.name, dict(plan.args), optional=optional, ignored=ignored)


def _plan_extras(plan: PlannerOutput) -> tuple[frozenset[str], tuple[str, ...]]:
    """(options the plan may lose where the client lacks them, what it could not carry).

    The offline planner sets both: "roll 4d6kh3 six times" on Discord rolls
    once and says ``times`` was ignored, rather than refusing the roll.
    """
    extra = plan.model_extra or {}
    optional, ignored = extra.get("optional"), extra.get("ignored")
    names = frozenset(str(n) for n in optional) if isinstance(optional, list) else frozenset()
    said = (
        tuple(shorten(str(i), PLAN_LABEL_CHARS) for i in ignored[:5])
        if isinstance(ignored, list)
        else ()
    )
    return names, said


async def execute(
    invocation: Invocation,
    name: str,
    args: dict[str, Any],
    *,
    optional: frozenset[str] = frozenset(),
    ignored: tuple[str, ...] = (),
) -> PlanReply:
    """Validate ``args`` against the command's options and run its handler.

    An ``optional`` argument the client does not offer is dropped, and said in
    ``ignored``; any other is refused (``missing_or_invalid``).
    """
    spec = planner_commands(invocation.commands).get(name)
    if spec is None:
        return _rejected(invocation, name, args)
    syntax = invocation.syntax
    offered = planner_fields(spec, syntax)
    for option in sorted(optional & set(args) - set(offered)):
        value = args.pop(option)
        ignored += (f"{option} {value}: {syntax.command(name)} has no {option} on {syntax.where}",)
    problem = missing_or_invalid(spec, args, syntax)
    if problem is not None:
        missing, why = problem
        return PlanReply(
            status="needs_arguments",
            command=name,
            args=args,
            message=guidance(spec, invocation, missing, why),
            ignored=ignored,
        )
    options = build_options(spec, args)
    result = await spec.handler(invocation, options)
    return PlanReply(
        status="executed",
        command=name,
        args=args,
        message=result.text,
        result=result,
        ignored=ignored,
    )


async def run_choice(invocation: Invocation, choice: Choice) -> Reply:
    """Run a choice the user picked from an ambiguous plan."""
    outcome = await execute(invocation, choice.command, dict(choice.args))
    return outcome.to_reply(planner="choice", notice=None)


def missing_or_invalid(
    spec: CommandSpec, args: dict[str, Any], syntax: Syntax
) -> tuple[list[str], str] | None:
    """(options to ask for, why) when ``args`` cannot run ``spec`` on that client, else None."""
    fields = planner_fields(spec, syntax)
    unknown = sorted(set(args) - set(fields))
    required = [
        name
        for name, item in fields.items()
        if is_required(spec, item) and args.get(name) in (None, "")
    ]
    if unknown:
        return required, _unknown_options(spec, unknown, syntax)
    if required:
        return required, ""
    try:
        build_options(spec, args)
    except InputError as error:
        return list(args), str(error)
    return None


def _unknown_options(spec: CommandSpec, unknown: list[str], syntax: Syntax) -> str:
    """Why these options are refused: unknown, or not offered on this client."""
    # Options the command has but this client does not offer (``roll --stats`` on Discord).
    elsewhere = [
        item.name
        for item in spec.fields()
        if item.name in unknown and not syntax.offers(option_meta(item))
    ]
    if elsewhere:
        names = ", ".join(map(repr, elsewhere))
        return f"{syntax.command(spec.name)} has no option {names} on {syntax.where}"
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
    syntax = invocation.syntax
    purpose = spec.purpose or f"run {spec.name}"
    text = f"To {purpose}, use `{syntax.usage(spec.name, missing)}`"
    if spec.see_also:
        text += f" (see `{syntax.command(spec.see_also)}`)"
    return f"{text}. {why[:1].upper()}{why[1:]}." if why else f"{text}."


def _rejected(invocation: Invocation, name: str, args: dict[str, Any]) -> PlanReply:
    syntax = invocation.syntax
    known = ", ".join(syntax.command(n) for n in planner_commands(invocation.commands))
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
        name = plan_name(reading.command, reading.subcommand)
        if name in commands:
            args = dict(reading.args)
            label = f"{name} " + " ".join(f"{k}={v!r}" for k, v in args.items())
            choices.append(
                Choice(label=shorten(label.strip(), PLAN_LABEL_CHARS), command=name, args=args)
            )
    return choices


def _ambiguous_message(invocation: Invocation) -> str:
    # Where ``act`` has no --choose (Discord), the choices come as buttons.
    syntax = invocation.syntax
    if not syntax.has("act", "choose"):
        return "I'm not sure what you meant. Pick one:"
    again = syntax.option("choose", "N", command="act")
    return f"I'm not sure what you meant. Run again with {again} to pick one:"
