"""Settings: CLI flags, then the environment, then ``.env``, then a TOML file.

The TOML file lives in the platformdirs user config dir
(``~/.config/adventorator/config.toml`` on Linux, honouring ``XDG_CONFIG_HOME``);
``ADVENTORATOR_CONFIG_FILE`` points elsewhere. Its keys are the field names in
lower case, e.g. ``db_pool_size = 8``.

This module imports pydantic-settings, so only paths that need the settings
import it (never ``adv --help`` or ``adv roll``).
"""

from __future__ import annotations

import difflib
import getpass
import logging
import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import AliasChoices, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from adventorator.config._urls import ACCEPTED_URL_SCHEMES as ACCEPTED_URL_SCHEMES
from adventorator.config._urls import mask_url as mask_url
from adventorator.config._urls import normalise_database_url as normalise_database_url
from adventorator.errors import ConfigError
from adventorator.limits import LLM_MAX_CONNECTIONS

log = logging.getLogger("adventorator.config")
APP_NAME = "adventorator"
CONFIG_FILE_ENV = "ADVENTORATOR_CONFIG_FILE"
# Settings that are credentials: masked in `adv config show`, never logged.
SECRET_FIELDS = frozenset(
    {"database_url", "llm_api_key", "discord_bot_token", "discord_public_key"}
)
# URLs that may carry credentials (user info, ?password=, ?api_key=): shown by mask_url.
URL_FIELDS = frozenset({"database_url", "db_listen_url", "llm_api_base", "discord_api_base"})


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "local"


def _env(name: str) -> AliasChoices:
    """The documented environment name, and the only one read from the environment.

    Settings are not populated by field name: that would make ``$USER`` or
    ``$CAMPAIGN`` settings. TOML keys and CLI overrides use field names and are
    mapped onto these names (``_by_env_name``).
    """
    return AliasChoices(name)


class Settings(BaseSettings):
    """Every setting Adventorator reads. Environment names are in the aliases."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        validate_default=True,
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=_env("DATABASE_URL"),
        description="Database URL; unset means a SQLite file in the data dir.",
    )
    data_dir: Path | None = Field(
        default=None,
        validation_alias=_env("ADVENTORATOR_DATA_DIR"),
        description="Where the embedded SQLite database lives.",
    )
    db_pool_size: int = Field(
        default=5, ge=1, le=100, validation_alias=_env("ADVENTORATOR_DB_POOL_SIZE")
    )
    db_max_overflow: int = Field(
        default=10, ge=0, le=100, validation_alias=_env("ADVENTORATOR_DB_MAX_OVERFLOW")
    )
    db_pool_timeout: float = Field(
        default=30.0, gt=0, le=600, validation_alias=_env("ADVENTORATOR_DB_POOL_TIMEOUT")
    )
    db_pool_pre_ping: bool = Field(
        default=True, validation_alias=_env("ADVENTORATOR_DB_POOL_PRE_PING")
    )
    db_connect_timeout: float = Field(
        default=5.0, gt=0, le=120, validation_alias=_env("ADVENTORATOR_DB_CONNECT_TIMEOUT")
    )
    db_pgbouncer: bool = Field(
        default=False,
        validation_alias=_env("ADVENTORATOR_DB_PGBOUNCER"),
        description="DATABASE_URL points at PgBouncer in transaction mode.",
    )
    db_listen_url: str | None = Field(
        default=None,
        validation_alias=_env("ADVENTORATOR_DB_LISTEN_URL"),
        description="Direct Postgres URL for LISTEN (PgBouncer cannot relay it).",
    )
    db_statement_timeout: float = Field(
        default=10.0,
        ge=0,
        le=3600,
        validation_alias=_env("ADVENTORATOR_DB_STATEMENT_TIMEOUT"),
        description="Postgres statement_timeout per connection, seconds (0: none).",
    )
    db_lock_timeout: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        validation_alias=_env("ADVENTORATOR_DB_LOCK_TIMEOUT"),
        description="Postgres lock_timeout per connection, seconds (0: none).",
    )
    character_cache_size: int = Field(
        default=1024, ge=0, le=1_000_000, validation_alias=_env("ADVENTORATOR_CHARACTER_CACHE_SIZE")
    )
    character_cache_ttl: float = Field(
        default=60.0, ge=0, le=86_400, validation_alias=_env("ADVENTORATOR_CHARACTER_CACHE_TTL")
    )
    # The narrator and planner (offline engine when llm_model is unset).
    llm_model: str | None = Field(
        default=None,
        validation_alias=_env("ADVENTORATOR_LLM_MODEL"),
        description="litellm model string, e.g. openai/gpt-4o-mini; unset means offline.",
    )
    llm_api_base: str | None = Field(
        default=None, validation_alias=_env("ADVENTORATOR_LLM_API_BASE")
    )
    llm_api_key: str | None = Field(default=None, validation_alias=_env("ADVENTORATOR_LLM_API_KEY"))
    llm_timeout: float = Field(
        default=20.0, gt=0, le=600, validation_alias=_env("ADVENTORATOR_LLM_TIMEOUT")
    )
    llm_max_retries: int = Field(
        default=1, ge=0, le=10, validation_alias=_env("ADVENTORATOR_LLM_MAX_RETRIES")
    )
    llm_temperature: float = Field(
        default=0.7, ge=0, le=2, validation_alias=_env("ADVENTORATOR_LLM_TEMPERATURE")
    )
    llm_max_prompt_tokens: int = Field(
        default=4096,
        ge=256,
        le=1_000_000,
        validation_alias=_env("ADVENTORATOR_LLM_MAX_PROMPT_TOKENS"),
    )
    llm_fast_path: bool = Field(
        default=True,
        validation_alias=_env("ADVENTORATOR_LLM_FAST_PATH"),
        description="openai/<model> with an API base is one plain HTTP POST, not a litellm call.",
    )
    llm_max_connections: int = Field(
        default=LLM_MAX_CONNECTIONS,
        ge=1,
        le=10_000,
        validation_alias=_env("ADVENTORATOR_LLM_MAX_CONNECTIONS"),
        description="Model requests open at once per process on the fast path; more wait.",
    )
    planner_confidence_threshold: float = Field(
        default=0.75,
        ge=0,
        le=1,
        validation_alias=_env("ADVENTORATOR_PLANNER_CONFIDENCE_THRESHOLD"),
    )
    # The Discord interactions endpoint (`adv serve`).
    discord_public_key: str | None = Field(
        default=None, validation_alias=_env("DISCORD_PUBLIC_KEY")
    )
    discord_application_id: str | None = Field(
        default=None, validation_alias=_env("DISCORD_APPLICATION_ID")
    )
    discord_bot_token: str | None = Field(default=None, validation_alias=_env("DISCORD_BOT_TOKEN"))
    discord_api_base: str = Field(
        default="https://discord.com/api/v10", validation_alias=_env("DISCORD_API_BASE")
    )
    discord_gm_role: str | None = Field(
        default=None,
        pattern=r"^[0-9,\s]*$",
        validation_alias=_env("ADVENTORATOR_DISCORD_GM_ROLE"),
        description="Role ids (comma-separated) whose members are game masters on Discord.",
    )
    # Importing characters (`adv sheet import --url`).
    ddb_character_url: str = Field(
        default="https://character-service.dndbeyond.com/character/v5/character/",
        validation_alias=_env("ADVENTORATOR_DDB_CHARACTER_URL"),
        description="D&D Beyond's character service; a character's JSON is this + its id.",
    )
    campaign: str = Field(
        default="default",
        min_length=1,
        max_length=100,
        validation_alias=_env("ADVENTORATOR_CAMPAIGN"),
    )
    user: str = Field(
        default_factory=_default_user,
        min_length=1,
        max_length=100,
        validation_alias=_env("ADVENTORATOR_USER"),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = InitSettingsSource(settings_cls, _by_env_name(read_toml()))
        secret_files = SecretFilesSource(settings_cls)  # NAME_FILE: below NAME, above .env
        return (init_settings, env_settings, secret_files, dotenv_settings, toml)

    @property
    def resolved_data_dir(self) -> Path:
        """The data dir: the setting, else the platformdirs user data dir (XDG aware)."""
        return self.data_dir or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))

    @property
    def sqlite_default_path(self) -> Path:
        return self.resolved_data_dir / "adventorator.db"

    @property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL to connect to (normalised, see ``normalise_database_url``)."""
        if self.database_url is None:
            return f"sqlite+aiosqlite:///{self.sqlite_default_path}"
        return normalise_database_url(self.database_url)

    @property
    def is_embedded_default(self) -> bool:
        """True when no DATABASE_URL was given: the no-setup SQLite file."""
        return self.database_url is None


def config_file_path() -> Path:
    """The TOML config file: ``$ADVENTORATOR_CONFIG_FILE`` or the user config dir."""
    override = os.environ.get(CONFIG_FILE_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; ``overrides`` are CLI flags (None means not given).

    Raises ConfigError naming the variable for any invalid value.
    """
    given = _by_env_name({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc)) from exc
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML / .env
        raise ConfigError(f"cannot read configuration ({config_file_path()}): {exc}") from exc
    settings.resolved_database_url  # noqa: B018 - validate the URL now, not at first connect
    for warning in unknown_key_warnings(read_toml()):
        # No handler configured (the CLI): logging's last resort prints the bare line on stderr.
        log.warning("%s", warning)
    if settings.db_listen_url is not None:
        variable = env_name("db_listen_url")
        normalise_database_url(settings.db_listen_url, variable=variable, check_query=False)
    return settings


def _describe_validation_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        problems.append(f"{env_name(field)}: {error['msg']}")
    return "invalid setting " + "; ".join(problems)


def env_name(field: str) -> str:
    """The environment variable documented for a field."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return field.upper()


def read_toml() -> dict[str, Any]:
    """The config file's table (empty when there is no file)."""
    path = config_file_path()
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def unknown_key_warnings(table: dict[str, Any]) -> list[str]:
    """One line per config-file key that is no setting, with a close match when there is one.

    A key is a field name (``db_pool_size``) or its environment name (``DATABASE_URL``).
    """
    known = set(Settings.model_fields) | {env_name(name) for name in Settings.model_fields}
    lines = []
    for key in table:
        if key in known:
            continue
        close = difflib.get_close_matches(key.lower(), list(Settings.model_fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(f"warning: {config_file_path()}: unknown key {key!r}{hint}; ignored")
    return lines


def _by_env_name(values: dict[str, Any]) -> dict[str, Any]:
    """Key values given by field name (TOML, CLI) by the field's validation alias."""
    return {env_name(key) if key in Settings.model_fields else key: v for key, v in values.items()}


# Secrets from files --------------------------------------------------------------------
# Docker and Kubernetes mount secrets as files: ``DISCORD_BOT_TOKEN_FILE=/run/secrets/token``
# sets ``DISCORD_BOT_TOKEN`` from that file. Precedence, highest first: a command-line
# flag, ``NAME`` in the environment (even if empty), ``NAME_FILE`` in the environment,
# then ``.env`` and the TOML file. ``NAME_FILE`` is read from the process environment only.

SECRET_FILE_SUFFIX = "_FILE"


def secret_file_variable(field: str) -> str:
    """The variable naming a file that holds a secret field: ``DATABASE_URL_FILE``."""
    return env_name(field) + SECRET_FILE_SUFFIX


def read_secret_file(field: str) -> str:
    """The secret in the file ``$NAME_FILE`` names, less one trailing newline.

    Raises ConfigError naming the variable and the path (never the contents)
    when the variable is empty or the file cannot be read as UTF-8 text.
    """
    variable = secret_file_variable(field)
    path = os.environ.get(variable, "")
    if not path:
        raise ConfigError(f"{variable} is set but empty: give the path of the file")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{variable}: cannot read {path}: {reason}") from exc
    except UnicodeDecodeError:
        raise ConfigError(f"{variable}: {path} is not UTF-8 text") from None
    return text.removesuffix("\r\n") if text.endswith("\r\n") else text.removesuffix("\n")


class SecretFilesSource(PydanticBaseSettingsSource):
    """Reads ``NAME_FILE`` for each secret setting not already given by a higher source."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ reads all the secret files at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        given = self.current_state  # merged values of the sources above this one
        return {
            env_name(field): read_secret_file(field)
            for field in sorted(keys_from_secret_files())
            if env_name(field) not in given
        }


def keys_from_secret_files() -> set[str]:
    """Secret fields whose ``NAME_FILE`` variable is set."""
    return {field for field in SECRET_FIELDS if secret_file_variable(field) in os.environ}
