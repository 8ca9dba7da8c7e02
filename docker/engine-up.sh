#!/usr/bin/env bash
# npm run docker:up — make a Docker engine reachable and seed the Debian base images.
#
# 1. Engine: if DOCKER_HOST is set or `docker info` already answers, nothing is started.
#    Otherwise (root on Debian only) docker.io is installed with apt (apt-get update only when
#    the package is unknown), dockerd is started in its own session, logging to
#    /var/log/wasmhub-dockerd.log, and we wait (bounded) until it answers. An engine this script
#    did not start is never touched.
# 2. Base images: docker/base-images.ts makes sure debian:bookworm-slim and debian:trixie-slim
#    exist (present -> skip; else pull; else debootstrap from the host's apt mirror + import).
#
# Environment: WASMHUB_DOCKERD_WAIT (seconds, default 60), WASMHUB_DOCKERD_LOG (log path).
set -euo pipefail

root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dockerd_log="${WASMHUB_DOCKERD_LOG:-/var/log/wasmhub-dockerd.log}"
wait_seconds="${WASMHUB_DOCKERD_WAIT:-60}"

log() { printf '[docker:up] %s\n' "$*"; }
die() {
  printf '[docker:up] error: %s\n' "$*" >&2
  exit 1
}

engine_answers() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }
server_version() { docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'; }

wait_for_engine() {
  # $1: pid of the dockerd we started (empty when waiting for someone else's dockerd)
  local pid="${1:-}" waited=0
  while ! engine_answers; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      die "dockerd exited during startup (last log line: $(tail -n 1 "$dockerd_log" 2>/dev/null || echo none)); see $dockerd_log"
    fi
    if ((waited >= wait_seconds)); then
      die "Docker engine did not answer within ${wait_seconds}s; see $dockerd_log (raise WASMHUB_DOCKERD_WAIT if the machine is slow)"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "engine answers after ${waited}s (server $(server_version))"
}

install_missing() {
  # args: command:package pairs; installs the packages whose command is missing
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if ((${#missing[@]} == 0)); then
    log "already installed: ${*%%:*}"
    return
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    log "apt-get update (package lists do not know ${missing[*]})"
    apt-get update -qq
  fi
  log "apt-get install ${missing[*]}"
  local started=$SECONDS
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  log "installed ${missing[*]} in $((SECONDS - started))s"
}

dockerd_running() {
  # A dockerd that is already running (ours from an earlier run, or someone else's) but not yet answering.
  local pid
  [[ -r /var/run/docker.pid ]] || return 1
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start_engine() {
  [[ "$(id -u)" == 0 ]] ||
    die "no Docker engine answers and this is not root: start one (e.g. 'sudo npm run docker:up') or set DOCKER_HOST to a running engine"
  [[ -r /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1 ||
    die "no Docker engine answers and this is not Debian: start a Docker engine yourself (or set DOCKER_HOST), then rerun npm run docker:up"
  install_missing dockerd:docker.io debootstrap:debootstrap
  if dockerd_running; then
    log "a dockerd is already running (pid $(cat /var/run/docker.pid)) but not answering yet; waiting for it, not starting another"
    wait_for_engine ""
    return
  fi
  log "starting dockerd in the background (log: $dockerd_log)"
  : >>"$dockerd_log"
  setsid "$(command -v dockerd)" </dev/null >>"$dockerd_log" 2>&1 &
  local pid=$!
  disown "$pid" 2>/dev/null || true
  log "dockerd pid $pid; waiting up to ${wait_seconds}s for it to answer"
  wait_for_engine "$pid"
}

if [[ -n "${DOCKER_HOST:-}" ]]; then
  engine_answers || die "DOCKER_HOST=$DOCKER_HOST does not answer 'docker info': start that engine or unset DOCKER_HOST, then rerun npm run docker:up"
  log "engine at DOCKER_HOST=$DOCKER_HOST answers (server $(server_version)); not starting anything"
elif engine_answers; then
  log "engine already answers (server $(server_version)); not starting anything"
else
  start_engine
fi

# debootstrap is only needed to seed a missing base image (the engine may have been there already).
if ! command -v debootstrap >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1 &&
  ! docker image inspect debian:bookworm-slim debian:trixie-slim >/dev/null 2>&1; then
  install_missing debootstrap:debootstrap
fi

cd "$root_dir"
[[ -x "$root_dir/node_modules/.bin/tsx" ]] || die "engine is ready, but node_modules is missing: run npm ci, then rerun npm run docker:up to seed the base images"
exec "$root_dir/node_modules/.bin/tsx" "$root_dir/docker/base-images.ts"
