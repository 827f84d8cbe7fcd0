"""Settings: sources and their precedence, URL normalisation, validation, masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from adventorator.config import (
    ACCEPTED_URL_SCHEMES,
    CONFIG_FILE_ENV,
    SettingReport,
    Settings,
    config_file_path,
    describe_settings,
    format_value,
    load_settings,
    mask_url,
    normalise_database_url,
)
from adventorator.errors import ConfigError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _rows(settings: Settings, **overrides: object) -> dict[str, SettingReport]:
    return {row.name: row for row in describe_settings(settings, **overrides)}


# Sources and precedence ------------------------------------------------------------


def test_precedence_cli_over_env_over_dotenv_over_toml(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = _write(
        isolated_env / "conf" / "adv.toml",
        'campaign = "from-toml"\nuser = "toml-user"\ndb_pool_size = 2\ndb_max_overflow = 3\n',
    )
    monkeypatch.setenv(CONFIG_FILE_ENV, str(toml))
    _write(
        isolated_env / ".env",
        "ADVENTORATOR_CAMPAIGN=from-dotenv\n"
        "ADVENTORATOR_USER=dotenv-user\n"
        "ADVENTORATOR_DB_POOL_SIZE=4\n",
    )
    monkeypatch.setenv("ADVENTORATOR_CAMPAIGN", "from-env")
    monkeypatch.setenv("ADVENTORATOR_USER", "env-user")

    settings = load_settings(campaign="from-cli", user=None)  # None: flag not given

    assert settings.campaign == "from-cli"
    assert settings.user == "env-user"
    assert settings.db_pool_size == 4
    assert settings.db_max_overflow == 3
    assert settings.db_pool_timeout == 30.0

    rows = _rows(settings, campaign="from-cli", user=None)
    assert rows["campaign"].source == "command line"
    assert rows["user"].source == "environment"
    assert rows["db_pool_size"].source == ".env"
    assert rows["db_max_overflow"].source == f"config file {toml}"
    assert rows["db_pool_timeout"].source == "default"


def test_each_layer_alone_is_read(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = _write(isolated_env / "adv.toml", 'campaign = "from-toml"\n')
    monkeypatch.setenv(CONFIG_FILE_ENV, str(toml))
    assert load_settings().campaign == "from-toml"

    _write(isolated_env / ".env", "ADVENTORATOR_CAMPAIGN=from-dotenv\n")
    assert load_settings().campaign == "from-dotenv"

    monkeypatch.setenv("ADVENTORATOR_CAMPAIGN", "from-env")
    assert load_settings().campaign == "from-env"

    assert load_settings(campaign="from-cli").campaign == "from-cli"


def test_toml_in_the_user_config_dir(isolated_env: Path) -> None:
    expected = isolated_env / "xdg-config" / "adventorator" / "config.toml"
    assert config_file_path() == expected
    _write(expected, "db_pool_size = 8\ndb_pool_pre_ping = false\n")
    settings = load_settings()
    assert settings.db_pool_size == 8
    assert settings.db_pool_pre_ping is False
    assert _rows(settings)["db_pool_size"].source == f"config file {expected}"


def test_config_file_env_replaces_the_default_location(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(isolated_env / "xdg-config" / "adventorator" / "config.toml", "db_pool_size = 8\n")
    other = _write(isolated_env / "elsewhere.toml", "db_pool_size = 9\n")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(other))
    assert config_file_path() == other
    assert load_settings().db_pool_size == 9


def test_a_missing_config_file_is_not_an_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CONFIG_FILE_ENV, str(isolated_env / "absent.toml"))
    assert load_settings().db_pool_size == 5


def test_malformed_toml_is_a_config_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _write(isolated_env / "bad.toml", "db_pool_size = = 3\n")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(bad))
    with pytest.raises(ConfigError, match="cannot read configuration") as raised:
        load_settings()
    assert str(bad) in str(raised.value)


def test_invalid_toml_value_names_the_setting(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _write(isolated_env / "bad.toml", 'db_pool_size = "many"\n')
    monkeypatch.setenv(CONFIG_FILE_ENV, str(bad))
    with pytest.raises(ConfigError, match="ADVENTORATOR_DB_POOL_SIZE"):
        load_settings()


def test_login_user_env_is_not_the_user_setting(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # getpass.getuser() reads LOGNAME first: the default is the login name.
    monkeypatch.setenv("LOGNAME", "login-name")
    monkeypatch.setenv("USER", "plain-user-var")
    settings = load_settings()
    assert settings.user == "login-name"
    assert _rows(settings)["user"].source == "default"

    monkeypatch.setenv("ADVENTORATOR_USER", "chosen")
    settings = load_settings()
    assert settings.user == "chosen"
    assert _rows(settings)["user"].source == "environment"


def test_settings_are_read_only_under_their_documented_names(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Field names are not environment names: $CAMPAIGN, $DATA_DIR... are not ours.
    monkeypatch.setenv("CAMPAIGN", "plain-campaign")
    monkeypatch.setenv("DATA_DIR", str(isolated_env / "plain-data"))
    monkeypatch.setenv("DB_POOL_SIZE", "42")
    monkeypatch.setenv("database_url", "postgresql://plain/db")
    _write(isolated_env / ".env", "campaign=dotenv-field-name\nuser=dotenv-user\n")
    settings = load_settings()
    assert settings.campaign == "default"
    assert settings.data_dir is None
    assert settings.db_pool_size == 5
    rows = _rows(settings)
    assert {rows[name].source for name in ("campaign", "data_dir", "db_pool_size", "user")} == {
        "default"
    }


# DATABASE_URL --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/adv", "postgresql+asyncpg://u:p@db:5432/adv"),
        ("postgresql://u@db/adv", "postgresql+asyncpg://u@db/adv"),
        ("postgresql+asyncpg://u@db/adv", "postgresql+asyncpg://u@db/adv"),
        ("sqlite:////var/lib/adv.db", "sqlite+aiosqlite:////var/lib/adv.db"),
        ("sqlite:///relative.db", "sqlite+aiosqlite:///relative.db"),
        ("sqlite+aiosqlite:////x/y.db", "sqlite+aiosqlite:////x/y.db"),
        ("  postgresql://u@db/adv\n", "postgresql+asyncpg://u@db/adv"),
    ],
)
def test_database_url_normalisation(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    assert normalise_database_url(given) == expected
    assert load_settings(database_url=given).resolved_database_url == expected
    monkeypatch.setenv("DATABASE_URL", given)
    settings = load_settings()
    assert settings.resolved_database_url == expected
    assert settings.is_embedded_default is False


@pytest.mark.parametrize(
    "given",
    ["mysql://root:hunter2@db/adv", "garbage", "", "   ", "http://example.com/db", "sqlite://x"],
)
def test_malformed_database_url_is_a_config_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "DATABASE_URL" in message
    for scheme in ACCEPTED_URL_SCHEMES:
        assert scheme in message
    assert "hunter2" not in message
    assert "\n" not in message


def test_default_database_is_sqlite_in_the_xdg_data_dir(isolated_env: Path) -> None:
    settings = load_settings()
    expected = isolated_env / "xdg-data" / "adventorator" / "adventorator.db"
    assert settings.is_embedded_default
    assert settings.resolved_data_dir == expected.parent
    assert settings.sqlite_default_path == expected
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{expected}"
    assert not expected.parent.exists()  # loading settings creates nothing


def test_data_dir_override(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = isolated_env / "my data"
    monkeypatch.setenv("ADVENTORATOR_DATA_DIR", str(data))
    settings = load_settings()
    assert settings.resolved_data_dir == data
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{data / 'adventorator.db'}"
    assert _rows(settings)["data_dir"].source == "environment"


def test_database_url_wins_over_the_data_dir(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADVENTORATOR_DATA_DIR", str(isolated_env / "data"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/adv")
    settings = load_settings()
    assert settings.resolved_database_url == "postgresql+asyncpg://u@db/adv"
    assert not settings.is_embedded_default


# Pool settings --------------------------------------------------------------------


def test_pool_defaults(isolated_env: Path) -> None:
    settings = load_settings()
    assert settings.db_pool_size == 5
    assert settings.db_max_overflow == 10
    assert settings.db_pool_timeout == 30.0
    assert settings.db_pool_pre_ping is True


def test_pool_env_overrides(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADVENTORATOR_DB_POOL_SIZE", "7")
    monkeypatch.setenv("ADVENTORATOR_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("ADVENTORATOR_DB_POOL_TIMEOUT", "2.5")
    monkeypatch.setenv("ADVENTORATOR_DB_POOL_PRE_PING", "false")
    monkeypatch.setenv("ADVENTORATOR_DB_CONNECT_TIMEOUT", "1")
    settings = load_settings()
    assert settings.db_pool_size == 7
    assert settings.db_max_overflow == 0
    assert settings.db_pool_timeout == 2.5
    assert settings.db_pool_pre_ping is False
    assert settings.db_connect_timeout == 1.0
    rows = _rows(settings)
    assert rows["db_pool_size"].source == "environment"
    assert rows["db_pool_size"].env == "ADVENTORATOR_DB_POOL_SIZE"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADVENTORATOR_DB_POOL_SIZE", "abc"),
        ("ADVENTORATOR_DB_POOL_SIZE", "0"),
        ("ADVENTORATOR_DB_POOL_SIZE", "1000"),
        ("ADVENTORATOR_DB_MAX_OVERFLOW", "-1"),
        ("ADVENTORATOR_DB_POOL_TIMEOUT", "0"),
        ("ADVENTORATOR_DB_POOL_TIMEOUT", "soon"),
        ("ADVENTORATOR_DB_POOL_PRE_PING", "maybe"),
        ("ADVENTORATOR_DB_CONNECT_TIMEOUT", "-5"),
    ],
)
def test_invalid_pool_value_names_the_env_var(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name) as raised:
        load_settings()
    assert str(raised.value).startswith("invalid setting")


def test_invalid_cli_override_is_a_config_error(isolated_env: Path) -> None:
    with pytest.raises(ConfigError, match="ADVENTORATOR_CAMPAIGN"):
        load_settings(campaign="")


# describe_settings and masking ----------------------------------------------------


def test_describe_settings_masks_the_password(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bob:s3cr%40t-pw@db.example:5432/adv")
    rows = _rows(load_settings())
    row = rows["database_url"]
    assert row.value == "postgresql://bob:***@db.example:5432/adv"
    assert row.source == "environment"
    assert row.env == "DATABASE_URL"
    assert not any("s3cr" in str(r.value) for r in rows.values())


def test_describe_settings_covers_every_setting(isolated_env: Path) -> None:
    settings = load_settings()
    rows = describe_settings(settings)
    assert [row.name for row in rows] == list(Settings.model_fields)
    by_name = {row.name: row for row in rows}
    assert by_name["database_url"].value == f"(embedded) {settings.resolved_database_url}"
    assert by_name["data_dir"].value == str(settings.resolved_data_dir)
    assert {row.source for row in rows} == {"default"}


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
        ("postgresql+asyncpg://u:p:w@h:5432/db", "postgresql+asyncpg://u:***@h:5432/db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h:5432/db", "postgresql://h:5432/db"),
        ("sqlite+aiosqlite:////tmp/a.db", "sqlite+aiosqlite:////tmp/a.db"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


# Malformed URLs are one ConfigError at load time (issue 12) ------------------------


@pytest.mark.parametrize(
    ("given", "fragment"),
    [
        ("postgresql://root:hunter2@db:99999/adv", "port 99999"),
        ("postgresql://root:hunter2@db:0/adv", "port 0"),
        ("postgresql://root:hunter2@db:abc/adv", "invalid port"),
        ("postgresql://root:hunter2@db:/adv", "invalid port"),
        ("postgresql://root:hunter2@[::1/adv", "malformed IPv6 host"),
        ("postgresql://root:hunter2@::1]/adv", "malformed IPv6 host"),
        ("postgresql://root:hunter2@db/adv?foo=bar", "'foo'"),
        ("postgresql://root:hunter2@db/adv?sslmode=require", "?ssl=require"),
        ("postgresql://root:hunter2@/adv", "no host"),
        ("postgresql:///adv", "no host"),
        ("postgres://root:hun@ter2@db/adv", "%40"),
    ],
)
def test_malformed_postgres_url_is_one_config_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, given: str, fragment: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("DATABASE_URL ")
    assert fragment in message
    assert "ter2" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://u@[::1]:5432/adv",
        "postgresql://u@[fe80::1%25eth0]/adv",
        "postgresql:///adv?host=/var/run/postgresql",
        "postgresql://u@db/adv?ssl=require&password=x&target_session_attrs=read-write",
    ],
)
def test_well_formed_postgres_urls_still_load(isolated_env: Path, given: str) -> None:
    expected = given.replace("postgresql://", "postgresql+asyncpg://")
    assert load_settings(database_url=given).resolved_database_url == expected


def test_malformed_listen_url_names_its_variable(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/adv")
    monkeypatch.setenv("ADVENTORATOR_DB_LISTEN_URL", "postgresql://u:hunter2@db:70000/adv")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    assert str(raised.value).startswith("ADVENTORATOR_DB_LISTEN_URL has port 70000")
    assert "hunter2" not in str(raised.value)


# Every credential-bearing part is masked (issue 12) -------------------------------


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://:secret@h/db", "postgresql://:***@h/db"),
        (
            "postgresql://u@h/db?password=secret&ssl=require",
            "postgresql://u@h/db?password=***&ssl=require",
        ),
        ("postgresql://u@h/db?sslpassword=sec@ret", "postgresql://u@h/db?sslpassword=***"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("https://sk-secret@llm.example/v1", "https://***@llm.example/v1"),
        ("https://u:secret@llm.example/v1", "https://***@llm.example/v1"),
        (
            "https://llm.example/v1?api_key=secret&api-version=2024-06-01",
            "https://llm.example/v1?api_key=***&api-version=2024-06-01",
        ),
        ("https://h/v1?access_token=secret#x", "https://h/v1?access_token=***#x"),
        ("https://h/v1?X-Amz-Signature=secret", "https://h/v1?X-Amz-Signature=***"),
    ],
)
def test_mask_url_hides_every_credential(url: str, masked: str) -> None:
    assert mask_url(url) == masked
    assert "secret" not in mask_url(url)


def test_describe_settings_masks_credentials_outside_the_password_slot(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/adv?password=pw-one")
    monkeypatch.setenv("ADVENTORATOR_DB_LISTEN_URL", "postgresql://:pw-two@db/adv?sslpassword=pw-3")
    monkeypatch.setenv("ADVENTORATOR_LLM_API_BASE", "https://pw-four@llm.example/v1?api_key=pw-5")
    monkeypatch.setenv("DISCORD_API_BASE", "https://discord.example/api?token=pw-six")
    rows = _rows(load_settings())
    shown = " ".join(str(row.value) for row in rows.values())
    assert "pw-" not in shown
    assert rows["database_url"].value == "postgresql://u@db/adv?password=***"
    assert rows["db_listen_url"].value == "postgresql://:***@db/adv?sslpassword=***"
    assert rows["llm_api_base"].value == "https://***@llm.example/v1?api_key=***"


# How config show writes values, and unknown config-file keys (issue 15) -------------


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("llm_model", None, "(not set)"),
        ("db_pool_pre_ping", True, "true"),
        ("db_pgbouncer", False, "false"),
        ("db_pool_timeout", 30.0, "30 s"),
        ("db_statement_timeout", 0.0, "0 s"),
        ("llm_timeout", 2.5, "2.5 s"),
        ("llm_temperature", 0.7, "0.7"),
        ("planner_confidence_threshold", 1.0, "1"),
        ("db_pool_size", 5, "5"),
        ("campaign", "heist", "heist"),
        ("campaign", "", '""'),
    ],
)
def test_format_value_writes_values_as_a_user_would(name: str, value: object, shown: str) -> None:
    assert format_value(name, value) == shown


def test_describe_settings_never_says_default_in_the_value(isolated_env: Path) -> None:
    rows = _rows(load_settings())
    assert all("(default)" not in format_value(r.name, r.value) for r in rows.values())


def test_unknown_config_keys_warn_naming_key_file_and_close_match(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    toml = _write(
        isolated_env / "conf" / "adv.toml",
        'db_pool_sise = 8\nDATABASE_URL = "sqlite+aiosqlite:///x.db"\nwibble = 1\ncampaign = "c"\n',
    )
    monkeypatch.setenv(CONFIG_FILE_ENV, str(toml))
    with caplog.at_level("WARNING", logger="adventorator.config"):
        settings = load_settings()
    assert settings.campaign == "c"
    assert settings.db_pool_size == 5  # the misspelt key is ignored, not applied
    assert caplog.messages == [
        f"warning: {toml}: unknown key 'db_pool_sise' (did you mean 'db_pool_size'?); ignored",
        f"warning: {toml}: unknown key 'wibble'; ignored",
    ]


def test_a_config_file_of_known_keys_warns_nothing(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    toml = _write(isolated_env / "conf" / "adv.toml", "db_pool_size = 8\nllm_timeout = 3\n")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(toml))
    with caplog.at_level("WARNING", logger="adventorator.config"):
        load_settings()
    assert caplog.messages == []
