"""Build adventorator/rules/data/srd_monsters.json.gz from the 5e-bits SRD 5.1 monsters.

    python scripts/build_srd_monsters.py [/work/shared/data/srd-5.1/5e-SRD-Monsters.json]

The source is 5e-database's ``src/2014/en/5e-SRD-Monsters.json``. The output keeps
what the rules and the stat block need, with our damage type, condition, ability
and skill names, and is gzipped with a fixed mtime so a rebuild from the same
source is byte-identical. The licence file beside the source is copied next to it.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from adventorator.rules.conditions import Condition
from adventorator.rules.damage import DamageType

DEFAULT_SOURCE = Path("/work/shared/data/srd-5.1/5e-SRD-Monsters.json")
OUT_DIR = Path(__file__).resolve().parents[1] / "adventorator" / "rules" / "data"
OUT_FILE = OUT_DIR / "srd_monsters.json.gz"
LICENCE = "LICENSE-5e-database.md"

DAMAGE_TYPES = [t.value for t in DamageType]
CONDITIONS = [c.value for c in Condition] + ["exhaustion"]  # exhaustion has levels
ABILITIES = ("str", "dex", "con", "int", "wis", "cha")
ABILITY_KEYS = ("strength", "dexterity", "constitution", "intelligence", "wisdom", "charisma")
_FEET = re.compile(r"^(\d+) ft\.(.*)$")


def _feet(text: str) -> tuple[int, str]:
    match = _FEET.match(text.strip())
    if match is None:
        raise ValueError(f"not a distance in feet: {text!r}")
    return int(match.group(1)), match.group(2).strip()


def _defences(entries: list[str]) -> tuple[list[str], list[str]]:
    """Damage types named in ``entries``, and the entries that qualify them, as text."""
    types: list[str] = []
    notes: list[str] = []
    for entry in entries:
        if entry in DAMAGE_TYPES:
            types.append(entry)
            continue
        # Our attacks are not marked magical, so "from nonmagical weapons" applies to all
        # of them; other qualifiers ("from magic weapons wielded by good creatures") stay text.
        if "nonmagical" in entry:
            named = [t for t in DAMAGE_TYPES if re.search(rf"\b{t}\b", entry.split(" from ")[0])]
            types.extend(t for t in named if t not in types)
        notes.append(entry)
    return types, notes


def _damage_part(part: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"dice": part["damage_dice"].replace(" ", "")}
    kind = part["damage_type"]["index"]
    if kind not in DAMAGE_TYPES:
        raise ValueError(f"unknown damage type {kind!r}")
    out["type"] = kind
    if part.get("notes"):
        out["note"] = part["notes"]
    return out


def _damage(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for part in parts:
        if "choose" in part:  # "1d8+3 slashing, or 1d10+3 if used with two hands"
            options = [_damage_part(o) for o in part["from"]["options"]]
            first = options[0]
            if options[1:]:
                first["or"] = options[1:]
            out.append(first)
        else:
            out.append(_damage_part(part))
    return out


def _usage(usage: dict[str, Any] | None) -> str | None:
    if usage is None:
        return None
    if usage["type"] == "recharge on roll":
        low = usage["min_value"]
        return "Recharge 6" if low == 6 else f"Recharge {low}-6"
    if usage["type"] == "per day":
        return f"{usage['times']}/Day"
    return "Recharges after a " + " or ".join(usage.get("rest_types", ["rest"])) + " rest"


def _count(count: Any) -> int | str:
    # A count is a number, or text such as "Number of Heads" (the hydra).
    return int(count) if str(count).isdigit() else str(count)


def _action(action: dict[str, Any]) -> dict[str, Any]:
    desc = " ".join(action["desc"].split())
    out: dict[str, Any] = {"name": action["name"], "desc": desc}
    if "attack_bonus" in action:
        out["attack_bonus"] = action["attack_bonus"]
        kind = re.match(r"(Melee or Ranged|Melee|Ranged) (Weapon|Spell) Attack", desc)
        if kind:
            out["kind"] = kind.group(1).lower()
    if reach := re.search(r"reach (\d+) ft\.", desc):
        out["reach"] = int(reach.group(1))
    if reach_range := re.search(r"range (\d+)(?:/(\d+))? ft\.", desc):
        out["range"] = [int(x) for x in reach_range.groups() if x]
    if action.get("damage"):
        out["damage"] = _damage(action["damage"])
    if "dc" in action:
        dc = action["dc"]
        out["dc"] = {
            "ability": dc["dc_type"]["index"],
            "value": dc["dc_value"],
            "success": dc.get("success_type", "none"),
        }
    if usage := _usage(action.get("usage")):
        out["usage"] = usage
    if action.get("multiattack_type") == "actions":
        out["multiattack"] = [
            {"action": a["action_name"], "count": _count(a["count"]), "type": a["type"]}
            for a in action.get("actions", [])
        ]
    elif action["name"] == "Multiattack":
        out["multiattack"] = []
    return out


def _text(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        item = {"name": entry["name"], "desc": " ".join(entry["desc"].split())}
        if usage := _usage(entry.get("usage")):
            item["usage"] = usage
        out.append(item)
    return out


def _proficiencies(monster: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    saves: dict[str, int] = {}
    skills: dict[str, int] = {}
    for entry in monster["proficiencies"]:
        index = entry["proficiency"]["index"]
        if index.startswith("saving-throw-"):
            saves[index.removeprefix("saving-throw-")] = entry["value"]
        elif index.startswith("skill-"):
            skills[index.removeprefix("skill-").replace("-", "_")] = entry["value"]
        else:
            raise ValueError(f"unknown proficiency {index!r}")
    return saves, skills


def _senses(senses: dict[str, Any]) -> tuple[dict[str, int], list[str]]:
    ranges: dict[str, int] = {}
    notes: list[str] = []
    for key, value in senses.items():
        if key == "passive_perception":
            ranges[key] = int(value)
            continue
        feet, rest = _feet(value)
        ranges[key] = feet
        if rest:
            notes.append(f"{key} {value}")
    return ranges, notes


def _armor_class(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        item: dict[str, Any] = {"value": entry["value"], "kind": entry["type"]}
        named = entry.get("armor") or [entry.get("spell") or entry.get("condition") or {}]
        names = ", ".join(a["name"] for a in named if a)
        if names:
            item["note"] = names
        out.append(item)
    return out


def compact(monster: dict[str, Any]) -> dict[str, Any]:
    """One monster of the source in the package's form."""
    saves, skills = _proficiencies(monster)
    senses, sense_notes = _senses(monster["senses"])
    vulnerabilities, vulnerable_notes = _defences(monster["damage_vulnerabilities"])
    resistances, resistant_notes = _defences(monster["damage_resistances"])
    immunities, immune_notes = _defences(monster["damage_immunities"])
    conditions = [c["index"] for c in monster["condition_immunities"]]
    unknown = [c for c in conditions if c not in CONDITIONS]
    if unknown:
        raise ValueError(f"{monster['index']}: unknown conditions {unknown}")
    speed: dict[str, Any] = {}
    for key, value in monster["speed"].items():
        speed[key] = True if value is True else _feet(value)[0]
    return {
        "index": monster["index"],
        "name": monster["name"],
        "size": monster["size"],
        "type": monster["type"],
        "subtype": monster.get("subtype"),
        "alignment": monster["alignment"],
        "ac": _armor_class(monster["armor_class"]),
        "hp": monster["hit_points"],
        "hit_dice": monster["hit_dice"],
        "hp_roll": monster["hit_points_roll"].replace(" ", ""),
        "speed": speed,
        "abilities": dict(zip(ABILITIES, (monster[k] for k in ABILITY_KEYS), strict=True)),
        "pb": monster["proficiency_bonus"],
        "cr": monster["challenge_rating"],
        "xp": monster["xp"],
        "saves": saves,
        "skills": skills,
        "senses": senses,
        "sense_notes": sense_notes,
        "languages": monster["languages"],
        "vulnerabilities": vulnerabilities,
        "resistances": resistances,
        "immunities": immunities,
        "defence_notes": (
            [f"vulnerable to {n}" for n in vulnerable_notes]
            + [f"resistant to {n}" for n in resistant_notes]
            + [f"immune to {n}" for n in immune_notes]
        ),
        "condition_immunities": conditions,
        "special_abilities": _text(monster.get("special_abilities", [])),
        "actions": [_action(a) for a in monster.get("actions", [])],
        "reactions": _text(monster.get("reactions", [])),
        "legendary_actions": _text(monster.get("legendary_actions", [])),
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    monsters = [compact(m) for m in json.loads(source.read_text(encoding="utf-8"))]
    monsters.sort(key=lambda m: m["index"])
    text = json.dumps(
        {"source": "5e-bits/5e-database src/2014/en/5e-SRD-Monsters.json", "monsters": monsters},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    shutil.copyfile(source.parent / LICENCE, OUT_DIR / LICENCE)
    print(
        f"{len(monsters)} monsters: {len(text):,} bytes of JSON, "
        f"{OUT_FILE.stat().st_size:,} gzipped"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
