# syntax=docker/dockerfile:1
# Adventorator images. Targets:
#   runtime (default, last stage)  the `adv` CLI and `adv serve` on port 8000, as user 10001
#   test                           the runtime's dependencies plus the dev extras and tests/;
#                                  its CMD runs the suite (CI: `docker compose run test`)
# Build: docker build -t adventorator .          docker build --target test -t adventorator:test .

# One pinned base for every stage: the venv built in `builder` runs unchanged in `runtime`.
FROM python:3.11.14-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore


# Builds the wheel and installs it, with its dependencies, into /opt/venv.
FROM base AS builder
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
RUN pip install ".[llm]"
COPY adventorator ./adventorator
RUN pip install --no-deps --force-reinstall . \
    && adv --version


# The suite, run against Postgres by the compose `test` service. It runs from the
# checkout layout (/src) as the tests expect: examples/, pyproject.toml.
FROM builder AS test
# hadolint ignore=DL3013
RUN pip install ".[dev]" \
    && groupadd --gid 10001 adv \
    && useradd --no-log-init --uid 10001 --gid 10001 --create-home --home-dir /home/adv \
        --shell /usr/sbin/nologin adv \
    && chown 10001:10001 /src
COPY --chown=10001:10001 tests ./tests
COPY --chown=10001:10001 examples ./examples
# The delivery files, for tests/delivery (the tool-based checks skip without their tools).
COPY --chown=10001:10001 Dockerfile docker-compose.yml .env.example ./
COPY --chown=10001:10001 .github ./.github
COPY --chown=10001:10001 scripts ./scripts
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
