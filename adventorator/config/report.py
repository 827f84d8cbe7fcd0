"""``adv config show`` and ``path``: every setting's effective value, masked, and its source.

Values stay typed in ``SettingReport`` (``--json``); ``format_value`` writes
them as a user would in the TOML file or the environment (``true``, ``30 s``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adventorator.config._urls import mask_url
from adventorator.config.settings import (
    SECRET_FIELDS,
    URL_FIELDS,
    Settings,
    config_file_path,
    env_name,
    keys_from_secret_files,
    read_toml,
    secret_file_variable,
)


def mask_value(name: str, value: Any) -> Any:
    """Mask secrets for display; URLs keep everything but their credentials."""
    if value is None:
        return None
    if name in URL_FIELDS or name.endswith(("_url", "_api_base")):
        return mask_url(str(value))
    if name in SECRET_FIELDS:
        return "***"
    return value


@dataclass(frozen=True)
class SettingReport:
    """One row of ``adv config show``."""

    name: str
    env: str
    value: Any
    source: str


def describe_settings(settings: Settings, **overrides: Any) -> list[SettingReport]:
    """Each setting's effective (masked) value and the source it came from."""
    given = {key for key, value in overrides.items() if value is not None}
    origins = [
        ("environment", _keys_from_env()),
        *((f"file (${secret_file_variable(f)})", {f}) for f in keys_from_secret_files()),
        (".env", _keys_from_dotenv()),
        (f"config file {config_file_path()}", _keys_from_toml()),
    ]
    rows = []
    for name in Settings.model_fields:
        source = "default"
        if name in given:
            source = "command line"
        else:
            source = next((label for label, keys in origins if name in keys), "default")
        value = getattr(settings, name)
        if name == "database_url" and value is None:
            value = f"(embedded) {settings.resolved_database_url}"
        if name == "data_dir" and value is None:
            value = str(settings.resolved_data_dir)  # the source column says "default"
        rows.append(SettingReport(name, env_name(name), mask_value(name, value), source))
    return rows


# Settings measured in seconds: shown with their unit.
SECONDS_FIELDS = frozenset(
    {
        "db_pool_timeout",
        "db_connect_timeout",
        "db_statement_timeout",
        "db_lock_timeout",
        "character_cache_ttl",
        "llm_timeout",
    }
)


def format_value(name: str, value: Any) -> str:
    """A setting's value as a user writes it: ``true``, ``30``, ``30 s``, ``(not set)``."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
        return f"{text} s" if name in SECONDS_FIELDS else text
    if isinstance(value, int) and name in SECONDS_FIELDS:
        return f"{value} s"
    text = str(value)
    return text if text else '""'


def describe_paths(settings: Settings) -> dict[str, str]:
    """Where the config file and the data live (``adv config path``)."""
    return {
        "config_file": str(config_file_path()),
        "data_dir": str(settings.resolved_data_dir),
        "database": settings.sqlite_default_path.as_posix()
        if settings.is_embedded_default
        else "(DATABASE_URL is set)",
    }


def _field_for_key(key: str) -> str | None:
    key = key.lower()
    for name in Settings.model_fields:
        if key == env_name(name).lower():
            return name
    return None


def _keys_from_env() -> set[str]:
    return {f for f in (_field_for_key(k) for k in os.environ) if f}


def _keys_from_dotenv() -> set[str]:
    from dotenv import dotenv_values

    path = Path(".env")
    if not path.is_file():
        return set()
    return {f for f in (_field_for_key(k) for k in dotenv_values(path)) if f}


def _keys_from_toml() -> set[str]:
    return {key for key in read_toml() if key in Settings.model_fields}
