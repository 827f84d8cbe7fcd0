"""``adv sheet new``: ask for a sheet's essentials on a terminal, then save it as ``sheet create``.

The questions are client work, so they live here: the answers become a sheet
document that goes through the very path ``sheet create --file`` takes (the
same validation, errors, "now playing" notice and ``--json``). Each answer is
checked as it is given and asked again with the one-line reason. Ctrl-C or
end of input aborts as ``cli._confirm`` does (exit 1) with nothing written.
Not on a pipe: a script writes the JSON and uses ``sheet create``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import typer

from adventorator.cli._run import echo, fail, global_options, render, run_async, run_spec
from adventorator.commands import Invocation, Reply, find_command, sheet_panel, sheet_text
from adventorator.errors import AdventoratorError, InputError

T = TypeVar("T")

HELP = (
    "Make a sheet by answering questions on a terminal (name, class, level, "
    "scores, skills), then save it as `sheet create` does."
)
NOT_A_TERMINAL = (
    "sheet new asks its questions on a terminal; from a script use "
    "`adv sheet create --file FILE` or `adv sheet example NAME | adv sheet create --file -`"
)
# SRD 5.1 classes and the saving throws each is proficient in.
SRD_SAVES: dict[str, tuple[str, str]] = {
    "Barbarian": ("str", "con"),
    "Bard": ("dex", "cha"),
    "Cleric": ("wis", "cha"),
    "Druid": ("int", "wis"),
    "Fighter": ("str", "con"),
    "Monk": ("str", "dex"),
    "Paladin": ("wis", "cha"),
    "Ranger": ("str", "dex"),
    "Rogue": ("dex", "int"),
    "Sorcerer": ("con", "cha"),
    "Warlock": ("wis", "cha"),
    "Wizard": ("int", "wis"),
}


@dataclass(frozen=True)
class _Talk:
    """Where the conversation goes: stdout, or stderr when stdout carries --json."""

    err: bool

    def ask(self, question: str, parse: Callable[[str], T], *, default: str | None = None) -> T:
        """Ask until ``parse`` accepts the answer; a refusal prints its reason and asks again."""
        while True:
            answer: str = typer.prompt(
                question, default=default, show_default=bool(default), err=self.err
            )
            try:
                return parse(answer.strip())
            except AdventoratorError as error:
                echo(f"  {error.message}", err=self.err)

    def say(self, text: str) -> None:
        echo(text, err=self.err)


def add_to(group: typer.Typer) -> None:
    """Register ``new`` on the ``sheet`` group, and name it in the group's help (CLI only)."""
    group.command("new", help=HELP)(new)
    kind, _, commands = str(group.info.help).partition(": ")
    group.info.help = f"{kind}: new (asks on a terminal), {commands}" if commands else kind


def new(
    ctx: typer.Context,
    replace: bool = typer.Option(False, "--replace", help="Overwrite your sheet of the same name."),
    json_output: bool = typer.Option(
        False, "--json", help="Print the saved sheet as JSON (the questions go to stderr)."
    ),
) -> None:
    """Ask for the essentials, show the sheet, and save it on a yes."""
    debug = global_options(ctx).debug
    if not sys.stdin.isatty():
        fail(InputError(NOT_A_TERMINAL), debug=debug)
    talk = _Talk(err=json_output)
    taken = _taken_names(ctx)  # before the first question: a name in use is asked again
    document = ask_document(talk, _new_name(taken, replace=replace))
    try:
        _preview(document, talk)
    except AdventoratorError as error:
        fail(error, debug=debug)
    if not typer.confirm("Save this sheet?", default=True, err=talk.err):
        raise typer.Abort()
    spec = find_command("sheet create")
    assert spec is not None
    options = spec.options(json=json.dumps(document, ensure_ascii=False), replace=replace)
    run_spec(ctx, spec, options, as_json=json_output, seed=None)


def ask_document(talk: _Talk, name_parser: Callable[[str], str]) -> dict[str, Any]:
    """The sheet document built from the answers (validated again when it is saved)."""
    from adventorator.rules.srd import ABILITY_SCORE_MAX, ABILITY_SCORE_MIN, Ability

    name = talk.ask("Name", name_parser)
    class_name = talk.ask(f"Class ({', '.join(SRD_SAVES)}, or your own)", _class_name)
    level = talk.ask("Level (1-20)", lambda text: _number(text, "level", 1, 20))
    talk.say(
        f"Ability scores, {ABILITY_SCORE_MIN}-{ABILITY_SCORE_MAX} "
        "(standard array: 15, 14, 13, 12, 10, 8; point buy: 8-15 before bonuses)."
    )
    abilities = {
        ability.value: talk.ask(f"  {ability.long}", _score(ability.long)) for ability in Ability
    }
    skills = talk.ask("Proficient skills, comma-separated (Enter for none)", _skills, default="")
    saves = talk.ask(
        "Saving throw proficiencies (Enter to accept; 'none' for none)",
        _saves,
        default=", ".join(SRD_SAVES.get(class_name, ())),
    )
    document: dict[str, Any] = {
        "name": name,
        "class": class_name,
        "level": level,
        "abilities": abilities,
        "saves": saves,
        "skills": dict.fromkeys(skills, "proficient"),
    }
    hp = talk.ask("Hit point maximum (Enter to skip)", _optional(1, 999, "HP maximum"), default="")
    if hp is not None:
        document["hp"] = {"max": hp, "current": hp}
    ac = talk.ask("Armor class (Enter to skip)", _optional(1, 40, "armor class"), default="")
    if ac is not None:
        document["ac"] = ac
    return document


def _preview(document: dict[str, Any], talk: _Talk) -> None:
    """Show the sheet as `sheet show` does (plain text on stderr beside --json)."""
    from adventorator.rules.engine import Dnd5eRuleset
    from adventorator.sheet import parse_sheet_data

    sheet = parse_sheet_data(document)
    ruleset = Dnd5eRuleset()
    if talk.err:
        talk.say(sheet_text(sheet, ruleset))
    else:
        render(
            Reply(text=sheet_text(sheet, ruleset), rich=lambda: sheet_panel(sheet, ruleset)),
            as_json=False,
        )


def _taken_names(ctx: typer.Context) -> dict[str, bool]:
    """The campaign's character names (as ``text.name_key``) and whether each is yours."""
    import random

    from adventorator.text import name_key

    spec = find_command("sheet list")
    assert spec is not None

    async def read(app: Any) -> Any:
        reply = await spec.handler(Invocation(app=app, rng=random.Random()), spec.options())
        return reply.data

    data = run_async(ctx, read)
    return {name_key(item["name"]): bool(item["yours"]) for item in data["characters"]}


def _new_name(taken: dict[str, bool], *, replace: bool) -> Callable[[str], str]:
    """Check a name as ``sheet create`` will: a taken one is asked again, not refused at the end."""
    from adventorator.text import name_key

    def parse(text: str) -> str:
        name = _name(text)
        yours = taken.get(name_key(name))
        if yours is False:
            raise InputError(f"{name!r} is another player's character: choose another name")
        if yours and not replace:
            raise InputError(
                f"you already have {name!r}: choose another name, "
                "or run `adv sheet new --replace` to overwrite it"
            )
        return name

    return parse


def _name(text: str) -> str:
    from adventorator.text import name_problem

    problem = "must not be empty" if not text else name_problem(text)
    if problem is None and len(text) > 100:
        problem = "is longer than 100 characters"
    if problem is not None:
        raise InputError(f"the name {problem}")
    return text


def _class_name(text: str) -> str:
    srd = {name.lower(): name for name in SRD_SAVES}
    if not 1 <= len(text) <= 50:
        raise InputError("the class must be 1 to 50 characters")
    return srd.get(text.lower(), text)


def _number(text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InputError(f"{what} must be a whole number from {low} to {high}, got {text!r}")
    return value


def _score(ability: str) -> Callable[[str], int]:
    from adventorator.rules.srd import ABILITY_SCORE_MAX, ABILITY_SCORE_MIN

    return lambda text: _number(text, ability, ABILITY_SCORE_MIN, ABILITY_SCORE_MAX)


def _optional(low: int, high: int, what: str) -> Callable[[str], int | None]:
    return lambda text: _number(text, what, low, high) if text else None


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _skills(text: str) -> list[str]:
    """The SRD skills named, in the order given; an unknown one gets a close match."""
    import difflib

    from adventorator.rules.srd import RulesError, Skill, parse_skill

    found: list[str] = []
    for word in _words(text):
        try:
            skill = parse_skill(word)
        except RulesError:
            names = {skill.long.lower(): skill.long for skill in Skill}
            close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.6)
            every = ", ".join(names.values())
            hint = f"did you mean {names[close[0]]}?" if close else f"valid skills: {every}"
            raise InputError(f"unknown skill {word!r}: {hint}") from None
        if skill.value not in found:
            found.append(skill.value)
    return found


def _saves(text: str) -> list[str]:
    from adventorator.rules.srd import parse_ability

    if text.lower() == "none":
        return []
    return list(dict.fromkeys(parse_ability(word).value for word in _words(text)))
