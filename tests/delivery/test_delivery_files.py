"""Delivery files: docker-compose.yml, .env.example, the CI workflow, Dockerfile, .dockerignore."""

from __future__ import annotations

import re
import tomllib
from typing import Any
from urllib.parse import urlsplit

import pytest
from dotenv import dotenv_values

from adventorator.config import SECRET_FIELDS, Settings, env_name, secret_file_variable

from .conftest import REPO_ROOT, load_yaml

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = load_yaml(COMPOSE_FILE)
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    result = compose["services"]
    assert isinstance(result, dict)
    return result


def _example_values() -> dict[str, str]:
    return {key: value or "" for key, value in dotenv_values(ENV_EXAMPLE).items()}


def _interpolate(text: str) -> str:
    """Compose's interpolation with the values .env.example sets (every variable must be set)."""
    values = _example_values()
    return _VARIABLE.sub(lambda match: values[match.group(1)], text)


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in service["depends_on"].items()}


def test_services_and_no_top_level_name(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"db", "migrate", "app", "test"}
    assert "name" not in compose  # docker-compose 1.29 rejects it
    assert "version" not in compose  # obsolete in Compose v2


def test_db_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    assert services["db"]["image"] == "postgres:16"
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "ports" not in services["db"]  # reachable on the compose network only


def test_db_credentials_come_from_the_env_file(services: dict[str, Any]) -> None:
    assert services["db"]["env_file"] == ".env"
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= set(_example_values())


def test_healthchecks(services: dict[str, Any]) -> None:
    db_check = services["db"]["healthcheck"]["test"]
    assert db_check[0] == "CMD-SHELL"
    assert "pg_isready" in db_check[1]
    app_check = services["app"]["healthcheck"]["test"]
    assert app_check[0] == "CMD"
    assert "http://127.0.0.1:8000/healthz" in " ".join(app_check)


def test_migrate_runs_once_db_is_healthy(services: dict[str, Any]) -> None:
    migrate = services["migrate"]
    assert migrate["command"] == ["adv", "db", "upgrade"]
    assert _depends_on(migrate) == {"db": "service_healthy"}
    assert migrate["restart"] == "no"


def test_app_starts_after_a_successful_migration(services: dict[str, Any]) -> None:
    assert _depends_on(services["app"]) == {"migrate": "service_completed_successfully"}


@pytest.mark.parametrize("name", ["migrate", "app"])
def test_database_url_points_at_the_db_service(services: dict[str, Any], name: str) -> None:
    values = _example_values()
    url = urlsplit(_interpolate(services[name]["environment"]["DATABASE_URL"]))
    assert url.scheme == "postgresql"
    assert url.hostname == "db"
    assert url.port == 5432
    assert url.username == values["POSTGRES_USER"]
    assert url.password == values["POSTGRES_PASSWORD"]
    assert url.path == "/" + values["POSTGRES_DB"]


def test_app_is_published_on_loopback_only(services: dict[str, Any]) -> None:
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]
    published = [name for name, service in services.items() if "ports" in service]
    assert published == ["app"]


def test_runtime_services_build_the_runtime_target(services: dict[str, Any]) -> None:
    for name in ("migrate", "app"):
        assert services[name]["build"]["target"] == "runtime"
        assert services[name]["image"] == "adventorator:local"


def test_test_service_runs_the_suite_against_db(services: dict[str, Any]) -> None:
    test = services["test"]
    assert test["profiles"] == ["test"]
    assert test["build"]["target"] == "test"
    assert _depends_on(test) == {"db": "service_healthy"}
    environment = test["environment"]
    assert environment["ADVENTORATOR_REQUIRE_POSTGRES"] == "1"
    assert urlsplit(_interpolate(environment["ADVENTORATOR_TEST_DATABASE_URL"])).hostname == "db"
    assert "profiles" not in services["app"]


# .env.example --------------------------------------------------------------------------


def _documented_names() -> set[str]:
    """Every NAME in `NAME=...` or `# NAME=...` lines of .env.example."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text(encoding="utf-8")))


def test_env_example_documents_every_setting() -> None:
    documented = _documented_names()
    expected = {env_name(field) for field in Settings.model_fields}
    expected |= {secret_file_variable(field) for field in SECRET_FIELDS}
    expected |= {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "ADVENTORATOR_CONFIG_FILE"}
    assert sorted(expected - documented) == []


def test_env_example_sets_only_the_compose_credentials() -> None:
    # Everything else is commented out, so copying the example keeps the defaults
    # and sets no placeholder secret.
    assert set(_example_values()) == {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}


# The CI workflow -----------------------------------------------------------------------

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    document = load_yaml(WORKFLOW)
    assert isinstance(document, dict)
    return document


def _steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    steps = workflow["jobs"][job]["steps"]
    assert isinstance(steps, list)
    return steps


def test_workflow_pins_every_action_to_a_commit(workflow: dict[str, Any]) -> None:
    uses = [
        step["uses"] for job in workflow["jobs"] for step in _steps(workflow, job) if "uses" in step
    ]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", action), action


def test_workflow_runs_the_suite_in_compose_and_always_tears_down(
    workflow: dict[str, Any],
) -> None:
    steps = _steps(workflow, "containers")
    runs = [step.get("run", "") for step in steps]
    order = [
        "docker build --target test",
        "docker build --target runtime",
        "docker compose up --detach --wait db",
        "docker compose run --rm migrate",
        "docker compose --profile test run --rm test",
        "down --volumes",
    ]
    positions = [next(i for i, run in enumerate(runs) if fragment in run) for fragment in order]
    assert positions == sorted(positions)
    teardown = next(step for step in steps if "down --volumes" in step.get("run", ""))
    assert teardown["if"] == "always()"


def test_workflow_has_a_separate_lint_job(workflow: dict[str, Any]) -> None:
    runs = " ".join(step.get("run", "") for step in _steps(workflow, "lint"))
    assert "ruff check" in runs
    assert "ruff format --check" in runs
    assert "mypy" in runs


# The Dockerfile (plain text: no parser needed) --------------------------------------------

DOCKERFILE = REPO_ROOT / "Dockerfile"


def _instructions() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.strip() for line in joined.splitlines() if line.strip() and line[0] != "#"]


def _stages() -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in _instructions():
        match = re.match(r"FROM\s+(\S+)\s+AS\s+(\S+)", line, re.IGNORECASE)
        if match:
            current = [line]
            stages[match.group(2)] = current
        else:
            current.append(line)
    return stages


def test_dockerfile_base_is_pinned_to_a_patch_release() -> None:
    bases = [line.split()[1] for line in _instructions() if line.upper().startswith("FROM")]
    external = [base for base in bases if ":" in base]
    assert external
    for base in external:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", base), base


def test_dockerfile_runtime_is_the_last_stage_and_non_root() -> None:
    stages = _stages()
    assert list(stages)[-1] == "runtime"
    runtime = stages["runtime"]
    assert "USER 10001:10001" in runtime
    assert "EXPOSE 8000" in runtime
    assert 'CMD ["adv", "serve", "--host", "0.0.0.0"]' in runtime
    copies = [line for line in runtime if line.startswith("COPY")]
    assert copies == ["COPY --from=builder /opt/venv /opt/venv"]
    healthcheck = next(line for line in runtime if line.startswith("HEALTHCHECK"))
    assert 'CMD ["python", "-c"' in healthcheck
    assert "http://127.0.0.1:8000/healthz" in healthcheck


def test_dockerfile_test_stage_runs_pytest_with_the_dev_extra() -> None:
    test = _stages()["test"]
    assert test[-1] == 'CMD ["pytest"]'
    assert any('pip install ".[dev]"' in line for line in test)
    assert "USER 10001:10001" in test


def test_dockerfile_installs_the_llm_extra_when_the_project_has_one() -> None:
    extras = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    wanted = 'pip install ".[llm]"' if "llm" in extras else 'pip install "."'
    assert any(wanted in line for line in _stages()["builder"])


def test_dockerignore_is_an_allow_list_without_secrets_or_caches() -> None:
    lines = [
        line.strip()
        for line in (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert not allowed & {".env", ".venv", ".git", "dist", "build", ".mypy_cache"}
    assert {"pyproject.toml", "README.md", "adventorator"} <= allowed
