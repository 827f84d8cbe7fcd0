"""The initiative tracker: an init command's reply as a message with Next turn, Attack and End.

The registry's ``init`` commands answer with the encounter as data
(``EncounterView.to_json``); here it becomes the turn order, the current
combatant marked ``▶``, and buttons whose ``custom_id`` carries the turn it
was drawn at (``init:next:<encounter>:<round>:<turn>``), so a press on a stale
tracker is told the turn moved on. Monsters' numbers are hidden (players
share the channel): a monster shows only "bloodied" (below half its hit
points) or "down" (0); characters show their HP. The game master's "Numbers"
button answers privately with every HP and AC. Past 2,000 characters (or
``WINDOW`` combatants) the order shows those around the current turn and how
many more there are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adventorator.discord_webhook import _render as render
from adventorator.errors import AdventoratorError
from adventorator.text import escape_markdown

if TYPE_CHECKING:
    from adventorator.context import AppContext
    from adventorator.identity import Identity
    from adventorator.sheet import CharacterSheet

# The commands whose reply is a tracker (init end's is a summary: no buttons).
TRACKED = frozenset(
    {"init list", "init begin", "init add", "init roll", "init next", "init prev", "init remove"}
)
WINDOW = 15  # combatants shown at most: a few before the current one, the rest after
BEFORE = 3
DANGER = 4  # ButtonStyle DANGER (End)
_CUSTOM_ID = re.compile(r"init:(next|attack|end|gm):([0-9]{1,20})(?::([0-9]{1,6}):([0-9]{1,6}))?")


@dataclass(frozen=True)
class Press:
    """A tracker button: what it does, on which encounter, at which turn it was drawn."""

    action: str
    encounter_id: int
    round: int | None = None
    turn: int | None = None


def parse_press(custom_id: str) -> Press | None:
    matched = _CUSTOM_ID.fullmatch(custom_id)
    if matched is None:
        return None
    action, encounter, round_, turn = matched.groups()
    if action == "next" and round_ is None:
        return None
    return Press(
        action,
        int(encounter),
        None if round_ is None else int(round_),
        None if turn is None else int(turn),
    )


@dataclass(frozen=True)
class Status:
    """What a combatant's sheet says at the table: hidden for monsters, numbers for the GM."""

    monster: bool
    current: int | None
    maximum: int | None
    ac: int | None
    conditions: tuple[str, ...] = ()

    @classmethod
    def of(cls, sheet: CharacterSheet) -> Status:
        hp = sheet.hp
        return cls(
            monster=sheet.monster is not None,
            current=None if hp is None else hp.current,
            maximum=None if hp is None else hp.max,
            ac=sheet.ac,
            conditions=tuple(str(c) for c in sheet.conditions),
        )

    def public(self) -> str:
        """Players' view: a character's HP, a monster's state word only."""
        if self.current is None or self.maximum is None:
            return ""
        if self.monster:
            return hidden_state(self.current, self.maximum)
        return f"{self.current}/{self.maximum} HP"

    def numbers(self) -> str:
        hp = "" if self.current is None else f"{self.current}/{self.maximum} HP"
        ac = "" if self.ac is None else f"AC {self.ac}"
        return ", ".join(part for part in (hp, ac) if part) or "no HP or AC on the sheet"


def hidden_state(current: int, maximum: int) -> str:
    """ "down" at 0, "bloodied" below half, else nothing: what players see of a monster."""
    if current <= 0:
        return "down"
    return "bloodied" if current * 2 < maximum else ""


async def is_game_master(app: AppContext, identity: Identity) -> bool:
    """A Discord-granted game master (``Identity.gm``), or the campaign's recorded one."""
    if identity.gm:
        return True
    ids = await app.lookup(identity)
    if ids.player_id is None or ids.campaign_id is None:
        return False
    gm = await (await app.play_state()).gm(ids.campaign_id)
    return gm is not None and gm[0] == ids.player_id


async def statuses(
    app: AppContext, identity: Identity, encounter: Mapping[str, Any]
) -> dict[int, Status]:
    """Each combatant's Status by combatant id (from the character cache); missing ones skipped."""
    ids = await app.lookup(identity)
    if ids.campaign_id is None:
        return {}
    characters = await app.characters()
    found: dict[int, Status] = {}
    for combatant in encounter.get("combatants", ()):
        try:
            record = await characters.get_by_id(ids.campaign_id, int(combatant["character_id"]))
        except AdventoratorError:  # removed meanwhile: shown without a status
            continue
        found[int(combatant["id"])] = Status.of(record.sheet)
    return found


def order_lines(
    encounter: Mapping[str, Any], shown: Mapping[int, str], window: int = WINDOW
) -> list[str]:
    """The turn order as Discord lines, at most ``window`` combatants, the rest counted."""
    combatants: Sequence[Mapping[str, Any]] = encounter.get("combatants", ())
    current = encounter.get("current")
    started = int(encounter.get("round", 0)) > 0
    at = int(encounter.get("turn", 0)) if started and combatants else -1
    start, stop = _window(len(combatants), at, window)
    lines = []
    if start > 0:
        lines.append(f"… {start} more before")
    for index in range(start, stop):
        combatant = combatants[index]
        initiative = combatant.get("initiative")
        name = escape_markdown(str(combatant["name"]))
        state = shown.get(int(combatant["id"]), "")
        line = f"`{'?' if initiative is None else initiative:>3}` {name}"
        line += f" ({escape_markdown(state)})" if state else ""
        lines.append(f"▶ **{line}**" if index == at and current is not None else f"　{line}")
    if stop < len(combatants):
        lines.append(f"… {len(combatants) - stop} more")
    return lines


def _window(count: int, at: int, window: int) -> tuple[int, int]:
    if count <= window:
        return 0, count
    start = max(0, min(at - BEFORE, count - window)) if at >= 0 else 0
    return start, start + window


def tracker_text(
    encounter: Mapping[str, Any], shown: Mapping[int, str], header: Sequence[str] = ()
) -> str:
    """The header lines (what just happened), the round and whose turn, the order, the effects."""
    round_ = int(encounter.get("round", 0))
    current = encounter.get("current")
    if round_ == 0:
        status = "**Not started**: Next turn begins round 1"
    else:
        status = f"**Round {round_}**: {escape_markdown(str(current))}'s turn"
    effects = [
        f"_{escape_markdown(str(e['name']))}: {escape_markdown(str(e['condition']))} "
        f"until the {e['until']} of its turn ({e['remaining']} left)_"
        for e in encounter.get("effects", ())
    ]
    if not encounter.get("combatants"):
        effects.insert(0, "(no combatants yet: `/init add`)")
    said = f"Round {round_}: {current}'s turn"  # init next's summary: the status says it
    head = [escape_markdown(line) for line in header if line != said]
    window = WINDOW
    while True:  # shrink the window until it fits; the header is cut last
        text = "\n".join([*head, status, *order_lines(encounter, shown, window), *effects])
        if len(text) <= render.MAX_CONTENT or window <= 1:
            return text if len(text) <= render.MAX_CONTENT else render.truncate(text)
        window = max(1, window - 3)


def components(encounter: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Next turn (carrying the turn it was drawn at), Attack, End, and Numbers for the GM."""
    ident = int(encounter["id"])
    at = f"{int(encounter.get('round', 0))}:{int(encounter.get('turn', 0))}"

    def button(label: str, custom_id: str, style: int) -> dict[str, Any]:
        return {"type": render.BUTTON, "style": style, "label": label, "custom_id": custom_id}

    row = [
        button("Next turn", f"init:next:{ident}:{at}", render.PRIMARY),
        button("Attack", f"init:attack:{ident}", render.SECONDARY),
        button("End", f"init:end:{ident}", DANGER),
        button("Numbers (GM)", f"init:gm:{ident}", render.SECONDARY),
    ]
    return [{"type": render.ACTION_ROW, "components": row}]


async def tracker_message(
    app: AppContext, identity: Identity, data: Mapping[str, Any], *, header: bool = True
) -> dict[str, Any] | None:
    """The tracker for an init reply's data (None when it holds no running encounter)."""
    encounter = data.get("encounter")
    if not isinstance(encounter, Mapping):
        return None
    found = await statuses(app, identity, encounter)
    shown = {cid: status.public() for cid, status in found.items()}
    lines = (
        [str(data["summary"]), *map(str, data.get("lines", ()))]
        if header and "summary" in data
        else []
    )
    return {
        "content": tracker_text(encounter, shown, lines),
        "allowed_mentions": render.NO_MENTIONS,
        "components": components(encounter),
    }


def numbers_text(encounter: Mapping[str, Any], found: Mapping[int, Status]) -> str:
    """The GM's private view: every combatant's HP and AC, conditions too."""
    lines = ["**Numbers** (only you see this)"]
    for combatant in encounter.get("combatants", ()):
        status = found.get(int(combatant["id"]))
        shown = "no sheet" if status is None else status.numbers()
        if status is not None and status.conditions:
            shown += "; " + ", ".join(status.conditions)
        lines.append(f"{escape_markdown(str(combatant['name']))}: {shown}")
    text = "\n".join(lines)
    return text if len(text) <= render.MAX_CONTENT else render.truncate(text)
