#!/usr/bin/env bash
# The container stage of .ci/run, with a real Docker engine:
#   engine      install docker.io (and docker-compose, mmdebstrap) from apt if missing;
#               start dockerd in the background unless a daemon already answers
#   bases       CI stand-ins for python:3.11.14-slim-bookworm and postgres:16, built from
#               Debian packages (ci/images/README.md); skipped while images with the same
#               inputs exist (ADVENTORATOR_CI_BASES=official uses the real images instead)
#   build       the project's runtime and test targets (BuildKit; its cache is kept)
#   image       `adv --version` (and uid 10001) and `adv roll` in the runtime image
#   smoke       scripts/container-smoke.sh against the built image
#   compose     `up` with the stand-ins: db healthy, migrate exits 0, app healthy
#   interact    a signed PING and a signed /roll through the published port
#   suite       `run test`: collects the whole suite, runs the quick Postgres subset
# then, on any exit: `down --volumes`, and the daemon stopped if this script started it.
# Each step's time is printed, and a failing step's log (and the services' logs).
#
# Usage: scripts/ci-containers.sh            (root, or a user of a running docker daemon)
#   ADVENTORATOR_SKIP_CONTAINERS=1   skip the stage (quick local runs; refused when CI is set)
#   ADVENTORATOR_CI_BASES=official   use python:3.11.14-slim-bookworm and postgres:16 from a
#                                    registry instead of building the stand-ins
#   ADVENTORATOR_CI_CA_BUNDLE=FILE   the CA bundle pip trusts in the build (default: the one
#                                    the host's pip uses: its `cert`, else SSL_CERT_FILE)
#   ADVENTORATOR_CI_TEST_ARGS="..."  the pytest arguments of the quick subset
# The pip index configuration of the host's pip (index-url, extra-index-url, trusted-host)
# is passed into the build as a secret, never written into the repository or an image.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[containers] %s\n' "$*" >&2; }

if [[ "${ADVENTORATOR_SKIP_CONTAINERS:-0}" == 1 ]]; then
  if [[ -n "${CI:-}" && "${CI:-}" != false ]]; then
    log "ADVENTORATOR_SKIP_CONTAINERS=1 is refused under CI (CI=$CI): the stage always runs there"
    exit 1
  fi
  log "skipped (ADVENTORATOR_SKIP_CONTAINERS=1)"
  exit 0
fi

BASES=${ADVENTORATOR_CI_BASES:-stand-in}
case "$BASES" in
  stand-in)
    DEBIAN_IMAGE=adventorator-ci/debian:bookworm
    PYTHON_IMAGE=adventorator-ci/python:3.11
    POSTGRES_IMAGE=adventorator-ci/postgres:15
    ;;
  official)
    PYTHON_IMAGE=python:3.11.14-slim-bookworm
    POSTGRES_IMAGE=postgres:16
    ;;
  *)
    log "ADVENTORATOR_CI_BASES must be stand-in or official, not $BASES"
    exit 2
    ;;
esac
RUNTIME_IMAGE=adventorator:local
TEST_IMAGE=adventorator:test
PROJECT=adventorator-ci
TEST_ARGS=${ADVENTORATOR_CI_TEST_ARGS:--q -p no:cacheprovider -m postgres tests/db}
HASH_LABEL=org.adventorator.ci.inputs

WORK=$(mktemp -d "${TMPDIR:-/tmp}/adventorator-ci-containers.XXXXXX")
DOCKERD_PID=""
COMPOSE_UP=0
STEP_NAMES=()
STEP_TIMES=()
CURRENT_STEP=""

# --- steps ------------------------------------------------------------------------------

# step NAME FUNCTION: run FUNCTION in a subshell with its output in $WORK/NAME.log;
# print the time, and on failure the log's tail, then exit. (Run in the background and
# waited for, so that `set -e` holds inside it; steps pass values on through $WORK files.)
step() {
  local name=$1 started status=0 seconds
  shift
  CURRENT_STEP=$name
  log "$name ..."
  started=$(date +%s.%N)
  ("$@") >"$WORK/$name.log" 2>&1 </dev/null &
  wait "$!" || status=$?
  seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  STEP_NAMES+=("$name")
  STEP_TIMES+=("$seconds")
  if ((status != 0)); then
    log "FAILED $name after $seconds s (exit $status); its log:"
    tail -n 150 "$WORK/$name.log" >&2 || true
    exit "$status"
  fi
  log "ok   $name: $seconds s"
  # What it showed last (versions, answers, the suite's summary).
  grep -v '^\s*$' "$WORK/$name.log" | tail -n "${STEP_TAIL:-3}" | sed 's/^/[containers]      | /' >&2 || true
  CURRENT_STEP=""
}

compose() {
  "${COMPOSE[@]}" --project-name "$PROJECT" --env-file "$WORK/compose.env" \
    -f docker-compose.yml -f ci/compose.ci.yml "$@"
}

service_container() {  # the container id of a compose service, running or exited
  docker ps --all --quiet --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1" | head -n 1
}

finish() {
  local status=$?
  set +e
  if ((status != 0)) && ((COMPOSE_UP)); then
    log "services' logs:"
    compose --profile test logs --no-color --tail 100 >&2 2>&1
  fi
  if ((COMPOSE_UP)); then
    log "tear down: compose down --volumes"
    compose --profile test down --volumes --remove-orphans >"$WORK/down.log" 2>&1 ||
      { cat "$WORK/down.log" >&2; ((status)) || status=1; }
  fi
  [[ ! -f "$WORK/dockerd.pid" ]] || DOCKERD_PID=$(cat "$WORK/dockerd.pid")
  if [[ -n "$DOCKERD_PID" ]]; then
    log "stopping dockerd (pid $DOCKERD_PID)"
    kill "$DOCKERD_PID" 2>/dev/null
    for _ in $(seq 1 60); do
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$DOCKERD_PID" 2>/dev/null; then
      log "dockerd did not stop within 30 s"
      ((status)) || status=1
    fi
  fi
  if ((${#STEP_NAMES[@]})); then
    log "step times (s):"
    local i
    for i in "${!STEP_NAMES[@]}"; do
      printf '[containers]   %-9s %7s\n' "${STEP_NAMES[$i]}" "${STEP_TIMES[$i]}" >&2
    done
  fi
  [[ -z "$CURRENT_STEP" ]] || log "failed in step: $CURRENT_STEP"
  rm -rf "$WORK"
  if ((status == 0)); then log "passed"; else log "FAILED (exit $status)"; fi
  exit "$status"
}
trap finish EXIT

# --- engine -----------------------------------------------------------------------------

apt_install() {  # apt_install PACKAGE...: install what is missing, refreshing lists if needed
  ((EUID == 0)) || { echo "need root to apt-get install $*"; return 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "$@" ||
    { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; }
}

engine() {
  local packages=()
  if ! docker info >/dev/null 2>&1; then
    command -v dockerd >/dev/null 2>&1 || packages+=(docker.io)
  fi
  if ! docker compose version >/dev/null 2>&1; then
    command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
  fi
  if [[ "$BASES" == stand-in ]] && ! command -v mmdebstrap >/dev/null 2>&1; then
    packages+=(mmdebstrap)
  fi
  ((${#packages[@]} == 0)) || apt_install "${packages[@]}"

  if ! docker info >/dev/null 2>&1; then
    echo "starting dockerd (log: $WORK/dockerd.log)"
    dockerd >"$WORK/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    echo "$DOCKERD_PID" >"$WORK/dockerd.pid"
    local up=0
    for _ in $(seq 1 120); do
      if docker info >/dev/null 2>&1; then up=1; break; fi
      kill -0 "$DOCKERD_PID" 2>/dev/null || break
      sleep 0.5
    done
    ((up)) || { cat "$WORK/dockerd.log"; echo "dockerd did not answer"; return 1; }
  fi
  docker version --format 'docker client {{.Client.Version}}, server {{.Server.Version}}'
}

# A docker client that builds with BuildKit: the one on PATH if it has buildx (or is
# older than 23, with BuildKit built in), else Debian's /usr/bin/docker (docker.io).
pick_client() {
  local client
  client=$(command -v docker)
  if ! docker buildx version >/dev/null 2>&1; then
    local major
    major=$(docker version --format '{{.Client.Version}}' 2>/dev/null | cut -d. -f1)
    if [[ "${major:-0}" -ge 23 && -x /usr/bin/docker && "$client" != /usr/bin/docker ]]; then
      client=/usr/bin/docker
    fi
  fi
  mkdir -p "$WORK/bin"
  ln -sf "$client" "$WORK/bin/docker"
  export PATH="$WORK/bin:$PATH" DOCKER_BUILDKIT=1
  if docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
  else
    COMPOSE=(docker-compose)
  fi
}

# --- bases ------------------------------------------------------------------------------

# The Debian bookworm suites apt uses on this machine, as sources.list lines.
debian_sources() {
  apt-cache policy | awk '
    /^ *[0-9]+ [a-z]+:\/\// { url = $2; suite = $3; sub(/\/.*/, "", suite); next }
    /^ +release / && url != "" {
      if ($0 ~ /o=Debian,/ && $0 ~ /n=bookworm(-updates|-security)?,/ && $0 ~ /c=main/)
        print "deb " url " " suite " main"
      url = ""
    }' | sort -u
}

image_label() {  # image_label IMAGE: its inputs label, or nothing when it does not exist
  docker image inspect --format "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$1" 2>/dev/null || true
}

build_standin() {  # build_standin NAME TAG: ci/images/NAME on $DEBIAN_IMAGE, unless current
  local name=$1 tag=$2 inputs
  inputs=$( {
    docker image inspect --format '{{.Id}}' "$DEBIAN_IMAGE"
    cat "ci/images/$name"/*
  } | sha256sum | cut -c1-16)
  if [[ "$(image_label "$tag")" == "$inputs" ]]; then
    echo "$tag: current ($inputs), not rebuilt"
    return 0
  fi
  docker build --progress plain --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" \
    --label "$HASH_LABEL=$inputs" --tag "$tag" "ci/images/$name"
}

bases() {
  if [[ "$BASES" == official ]]; then
    docker pull "$PYTHON_IMAGE"
    docker pull "$POSTGRES_IMAGE"
    return
  fi
  local sources inputs
  sources=$(debian_sources)
  [[ -n "$sources" ]] || { echo "apt knows no Debian bookworm mirror (apt-cache policy)"; return 1; }
  printf 'Debian sources (from apt):\n%s\n' "$sources"
  inputs=$(printf '%s\n' "$sources" | sha256sum | cut -c1-16)
  if [[ "$(image_label "$DEBIAN_IMAGE")" == "$inputs" ]]; then
    echo "$DEBIAN_IMAGE: current ($inputs), not rebuilt"
  else
    local lines=()
    mapfile -t lines <<<"$sources"
    mmdebstrap --quiet --variant=minbase bookworm - "${lines[@]}" |
      docker import --change "LABEL $HASH_LABEL=$inputs" --change 'CMD ["bash"]' - "$DEBIAN_IMAGE"
  fi
  # Both stand-ins at once; each one's output goes to its own log.
  build_standin python "$PYTHON_IMAGE" >"$WORK/bases-python.log" 2>&1 &
  local python_pid=$!
  build_standin postgres "$POSTGRES_IMAGE" >"$WORK/bases-postgres.log" 2>&1 &
  local postgres_pid=$! failed=0
  wait "$python_pid" || failed=1
  wait "$postgres_pid" || failed=1
  cat "$WORK/bases-python.log" "$WORK/bases-postgres.log"
  return "$failed"
}

# --- the project's images -----------------------------------------------------------------

# pip's configuration on this machine, as the build's pip_conf secret: the index settings
# only (local paths such as find-links or file:// indexes do not exist inside the build).
PIP_SECRETS=()
pip_secrets() {
  local pip=(python3 -m pip)
  [[ -x .venv/bin/python ]] && pip=(.venv/bin/python -m pip)
  local listing
  listing=$(PIP_CONFIG_FILE='' "${pip[@]}" config list 2>/dev/null || true)
  printf '%s\n' "$listing" | python3 -c '
import re, sys
wanted = {"index-url", "extra-index-url", "trusted-host", "timeout", "default-timeout", "retries"}
files, env, cert = {}, {}, ""
for line in sys.stdin:
    match = re.fullmatch(r"(:env:|[\w-]+)\.([\w-]+)=(.*)", line.strip())
    if not match:
        continue
    section, key, value = match.groups()
    value = value.strip("\x27\"")
    if key == "cert":
        cert = value if section == ":env:" or not cert else cert
        continue
    if key not in wanted:
        continue
    if key in ("index-url", "extra-index-url"):
        urls = [url for url in value.split() if re.match(r"https?://", url)]
        if not urls:
            continue
        value = " ".join(urls)
    (env if section == ":env:" else files)[key] = value
settings = {**files, **env}
with open(sys.argv[1], "w", encoding="utf-8") as handle:
    handle.write("[global]\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
print(cert)
shown = {k: re.sub(r"//[^/@]*@", "//***@", v) for k, v in settings.items()}
print("pip in the build:", shown or "PyPI (no index settings on this host)", file=sys.stderr)
' "$WORK/pip.conf" >"$WORK/pip-cert"
  PIP_SECRETS=(--secret "id=pip_conf,src=$WORK/pip.conf")
  local bundle=${ADVENTORATOR_CI_CA_BUNDLE:-$(cat "$WORK/pip-cert")}
  bundle=${bundle:-${SSL_CERT_FILE:-}}
  if [[ -n "$bundle" && -f "$bundle" ]]; then
    echo "CA bundle for pip in the build: $bundle" >&2
    PIP_SECRETS+=(--secret "id=pip_ca,src=$bundle")
  fi
}

build() {
  pip_secrets
  local proxy=() name
  for name in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    [[ -z "${!name:-}" ]] || proxy+=(--build-arg "$name")
  done
  local common=(--progress plain --build-arg "PYTHON_IMAGE=$PYTHON_IMAGE" "${PIP_SECRETS[@]}" "${proxy[@]}")
  docker build "${common[@]}" --target runtime --tag "$RUNTIME_IMAGE" .
  docker build "${common[@]}" --target test --tag "$TEST_IMAGE" .
}

image() {
  local version uid rolled
  version=$(docker run --rm "$RUNTIME_IMAGE" adv --version)
  echo "adv --version: $version"
  [[ "$version" == *"$(sed -n 's/^__version__ = "\(.*\)"/\1/p' adventorator/__init__.py)"* ]] ||
    { echo "the image's version is not the checkout's"; return 1; }
  uid=$(docker run --rm "$RUNTIME_IMAGE" id -u)
  [[ "$uid" == 10001 ]] || { echo "the image runs as uid $uid, not 10001"; return 1; }
  rolled=$(docker run --rm "$RUNTIME_IMAGE" adv roll 3d6 --json)
  python3 -c 'import json, sys; print("adv roll 3d6 --json: total", json.load(sys.stdin)["total"])' \
    <<<"$rolled"
}

smoke() {
  SMOKE_IMAGE=$RUNTIME_IMAGE SMOKE_BUILD=0 SMOKE_POSTGRES_IMAGE=$POSTGRES_IMAGE \
    bash scripts/container-smoke.sh
}

# --- the compose stack --------------------------------------------------------------------

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SERVICE STATE SECONDS: until the service's container is STATE: a health
# status (healthy), or exited-0 for a one-shot that must succeed (any other exit fails).
wait_for() {
  local service=$1 want=$2 seconds=$3 id="" state=""
  for _ in $(seq 1 $((seconds * 2))); do
    id=$(service_container "$service")
    if [[ -n "$id" ]]; then
      state=$(docker inspect --format \
        '{{.State.Status}}-{{.State.ExitCode}}{{if .State.Health}}-{{.State.Health.Status}}{{end}}' "$id")
      case "$want:$state" in
        exited-0:exited-0 | exited-0:exited-0-* | healthy:running-0-healthy)
          echo "$service: $state"
          return 0
          ;;
        exited-0:exited-* | healthy:exited-* | healthy:running-0-unhealthy)
          echo "$service: $state"
          docker logs --tail 100 "$id"
          return 1
          ;;
      esac
    fi
    sleep 0.5
  done
  echo "$service is not $want after $seconds s (last state: ${state:-no container})"
  [[ -z "$id" ]] || docker logs --tail 100 "$id"
  return 1
}

compose_up() {
  local port
  port=$(free_port)
  echo "$port" >"$WORK/port"
  local public_key
  public_key=$(.venv/bin/python ci/signed_interactions.py keygen "$WORK/discord.key")
  # Only what CI sets: a developer's .env is not read (--env-file).
  cat >"$WORK/compose.env" <<EOF
POSTGRES_IMAGE=$POSTGRES_IMAGE
ADVENTORATOR_PORT=$port
DISCORD_PUBLIC_KEY=$public_key
DISCORD_APPLICATION_ID=100000000000000001
EOF
  "${COMPOSE[@]}" version
  compose up --detach --no-build db
  wait_for db healthy 120
  compose up --detach --no-build app
  wait_for migrate exited-0 120
  wait_for app healthy 120
  curl --silent --show-error --fail "http://127.0.0.1:$port/healthz"
  echo
}

interact() {
  .venv/bin/python ci/signed_interactions.py send "http://127.0.0.1:$(cat "$WORK/port")" "$WORK/discord.key"
}

suite() {
  local collected
  collected=$(compose --profile test run --rm --no-deps -T test pytest --collect-only -q -p no:cacheprovider)
  tail -n 3 <<<"$collected"
  grep -Eq '^[0-9]+ tests? collected' <<<"$collected" || { echo "collection failed"; return 1; }
  # shellcheck disable=SC2086 # TEST_ARGS is a list of pytest arguments
  compose --profile test run --rm --no-deps -T test pytest $TEST_ARGS
}

step engine engine
pick_client
step bases bases
step build build
step image image
step smoke smoke
COMPOSE_UP=1  # from here on, the exit trap tears the stack down
step compose compose_up
step interact interact
step suite suite
