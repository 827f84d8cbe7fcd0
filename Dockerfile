# Adventorator images. Targets:
#   runtime (default, last stage)  the `adv` CLI and `adv serve` on port 8000, as user 10001
#   test                           the runtime's dependencies plus the dev extras and tests/;
#                                  its CMD runs the suite (CI: `docker compose run test`)
# Build: docker build -t adventorator .          docker build --target test -t adventorator:test .
#
# Needs BuildKit (the default builder since Docker 23; DOCKER_BUILDKIT=1 before that).
# No `# syntax=` line: BuildKit's built-in frontend is enough, and it needs no registry.
#
# Build arguments and secrets, all optional:
#   --build-arg PYTHON_IMAGE=...   the base of every stage (default the pinned official
#                                  image below; CI without Docker Hub passes its stand-in,
#                                  ci/images/python)
#   --secret id=pip_ca,src=FILE    an extra CA bundle (PEM) pip trusts besides its own:
#                                  the way to build behind a TLS-intercepting proxy
#   --secret id=pip_conf,src=FILE  a pip configuration file (index-url, extra-index-url,
#                                  trusted-host...) to install from the index your own
#                                  pip uses instead of PyPI
# Secrets are mounted only while pip runs: they stay out of the layers and the history.

# One pinned base for every stage: the venv built in `builder` runs unchanged in `runtime`.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore


# Builds the wheel and installs it, with its dependencies, into /opt/venv.
FROM base AS builder
# pip with the optional pip_ca and pip_conf secrets (plain pip without them).
COPY scripts/docker-pip.sh /usr/local/bin/docker-pip
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv
WORKDIR /src
# Dependencies first, from the metadata and the version file only, so that a
# change to the code does not reinstall them.
COPY pyproject.toml README.md ./
COPY adventorator/__init__.py ./adventorator/__init__.py
# The `llm` extra (litellm) makes the narrator and planner available.
# DL3013 (pin versions): this installs the project itself; pyproject.toml bounds
# every dependency's version.
# hadolint ignore=DL3013
RUN --mount=type=secret,id=pip_ca --mount=type=secret,id=pip_conf \
    docker-pip install ".[llm]"
COPY adventorator ./adventorator
# (The build backend, hatchling, comes from the index too.)
RUN --mount=type=secret,id=pip_ca --mount=type=secret,id=pip_conf \
    docker-pip install --no-deps --force-reinstall . \
    && adv --version


# The suite, run against Postgres by the compose `test` service. It runs from the
# checkout layout (/src) as the tests expect: README.md, pyproject.toml, alembic.ini,
# examples/, bench/ (tests import its corpus) and the delivery files tests/delivery reads.
FROM builder AS test
# hadolint ignore=DL3013
RUN --mount=type=secret,id=pip_ca --mount=type=secret,id=pip_conf \
    docker-pip install ".[dev]" \
    && groupadd --gid 10001 adv \
    && useradd --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/adv \
        --shell /usr/sbin/nologin adv \
    && chown 10001:10001 /src
COPY --chown=10001:10001 tests ./tests
COPY --chown=10001:10001 examples ./examples
COPY --chown=10001:10001 bench ./bench
COPY --chown=10001:10001 alembic.ini ./
# The delivery files, for tests/delivery (the tool-based checks skip without their tools).
COPY --chown=10001:10001 Dockerfile docker-compose.yml .env.example .dockerignore ./
COPY --chown=10001:10001 .github ./.github
COPY --chown=10001:10001 scripts ./scripts
COPY --chown=10001:10001 ci ./ci
COPY --chown=10001:10001 .ci ./.ci
USER 10001:10001
CMD ["pytest"]


# What ships: the slim base, the venv and an unprivileged user. No compilers, no source.
FROM base AS runtime
RUN groupadd --gid 10001 adv \
    && useradd --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/adv \
        --shell /usr/sbin/nologin adv
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv
WORKDIR /home/adv
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["adv", "serve", "--host", "0.0.0.0"]
