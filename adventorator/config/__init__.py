"""Settings and their sources, URL normalisation, and the ``config show`` report.

- ``settings``: the ``Settings`` model (CLI flags > environment > ``NAME_FILE``
  secrets > ``.env`` > TOML file) and ``load_settings``;
- ``_urls``: ``DATABASE_URL`` validation, normalisation and credential masking;
- ``report``: what ``adv config show`` prints.

Importing this package imports pydantic-settings: only paths that need the
settings do (never ``adv --help`` or ``adv roll``).
"""

from adventorator.config._urls import ACCEPTED_URL_SCHEMES, mask_url, normalise_database_url
from adventorator.config.report import (
    SettingReport,
    describe_settings,
    format_value,
    mask_value,
)
from adventorator.config.settings import (
    APP_NAME,
    CONFIG_FILE_ENV,
    SECRET_FIELDS,
    URL_FIELDS,
    Settings,
    config_file_path,
    env_name,
    load_settings,
    read_secret_file,
    secret_file_variable,
    unknown_key_warnings,
)

__all__ = [
    "ACCEPTED_URL_SCHEMES",
    "APP_NAME",
    "CONFIG_FILE_ENV",
    "SECRET_FIELDS",
    "URL_FIELDS",
    "SettingReport",
    "Settings",
    "config_file_path",
    "describe_settings",
    "env_name",
    "format_value",
    "load_settings",
    "mask_url",
    "mask_value",
    "normalise_database_url",
    "read_secret_file",
    "secret_file_variable",
    "unknown_key_warnings",
]
