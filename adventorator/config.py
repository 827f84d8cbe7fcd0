"""Settings: CLI flags, then the environment, then ``.env``, then a TOML file.

The TOML file lives in the platformdirs user config dir
(``~/.config/adventorator/config.toml`` on Linux, honouring ``XDG_CONFIG_HOME``);
``ADVENTORATOR_CONFIG_FILE`` points elsewhere. Its keys are the field names in
lower case, e.g. ``db_pool_size = 8``.

This module imports pydantic-settings, so only paths that need the settings
import it (never ``adv --help`` or ``adv roll``).
"""

from __future__ import annotations

import getpass
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from adventorator.errors import ConfigError

APP_NAME = "adventorator"
CONFIG_FILE_ENV = "ADVENTORATOR_CONFIG_FILE"
ACCEPTED_URL_SCHEMES = (
    "postgresql+asyncpg://",
    "postgresql://",
    "postgres://",
    "sqlite+aiosqlite:///",
    "sqlite:///",
)
_SECRET_HINTS = ("password", "token", "secret", "api_key", "public_key")


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "local"


def _env(name: str) -> AliasChoices:
    """The documented environment name; TOML uses the field name (populate_by_name)."""
    return AliasChoices(name)


class Settings(BaseSettings):
    """Every setting Adventorator reads. Environment names are in the aliases."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, dotenv_settings, toml)

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


def normalise_database_url(url: str) -> str:
    """Map accepted spellings onto the async drivers, or raise ConfigError."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("postgresql+asyncpg://"):
        return url
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith("sqlite+aiosqlite:///"):
        return url
    scheme = url.split("://", 1)[0] if "://" in url else url[:20]
    raise ConfigError(
        f"DATABASE_URL has an unsupported scheme {scheme!r}; "
        f"accepted: {', '.join(ACCEPTED_URL_SCHEMES)}"
    )


def mask_url(url: str) -> str:
    """Hide the password in a URL: ``postgresql://u:***@host/db``."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def mask_value(name: str, value: Any) -> Any:
    """Mask secrets for display; URLs keep everything but their password."""
    if value is None:
        return None
    if name.endswith("url"):
        return mask_url(str(value))
    if any(hint in name for hint in _SECRET_HINTS):
        return "***"
    return value


def load_settings(**overrides: Any) -> Settings:
    """Build the settings; ``overrides`` are CLI flags (None means not given).

    Raises ConfigError naming the variable for any invalid value.
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(exc)) from exc
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML / .env
        raise ConfigError(f"cannot read configuration ({config_file_path()}): {exc}") from exc
    settings.resolved_database_url  # noqa: B018 - validate the scheme now, not at first use
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
            value = f"(default) {settings.resolved_data_dir}"
        rows.append(SettingReport(name, env_name(name), mask_value(name, value), source))
    return rows


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
    import tomllib

    path = config_file_path()
    if not path.is_file():
        return set()
    with path.open("rb") as handle:
        return {key for key in tomllib.load(handle) if key in Settings.model_fields}
