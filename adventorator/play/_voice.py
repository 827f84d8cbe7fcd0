"""The narrator's two calls (propose, narrate): the LLM, or the offline one on failure.

One ``Narrator`` per ``do`` turn. It asks the model for a proposal and for the
telling of the engine's outcome, and falls back to the offline narrator for
the rest of the turn (saying so) at the first failure. In an encounter the
proposal prompt lists the acting character's attacks and the combatants.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adventorator.errors import LLMError
from adventorator.play._outcomes import degree_of
from adventorator.play.proposals import Narration, NarratorProposal

if TYPE_CHECKING:
    from adventorator.llm import LLMClient, ModelTurn
    from adventorator.play._context import PlayContext
    from adventorator.play.combat import AttackOutcome, CombatScene, ValidAttack
    from adventorator.play.offline_narrator import CommandWords
    from adventorator.rules.engine import CheckResult, Ruleset
    from adventorator.sheet import CharacterSheet

__all__ = ["Narrator"]

log = logging.getLogger("adventorator.play.narrator")


class Narrator:
    """The LLM narrator, falling back to the offline one (and saying so) on failure."""

    def __init__(
        self,
        llm: LLMClient | None,
        app: PlayContext,
        sheet: CharacterSheet,
        ruleset: Ruleset,
        turn: ModelTurn,
        words: CommandWords | None = None,
    ) -> None:
        self._llm = llm
        self._words = words
        self._settings = app.settings
        self._sheet = sheet
        self._turn = turn
        self._summary = ""
        self.notice: str | None = None
        self.failure: str | None = None  # why the LLM did not answer, for the transcript
        if llm is not None and turn.failure is not None:
            # The model already failed in this turn (an ``act``'s planner): no new call.
            self.failure = str(turn.failure)
            self.notice = (
                f"The model already failed in this turn ({self.failure}); "
                "the offline narrator answered."
            )
            self._llm = None
        if self._llm is not None:
            from adventorator.llm import summarize_sheet_for_prompt

            self._summary = summarize_sheet_for_prompt(sheet, ruleset)

    @property
    def name(self) -> str:
        return "llm" if self._llm is not None else "offline"

    def meta(self) -> dict[str, str]:
        """What the transcript keeps about who narrated, and why not the LLM."""
        meta = {"narrator": self.name}
        if self.failure is not None:
            meta["llm_failure"] = self.failure
        return meta

    def _fall_back(self, error: LLMError) -> None:
        log.warning("LLM failed, using the offline narrator: %s", error)
        self.failure = str(error)
        self.notice = f"The LLM narrator failed ({error}); the offline narrator answered."
        self._llm = None

    async def propose(
        self, text: str, history: list[tuple[str, str]], scene: CombatScene | None = None
    ) -> NarratorProposal:
        """The check (or, in an encounter, the attack) the model proposes for ``text``."""
        from adventorator.llm import build_narrator_messages
        from adventorator.play.offline_narrator import offline_proposal

        if self._llm is not None:
            messages = build_narrator_messages(
                player_text=text,
                sheet_summary=self._summary,
                transcript=history,
                max_prompt_tokens=self._settings.llm_max_prompt_tokens,
                model=self._settings.llm_model,
                combat=None if scene is None or not scene.running else combat_context(scene),
            )
            try:
                return await self._llm.complete_structured(
                    messages, NarratorProposal, name="narrator_proposal", turn=self._turn
                )
            except LLMError as error:
                self._fall_back(error)
        return offline_proposal(text, self._words, scene)

    async def narrate_attack(self, text: str, attack: ValidAttack, outcome: AttackOutcome) -> str:
        """The telling of an attack the engine resolved: hit or miss, damage, the target's state."""
        from adventorator.llm import build_narration_messages
        from adventorator.play._offline_attacks import attack_narration

        told = outcome.told(attack.target)
        if self._llm is not None:
            roll_line = outcome.text.splitlines()[0] if outcome.text else ""
            messages = build_narration_messages(
                player_text=text,
                sheet_summary=self._summary,
                check_text=roll_line,
                success=bool(outcome.hit),
                reason=attack.reason,
                outcome_text=told,
            )
            try:
                reply = await self._llm.complete_structured(
                    messages, Narration, name="narration", turn=self._turn
                )
                return reply.narration
            except LLMError as error:
                self._fall_back(error)
        return attack_narration(text, attack, outcome)

    async def narrate(
        self, text: str, result: CheckResult | None, reason: str, *, auto_fail: bool = False
    ) -> str:
        """The telling of the engine's outcome, its degree included.

        An automatic failure (a condition) is told as one, without the die:
        the narration must not read the roll the engine ignored.
        """
        from adventorator.llm import build_narration_messages
        from adventorator.play.offline_narrator import offline_narration

        degree = None if result is None else degree_of(result, auto_fail=auto_fail)
        success = None if result is None else (False if auto_fail else result.success)
        if self._llm is not None:
            check_text = None
            if result is not None:
                check_text = (
                    f"{result.check.title}: automatic failure" if auto_fail else result.text()
                )
            messages = build_narration_messages(
                player_text=text,
                sheet_summary=self._summary,
                check_text=check_text,
                success=success,
                reason=reason,
                degree=None if degree is None else degree.describe(),
            )
            try:
                reply = await self._llm.complete_structured(
                    messages, Narration, name="narration", turn=self._turn
                )
                return reply.narration
            except LLMError as error:
                self._fall_back(error)
        return offline_narration(
            player_text=text,
            character_name=self._sheet.name,
            check_title=None if result is None else result.check.title,
            success=success,
            degree=degree,
        )


def combat_context(scene: CombatScene) -> str:
    """The ENCOUNTER block of the proposal prompt: turn, combatants, the actor's attacks.

    Monsters' hit points and armor class are left out: the model needs names only.
    """
    if not scene.running:
        return "ENCOUNTER: none is running in this scene, so do not propose an attack."
    turn = f"it is {scene.current}'s turn" if scene.current else "it has not started"
    names = [
        f"{name}{' (you)' if name == scene.actor else ''}"
        f"{' (monster)' if name in scene.monsters else ''}"
        for name in scene.combatants
    ]
    attacks = [f"{a.name} ({'ranged' if a.ranged else 'melee'})" for a in scene.attacks]
    lines = [
        f"ENCOUNTER ({turn}; you act for {scene.actor}):",
        "Combatants in turn order: " + ", ".join(names),
        "Your attacks: " + (", ".join(attacks) or "none on the sheet"),
    ]
    if not scene.actor_turn:
        lines.append("It is not your turn: do not propose an attack.")
    return "\n".join(lines)
