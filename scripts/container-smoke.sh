#!/usr/bin/env bash
# Smoke test of the runtime image with a real container engine (docker or podman):
# build it, run `adv --version`, `adv db upgrade` and `adv db check` against
# PostgreSQL, then start `adv serve` and poll /healthz. Exits non-zero on any
# failure; every container, network and volume it made is removed on exit.
#
# Usage: scripts/container-smoke.sh
#   CONTAINER_ENGINE=podman   choose the engine (default: the first of docker, podman that answers)
#   DATABASE_URL=...          use this PostgreSQL (reachable from inside a container)
#                             instead of starting PostgreSQL on a private network
#   SMOKE_IMAGE=name:tag      the tag to build (default adventorator:smoke)
#   SMOKE_BUILD=0             test SMOKE_IMAGE as it is, without building it
#   SMOKE_POSTGRES_IMAGE=...  the PostgreSQL image to start (default postgres:16)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${SMOKE_IMAGE:-adventorator:smoke}
POSTGRES_IMAGE=${SMOKE_POSTGRES_IMAGE:-postgres:16}
RUN_ID="adv-smoke-$$"
NETWORK="$RUN_ID-net"
DB_CONTAINER="$RUN_ID-db"
APP_CONTAINER="$RUN_ID-app"
HEALTH_TIMEOUT=${SMOKE_HEALTH_TIMEOUT:-60}

log() { printf '[smoke] %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}

pick_engine() {
  local candidate
  for candidate in ${CONTAINER_ENGINE:-docker podman}; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" info >/dev/null 2>&1; then
      printf '%s' "$candidate"
      return 0
    fi
  done
  return 1
}

ENGINE=$(pick_engine) ||
  fail "no container engine answers (tried: ${CONTAINER_ENGINE:-docker podman}); start one or set CONTAINER_ENGINE"
log "engine: $ENGINE ($("$ENGINE" --version))"

network_made=0
cleanup() {
  local status=$?
  # --volumes: the anonymous volume of the postgres image's data directory too.
  "$ENGINE" rm --force --volumes "$APP_CONTAINER" "$DB_CONTAINER" >/dev/null 2>&1 || true
  if ((network_made)); then
    "$ENGINE" network rm "$NETWORK" >/dev/null 2>&1 || true
  fi
  if ((status == 0)); then
    log "passed"
  else
    log "failed (exit $status)"
  fi
}
trap cleanup EXIT

if [[ "${SMOKE_BUILD:-1}" == 0 ]]; then
  log "testing $IMAGE as built (SMOKE_BUILD=0)"
else
  log "building $IMAGE (target runtime)"
  "$ENGINE" build --target runtime --tag "$IMAGE" . >&2
fi

version=$("$ENGINE" run --rm "$IMAGE" adv --version) || fail "adv --version"
log "adv --version: $version"
uid=$("$ENGINE" run --rm "$IMAGE" id -u) || fail "id -u"
[[ "$uid" == 10001 ]] || fail "the image runs as uid $uid, not 10001"

"$ENGINE" network create "$NETWORK" >/dev/null || fail "cannot create network $NETWORK"
network_made=1

if [[ -n "${DATABASE_URL:-}" ]]; then
  log "using the DATABASE_URL from the environment"
  database_url=$DATABASE_URL
else
  log "starting $POSTGRES_IMAGE as $DB_CONTAINER"
  "$ENGINE" run --detach --name "$DB_CONTAINER" --network "$NETWORK" \
    --env POSTGRES_USER=adv --env POSTGRES_PASSWORD=smoke --env POSTGRES_DB=adv \
    "$POSTGRES_IMAGE" >/dev/null || fail "cannot start $POSTGRES_IMAGE"
  ready=0
  for _ in $(seq 1 60); do
    # -h: over TCP, so the entrypoint's temporary socket-only server does not count.
    if "$ENGINE" exec "$DB_CONTAINER" pg_isready -q -h 127.0.0.1 -U adv -d adv; then
      ready=1
      break
    fi
    sleep 1
  done
  ((ready)) || fail "postgres did not become ready in 60 s"
  database_url="postgresql://adv:smoke@$DB_CONTAINER:5432/adv"
fi

adv_in_image() {
  "$ENGINE" run --rm --network "$NETWORK" --env DATABASE_URL="$database_url" "$IMAGE" adv "$@"
}
adv_in_image db upgrade || fail "adv db upgrade"
adv_in_image db check || fail "adv db check"

log "starting adv serve as $APP_CONTAINER"
"$ENGINE" run --detach --name "$APP_CONTAINER" --network "$NETWORK" \
  --env DATABASE_URL="$database_url" "$IMAGE" >/dev/null || fail "cannot start the app"
healthy=0
for _ in $(seq 1 "$HEALTH_TIMEOUT"); do
  if "$ENGINE" exec "$APP_CONTAINER" python -c \
    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" \
    >/dev/null 2>&1; then
    healthy=1
    break
  fi
  running=$("$ENGINE" inspect --format '{{.State.Running}}' "$APP_CONTAINER" 2>/dev/null || echo false)
  if [[ "$running" != true ]]; then
    "$ENGINE" logs "$APP_CONTAINER" >&2 || true
    fail "adv serve exited"
  fi
  sleep 1
done
if ((!healthy)); then
  "$ENGINE" logs "$APP_CONTAINER" >&2 || true
  fail "/healthz did not answer within $HEALTH_TIMEOUT s"
fi
log "/healthz answered"
