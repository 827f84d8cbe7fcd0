"""``do`` and ``act`` below the registry: proposals, the narrator turn, the planner.

The modules are imported where they are used (``play.narrator``,
``play.planner``), since they load pydantic and the LLM client; this package
exports only the protocol a turn is typed against.
"""

from __future__ import annotations

from adventorator.play._context import PlayContext

__all__ = ["PlayContext"]
