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

# What one reply may produce ------------------------------------------------------
REPLY_DICE_SHOWN = 200  # dice faces rendered in one reply; the rest are summarised
REPLY_TEXT_CHARS = 20_000  # characters of text in one reply, on any client

# The narrator and the transcript -------------------------------------------------
TRANSCRIPT_LINE_CHARS = 4_000  # one stored transcript line (model output is cut to it)
