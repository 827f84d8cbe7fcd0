"""Human renderings of a sheet: plain text (pipes, Discord) and a rich panel.

User text (the name, class, subclass) enters the panel only as ``rich.text.Text``,
which rich never parses as markup: ``Closer [/bold]`` prints as itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adventorator.commands._sheet_table_state import table_state

if TYPE_CHECKING:
    from adventorator.rules import Ruleset
    from adventorator.sheet import CharacterSheet


def _title(sheet: CharacterSheet) -> str:
    subclass = f" ({sheet.subclass})" if sheet.subclass else ""
    return f"{sheet.name}: level {sheet.level} {sheet.class_name}{subclass}"


def _vitals(sheet: CharacterSheet, derived: dict[str, Any]) -> str:
    # AC and HP are optional on a sheet: show a dash rather than fail.
    hp = sheet.hp
    ac = "—" if sheet.ac is None else str(sheet.ac)
    hit_points = "—" if hp is None else f"{hp.current}/{hp.max}"
    temp = f" +{hp.temp} temp" if hp is not None and hp.temp else ""
    return (
        f"AC {ac}  HP {hit_points}{temp}  Speed {sheet.speed.walk} ft  "
        f"Initiative {derived['initiative']:+d}  Proficiency +{derived['proficiency_bonus']}"
    )


def _marked(proficiency: str) -> str:
    return {"expertise": "**", "proficient": "*", "half": "½"}.get(proficiency, "")


def _derived(sheet: CharacterSheet, ruleset: Ruleset) -> dict[str, Any]:
    from adventorator.sheet import DerivedValues

    return DerivedValues(sheet, ruleset).to_json()


def sheet_text(sheet: CharacterSheet, ruleset: Ruleset) -> str:
    """A compact plain-text sheet with every number derived by ``ruleset``, then table state."""
    derived = _derived(sheet, ruleset)
    abilities = "  ".join(
        f"{key.upper()} {value['score']} ({value['modifier']:+d})"
        for key, value in derived["abilities"].items()
    )
    saves = ", ".join(
        f"{key.upper()}{'*' if value['proficient'] else ''} {value['bonus']:+d}"
        for key, value in derived["saves"].items()
    )
    skills = ", ".join(
        f"{name.replace('_', ' ')}{_marked(value['proficiency'])} {value['bonus']:+d}"
        for name, value in derived["skills"].items()
    )
    passive = ", ".join(f"{name} {value}" for name, value in derived["passive"].items())
    lines = [
        _title(sheet),
        _vitals(sheet, derived),
        abilities,
        f"Saves: {saves}",
        f"Skills: {skills}",
        f"Passive: {passive}",
    ]
    lines += [f"{label}: {value}" for label, value in table_state(sheet, ruleset)]
    lines.append("(* proficient, ** expertise, ½ half proficiency)")
    return "\n".join(lines)


def sheet_panel(sheet: CharacterSheet, ruleset: Ruleset) -> object:
    """A rich panel: abilities, skills, saves, AC, HP, passives (by ``ruleset``), table state."""
    from rich.console import Group, RenderableType
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    from adventorator.text import clean_line

    derived = _derived(sheet, ruleset)
    abilities = Table(box=None, show_header=True, pad_edge=False)
    for key in derived["abilities"]:
        abilities.add_column(key.upper(), justify="center")
    abilities.add_row(
        *(f"{v['score']} ({v['modifier']:+d})" for v in derived["abilities"].values())
    )
    skills = Table("Skill", "Bonus", "Save", "Bonus", box=None, pad_edge=False)
    skill_rows = [
        (f"{name.replace('_', ' ').title()}{_marked(v['proficiency'])}", f"{v['bonus']:+d}")
        for name, v in derived["skills"].items()
    ]
    save_rows = [
        (f"{key.upper()}{'*' if v['proficient'] else ''}", f"{v['bonus']:+d}")
        for key, v in derived["saves"].items()
    ]
    for index, (skill, bonus) in enumerate(skill_rows):
        save, save_bonus = save_rows[index] if index < len(save_rows) else ("", "")
        skills.add_row(skill, bonus, save, save_bonus)
    passive = "  ".join(f"Passive {n.title()} {v}" for n, v in derived["passive"].items())
    state = Table(box=None, show_header=False, pad_edge=False)
    state.add_column(style="bold", no_wrap=True)
    state.add_column(max_width=72)  # the panel stays narrow however long the notes are
    for label, value in table_state(sheet, ruleset):
        state.add_row(Text(label), Text(clean_line(value)))
    parts: list[RenderableType] = [
        Text(_vitals(sheet, derived)),
        "",
        abilities,
        "",
        skills,
        "",
        Text(passive),
    ]
    if state.row_count:
        parts += ["", state]
    return Panel(
        Group(*parts),
        title=Text(clean_line(_title(sheet))),
        subtitle="* proficient  ** expertise  ½ half",
        expand=False,
    )
