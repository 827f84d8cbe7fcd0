"""Delivery files: docker-compose.yml, .env.example, the CI workflow, Dockerfile, .dockerignore."""

from __future__ import annotations

import re
import tomllib
from typing import Any
from urllib.parse import urlsplit

import pytest
from dotenv import dotenv_values

from adventorator.config import SECRET_FIELDS, Settings, env_name, secret_file_variable

from .support import REPO_ROOT, load_yaml

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}
# ($${VAR} is a literal ${VAR} for the container's shell.)
_VARIABLE = re.compile(r"(?<!\$)\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


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


def _interpolate(text: str, values: dict[str, str] | None = None) -> str:
    """Compose's interpolation: ``values`` (default: what .env.example sets), else the default.

    ``values={}`` is a fresh clone: no .env, nothing in the shell.
    """
    known = _example_values() if values is None else values

    def substitute(match: re.Match[str]) -> str:
        name, operator, default = match.groups()
        if name in known:
            return known[name]
        assert operator in (":-", "-"), f"${{{name}}} has no default: {match.group(0)}"
        return str(default)

    return _VARIABLE.sub(substitute, text)


# A fresh clone, and a clone with .env copied from .env.example.
SETUPS = pytest.mark.parametrize("values", [{}, None], ids=["no-dotenv", "example-dotenv"])


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in service["depends_on"].items()}


def test_services_and_no_top_level_name(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == {"db", "migrate", "app", "test"}
    assert "name" not in compose  # docker-compose 1.29 rejects it
    assert "version" not in compose  # obsolete in Compose v2


def test_db_keeps_its_data_in_a_named_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    # The official image unless POSTGRES_IMAGE names another (CI's stand-in).
    assert _interpolate(services["db"]["image"], {}) == "postgres:16"
    assert _interpolate(services["db"]["image"], {"POSTGRES_IMAGE": "x:1"}) == "x:1"
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "ports" not in services["db"]  # reachable on the compose network only


def test_a_fresh_clone_needs_no_dotenv(compose: dict[str, Any], services: dict[str, Any]) -> None:
    # docker-compose 1.29 cannot make an env_file optional, so there is none: every
    # ${...} has a default, and the settings come through `environment`.
    assert all("env_file" not in service for service in services.values())
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for match in _VARIABLE.finditer(text):
        assert match.group(2) in (":-", "-"), f"no default: {match.group(0)}"


@SETUPS
def test_db_credentials_have_development_defaults(
    services: dict[str, Any], values: dict[str, str] | None
) -> None:
    environment = {
        name: _interpolate(value, values) for name, value in services["db"]["environment"].items()
    }
    # The example sets the defaults, so copying it changes nothing until it is edited.
    assert environment == {
        name: _example_values()[name]
        for name in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    }
    assert all(environment.values())


def test_the_migrate_and_app_containers_get_every_setting(services: dict[str, Any]) -> None:
    expected = {env_name(field) for field in Settings.model_fields}
    expected |= {secret_file_variable(field) for field in SECRET_FIELDS}
    expected |= {"ADVENTORATOR_CONFIG_FILE"}
    expected -= {"DATABASE_URL_FILE"}  # DATABASE_URL is always the db service's
    for name in ("migrate", "app"):
        environment = services[name]["environment"]
        assert set(environment) == expected
        # Unset in .env and the shell: unset in the container (NAME="" would beat NAME_FILE).
        passed_through = {key for key, value in environment.items() if value is None}
        assert passed_through == expected - {"DATABASE_URL"}


def test_migrate_has_no_healthcheck(services: dict[str, Any]) -> None:
    # A one-shot: the image's HEALTHCHECK polls the app's /healthz.
    assert services["migrate"]["healthcheck"] == {"disable": True}


def test_healthchecks(services: dict[str, Any]) -> None:
    db_check = services["db"]["healthcheck"]["test"]
    assert db_check[0] == "CMD-SHELL"
    assert "pg_isready" in db_check[1]
    assert "-h 127.0.0.1" in db_check[1]  # not the entrypoint's socket-only set-up server
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


@SETUPS
@pytest.mark.parametrize("name", ["migrate", "app"])
def test_database_url_points_at_the_db_service(
    services: dict[str, Any], name: str, values: dict[str, str] | None
) -> None:
    url = urlsplit(_interpolate(services[name]["environment"]["DATABASE_URL"], values))
    values = _example_values()  # the example sets the defaults
    assert url.scheme == "postgresql"
    assert url.hostname == "db"
    assert url.port == 5432
    assert url.username == values["POSTGRES_USER"]
    assert url.password == values["POSTGRES_PASSWORD"]
    assert url.path == "/" + values["POSTGRES_DB"]


def test_app_is_published_on_loopback_only(services: dict[str, Any]) -> None:
    assert [_interpolate(port, {}) for port in services["app"]["ports"]] == ["127.0.0.1:8000:8000"]
    assert _interpolate(services["app"]["ports"][0], {"ADVENTORATOR_PORT": "8123"}) == (
        "127.0.0.1:8123:8000"
    )
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


def test_env_example_documents_the_compose_variables() -> None:
    used = set(_VARIABLE.findall(COMPOSE_FILE.read_text(encoding="utf-8")))
    assert {name for name, _, _ in used} <= _documented_names()


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


def test_workflow_runs_the_container_stage_with_the_official_images(
    workflow: dict[str, Any],
) -> None:
    # The same script as .ci/run's container stage, with the real base images.
    steps = _steps(workflow, "containers")
    stage = next(step for step in steps if "scripts/ci-containers.sh" in step.get("run", ""))
    assert stage["env"]["ADVENTORATOR_CI_BASES"] == "official"
    assert "ADVENTORATOR_SKIP_CONTAINERS" not in stage["env"]
    runs = [step.get("run", "") for step in steps]
    # The stage signs interactions with the project's venv: it exists before.
    assert runs.index("make install") < runs.index(stage["run"])
    ci_run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/ci-containers.sh" in ci_run


def test_workflow_has_a_separate_lint_job(workflow: dict[str, Any]) -> None:
    runs = " ".join(step.get("run", "") for step in _steps(workflow, "lint"))
    assert "ruff check" in runs
    assert "ruff format --check" in runs
    assert "mypy" in runs
    assert "scripts/validate-containers.sh" in runs


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


def test_dockerfile_base_is_a_build_argument_pinned_to_a_patch_release() -> None:
    instructions = _instructions()
    bases = [line.split()[1] for line in instructions if line.upper().startswith("FROM")]
    assert bases[0] == "${PYTHON_IMAGE}"
    assert all(base == "${PYTHON_IMAGE}" or ":" not in base for base in bases)
    (default,) = [line for line in instructions if line.startswith("ARG PYTHON_IMAGE=")]
    assert re.fullmatch(
        r"ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", default
    ), default


def test_dockerfile_needs_no_frontend_from_a_registry() -> None:
    # A `# syntax=` line makes BuildKit pull its frontend image first.
    first = DOCKERFILE.read_text(encoding="utf-8").splitlines()[0]
    assert not re.match(r"#\s*syntax\s*=", first)


def test_every_pip_install_in_the_dockerfile_can_use_the_build_secrets() -> None:
    pips = [line for line in _instructions() if re.search(r"\bpip install\b", line)]
    assert pips
    for line in pips:
        assert "docker-pip install" in line, line
        assert "--mount=type=secret,id=pip_ca" in line, line
        assert "--mount=type=secret,id=pip_conf" in line, line


def test_the_test_image_holds_what_the_suite_reads_from_the_checkout() -> None:
    copied = " ".join(line for line in _stages()["test"] if line.startswith("COPY"))
    builder = " ".join(line for line in _stages()["builder"] if line.startswith("COPY"))
    for needed in ("tests", "examples", "bench", "alembic.ini", ".dockerignore", "ci"):
        assert re.search(rf"\s{re.escape(needed)}(\s|$)", copied), needed
    for needed in ("pyproject.toml", "README.md", "adventorator"):
        assert needed in builder, needed


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
    # Every file the Dockerfile copies from the context is allowed.
    for line in _instructions():
        if line.startswith("COPY") and "--from=" not in line:
            sources = [word for word in line.split()[1:-1] if not word.startswith("--")]
            for source in sources:
                assert source.split("/")[0] in allowed, source
