"""Secrets from files: ``NAME_FILE`` names a file holding ``NAME`` (Docker/Kubernetes secrets).

Precedence, highest first: a command-line flag, ``NAME`` in the environment,
``NAME_FILE``, ``.env``, the TOML file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from adventorator.config import (
    CONFIG_FILE_ENV,
    SECRET_FIELDS,
    describe_settings,
    env_name,
    load_settings,
    secret_file_variable,
)
from adventorator.errors import ConfigError
from tests.processes import ADV

# A valid value for each secret field (DATABASE_URL must have an accepted scheme).
VALUES = {
    "database_url": "postgresql://adv:s3cret-pw@db:5432/adventorator",
    "discord_bot_token": "bot-token-abc",
    "discord_public_key": "0123abcd",
    "llm_api_key": "sk-test-123",
}


def _secret(directory: Path, text: str | bytes, name: str = "secret") -> Path:
    path = directory / "run-secrets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def test_every_secret_field_has_a_test_value() -> None:
    assert set(VALUES) == SECRET_FIELDS


@pytest.mark.parametrize("field", sorted(SECRET_FIELDS))
def test_each_secret_is_read_from_its_file(
    field: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _secret(isolated_env, VALUES[field] + "\n")
    monkeypatch.setenv(secret_file_variable(field), str(path))

    settings = load_settings()

    assert getattr(settings, field) == VALUES[field]
    assert secret_file_variable(field) == env_name(field) + "_FILE"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("tok", "tok"),
        ("tok\n", "tok"),
        ("tok\r\n", "tok"),
        ("tok\n\n", "tok\n"),  # only one newline is stripped
        ("tok \n", "tok "),  # other whitespace is part of the secret
        ("line1\nline2\n", "line1\nline2"),
    ],
)
def test_one_trailing_newline_is_stripped(
    content: str, expected: str, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(_secret(isolated_env, content)))
    assert load_settings().discord_bot_token == expected


def test_a_missing_file_is_a_config_error_naming_variable_and_path(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = isolated_env / "no-such-secret"
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(missing))

    with pytest.raises(ConfigError) as raised:
        load_settings()

    message = str(raised.value)
    assert "DISCORD_BOT_TOKEN_FILE" in message
    assert str(missing) in message
    assert "No such file" in message


def test_a_directory_is_a_config_error(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root, so an unreadable path is a directory here.
    directory = isolated_env / "a-directory"
    directory.mkdir()
    monkeypatch.setenv("ADVENTORATOR_LLM_API_KEY_FILE", str(directory))

    with pytest.raises(ConfigError, match="ADVENTORATOR_LLM_API_KEY_FILE") as raised:
        load_settings()

    assert str(directory) in str(raised.value)


def test_an_empty_variable_is_a_config_error(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_PUBLIC_KEY_FILE", "")
    with pytest.raises(ConfigError, match="DISCORD_PUBLIC_KEY_FILE is set but empty"):
        load_settings()


def test_errors_never_show_the_contents(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _secret(isolated_env, b"\xff\xfesuper-secret-value\n")
    monkeypatch.setenv("ADVENTORATOR_LLM_API_KEY_FILE", str(path))

    with pytest.raises(ConfigError) as raised:
        load_settings()

    message = str(raised.value)
    assert "ADVENTORATOR_LLM_API_KEY_FILE" in message
    assert "not UTF-8" in message
    assert "super-secret" not in message
    assert raised.value.__cause__ is None  # the decode error (which quotes bytes) is dropped


def test_a_bad_url_from_a_file_is_reported_without_the_password(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _secret(isolated_env, "mysql://adv:hunter2@db/adv\n")
    monkeypatch.setenv("DATABASE_URL_FILE", str(path))

    with pytest.raises(ConfigError, match="DATABASE_URL") as raised:
        load_settings()

    assert "hunter2" not in str(raised.value)


# Precedence ----------------------------------------------------------------------------


def test_name_in_the_environment_wins_over_name_file(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "from-env")
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(_secret(isolated_env, "from-file\n")))

    settings = load_settings()

    assert settings.discord_bot_token == "from-env"
    rows = {row.name: row for row in describe_settings(settings)}
    assert rows["discord_bot_token"].source == "environment"


def test_an_empty_name_still_wins(isolated_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Documented: NAME set in the environment wins even when empty; unset it to use the file.
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "")
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(_secret(isolated_env, "from-file\n")))
    assert load_settings().discord_bot_token == ""


def test_name_file_is_not_read_when_name_is_set(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "from-env")
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(isolated_env / "missing"))
    assert load_settings().discord_bot_token == "from-env"  # no error for the unused file


def test_a_command_line_value_wins_over_name_file(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL_FILE", str(isolated_env / "missing"))
    url = f"sqlite:///{isolated_env / 'cli.db'}"
    assert load_settings(database_url=url).database_url == url


def test_name_file_wins_over_dotenv_and_toml(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_env / ".env").write_text(
        "DISCORD_BOT_TOKEN=from-dotenv\nDISCORD_PUBLIC_KEY=key-from-dotenv\n", encoding="utf-8"
    )
    toml = isolated_env / "adv.toml"
    toml.write_text('llm_api_key = "from-toml"\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(toml))
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(_secret(isolated_env, "tok-file", "t")))
    monkeypatch.setenv("ADVENTORATOR_LLM_API_KEY_FILE", str(_secret(isolated_env, "key", "k")))

    settings = load_settings()

    assert settings.discord_bot_token == "tok-file"
    assert settings.llm_api_key == "key"
    assert settings.discord_public_key == "key-from-dotenv"  # no _FILE: .env still applies


# adv config show -----------------------------------------------------------------------


def test_describe_settings_names_the_file_source_and_masks_the_value(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "DATABASE_URL_FILE", str(_secret(isolated_env, VALUES["database_url"] + "\n", "url"))
    )
    monkeypatch.setenv(
        "DISCORD_BOT_TOKEN_FILE", str(_secret(isolated_env, "bot-token-abc\n", "token"))
    )

    rows = {row.name: row for row in describe_settings(load_settings())}

    assert rows["database_url"].source == "file ($DATABASE_URL_FILE)"
    assert rows["database_url"].value == "postgresql://adv:***@db:5432/adventorator"
    assert rows["discord_bot_token"].source == "file ($DISCORD_BOT_TOKEN_FILE)"
    assert rows["discord_bot_token"].value == "***"
    assert rows["llm_api_key"].source == "default"


def test_adv_config_show_reports_the_file_and_an_unreadable_one(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _secret(isolated_env, "bot-token-abc\n", "token")
    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(token))

    shown = subprocess.run(
        [str(ADV), "config", "show"], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    line = next(line for line in shown.stdout.splitlines() if line.startswith("DISCORD_BOT_TOKEN"))
    assert "file ($DISCORD_BOT_TOKEN_FILE)" in line
    assert "bot-token-abc" not in shown.stdout

    monkeypatch.setenv("DISCORD_BOT_TOKEN_FILE", str(isolated_env / "gone"))
    failed = subprocess.run(
        [str(ADV), "config", "show"], capture_output=True, text=True, timeout=60, check=False
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("error: DISCORD_BOT_TOKEN_FILE: cannot read ")
    assert "Traceback" not in failed.stderr
