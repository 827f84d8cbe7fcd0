"""The planner: free text -> a plan (a command name and arguments), by model or offline.

The planner knows no registry: it is handed the catalogue the model may
choose from, as text, and answers a ``PlannerOutput``. Checking the plan
against the registry, asking for missing arguments and running the command
is the registry's job (``adventorator.commands.planning``), so play never
imports the commands that import it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from adventorator.errors import LLMError
from adventorator.play.proposals import PlannerOutput

if TYPE_CHECKING:
    from adventorator.config import Settings
    from adventorator.llm import LLMClient

log = logging.getLogger("adventorator.play.planner")


async def plan_text(
    text: str, *, catalogue: str, llm: LLMClient | None, settings: Settings
) -> tuple[PlannerOutput, str, str | None]:
    """The plan for ``text``: (plan, which planner answered, notice on fallback).

    ``catalogue`` is what the model may choose from. The model call joins the
    turn in progress (``act`` opens it), so a failure here sends the rest of
    the turn offline. With no model (``llm`` None) the offline planner answers.
    """
    from adventorator.play.offline_planner import offline_plan

    if llm is None:
        return offline_plan(text), "offline", None
    from adventorator.llm import build_planner_messages, model_turn

    messages = build_planner_messages(
        player_text=text,
        catalogue=catalogue,
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
