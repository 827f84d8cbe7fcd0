"""Every limit one user's input is held to, in one place (the README's limits table).

Each bounds what one request may cost in time, memory or storage, so that no
player of a public guild can stall a worker or fill the database. Stdlib only:
``adv roll`` imports this module.
"""

from __future__ import annotations

# Characters and sheets --------------------------------------------------------
SHEETS_PER_PLAYER = 50  # one player's characters in one campaign
SHEETS_PER_CAMPAIGN = 500  # all players' characters in one campaign
NAME_AUTOCOMPLETE_RESULTS = 25  # Discord's own maximum of choices

IMPORT_DOCUMENT_BYTES = 2_097_152  # a D&D Beyond or Foundry export (a sheet: 64 KiB)

# What one reply may produce ------------------------------------------------------
REPLY_DICE_SHOWN = 200  # dice faces rendered in one reply; the rest are summarised
REPLY_TEXT_CHARS = 20_000  # characters of text in one reply, on any client
REPLY_DICE_ROLLED = 10_000  # dice one roll reply may draw across every --times, rerolls included
REPLY_CHART_ROWS = 60  # rows of a --stats chart; more totals are grouped into equal ranges
REPLY_PMF_ENTRIES = 1_000  # totals listed in --stats --json; more are grouped into ranges
ODDS_DEADLINE_SECONDS = 5.0  # exact odds off the event loop; the dice work budget is the real cap

# The narrator and the transcript -------------------------------------------------
TRANSCRIPT_LINE_CHARS = 4_000  # one stored transcript line (model output is cut to it)

# What the model may return (the narrator and the planner) ------------------------
LLM_REPLY_TOKENS = 2_048  # max_tokens asked per call: a plan may carry a whole sheet (~700)
LLM_REPLY_CHARS = 16_000  # a reply longer than this is refused unparsed (no repair request)
LLM_REPLY_BYTES = 1_048_576  # a fast-path HTTP body: read no further (the content, escaped, fits)
# Fast-path model requests open at once per process (ADVENTORATOR_LLM_MAX_CONNECTIONS's default):
# above the turns one instance has in flight in a burst (300 in bench/concurrency.py), below
# the usual limit of 1,024 open files.
LLM_MAX_CONNECTIONS = 512
PROPOSAL_REASON_CHARS = 300  # the narrator's one-sentence reason, as stored and shown
PROPOSAL_NAME_CHARS = 40  # an action, ability, skill or command name echoed back from the model
PLAN_LABEL_CHARS = 100  # one planner choice's label (Discord shows at most 100 characters)
