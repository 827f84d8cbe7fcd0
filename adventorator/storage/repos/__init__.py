"""Data access: the only place that builds queries, one module per family of tables.

Functions take an ``AsyncSession`` inside a ``Database.session_scope()`` (or,
for interactions, an autocommit ``AsyncConnection``) and never commit; the
caller's scope decides. Inserts that may race use the backend's ``INSERT ...
ON CONFLICT`` so concurrent first uses from several instances cannot collide,
and sheet writes name the version they read. Callers write
``repos.find_character(...)``: this package re-exports every function.
"""

from adventorator.storage.repos.characters import (
    character_names,
    character_summaries,
    count_campaign_and_owner,
    count_characters,
    delete_character,
    find_character,
    get_active_character_id,
    get_character,
    insert_character,
    list_characters,
    set_active_character,
    update_character,
)
from adventorator.storage.repos.encounters import (
    active_encounter,
    active_encounter_of_character,
    character_keys_like,
    character_sheets,
    combatant_rows,
    delete_combatant,
    get_encounter,
    insert_combatant,
    insert_encounter,
    update_combatant,
    update_encounter,
)
from adventorator.storage.repos.events import (
    campaign_gm,
    characters_by_prefix,
    claim_default_gm,
    count_events,
    find_player,
    get_event,
    get_player,
    hand_gm_on,
    insert_event,
    last_undoable_event,
    latest_event,
    live_events_since,
    recent_events,
)
from adventorator.storage.repos.identities import (
    find_campaign,
    find_identity_ids,
    get_or_create_campaign,
    get_or_create_player,
    get_or_create_scene,
)
from adventorator.storage.repos.interactions import (
    claim_interaction,
    consume_interaction,
    finish_interaction,
    get_interaction,
    prune_interactions,
)
from adventorator.storage.repos.notifications import (
    CHARACTER_CHANNEL,
    notify_character_change,
)
from adventorator.storage.repos.transcripts import (
    add_transcript_entries,
    recent_transcript,
    set_transcript_status,
)

__all__ = [
    "CHARACTER_CHANNEL",
    "active_encounter",
    "active_encounter_of_character",
    "add_transcript_entries",
    "campaign_gm",
    "character_keys_like",
    "character_names",
    "character_sheets",
    "character_summaries",
    "characters_by_prefix",
    "claim_default_gm",
    "claim_interaction",
    "combatant_rows",
    "consume_interaction",
    "count_campaign_and_owner",
    "count_characters",
    "count_events",
    "delete_character",
    "delete_combatant",
    "find_campaign",
    "find_character",
    "find_identity_ids",
    "find_player",
    "finish_interaction",
    "get_active_character_id",
    "get_character",
    "get_encounter",
    "get_event",
    "get_interaction",
    "get_or_create_campaign",
    "get_or_create_player",
    "get_or_create_scene",
    "get_player",
    "hand_gm_on",
    "insert_character",
    "insert_combatant",
    "insert_encounter",
    "insert_event",
    "last_undoable_event",
    "latest_event",
    "list_characters",
    "live_events_since",
    "notify_character_change",
    "prune_interactions",
    "recent_events",
    "recent_transcript",
    "set_active_character",
    "set_transcript_status",
    "update_character",
    "update_combatant",
    "update_encounter",
]
