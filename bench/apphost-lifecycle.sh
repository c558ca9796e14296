#!/usr/bin/env bash
# Measures the local app's lifecycle under Aspire, as a developer meets it:
#   start:    `dotnet run --project Byoc.AppHost` until every resource answers its health check
#   memory:   RSS and PSS of `dotnet run`, the AppHost, DCP, the dashboard and each service once all are healthy
#   stop:     SIGTERM to the AppHost (what `kill` sends; Ctrl+C sends SIGINT, handled the same) until none is left
# Usage: bench/apphost-lifecycle.sh [--cold]
#   --cold  measures a fresh clone (restore from the local NuGet cache, then a full build) instead of a built tree.
# Debug build, as `dotnet run` makes it. Uses the fixed development ports (5100, 5300, 5202, 5402, 15888): stop any
# other AppHost first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
kind=warm
if [ "${1:-}" = "--cold" ]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  git clone -q "$repo" "$scratch/byoc"
  cd "$scratch/byoc"
  kind=cold
else
  dotnet build Byoc.AppHost -v q -nologo > /dev/null
fi

healthy() {
  for url in http://127.0.0.1:5100/health http://127.0.0.1:5300/health http://127.0.0.1:5202/health http://127.0.0.1:5402/health; do
    curl -sf -m 1 "$url" > /dev/null || return 1
  done
}

elapsed() { echo "$(date +%s.%N) - $1" | bc; }

# The processes of this run only: the `dotnet run` wrapper, the AppHost under it, and every process under the DCP
# API server that watches the AppHost (`dcp start-apiserver --monitor {AppHost pid}`).
descendants() { # pid...
  local pid
  for pid in "$@"; do echo "$pid"; descendants $(ps -o pid= --ppid "$pid"); done
}
ours() {
  local dcp
  dcp=$(pgrep -f "dcp start-apiserver --monitor $apphost " || true)
  descendants "$wrapper" ${dcp:+$dcp}
}

start=$(date +%s.%N)
setsid dotnet run --project Byoc.AppHost > /tmp/byoc-apphost-lifecycle.log 2>&1 < /dev/null &
wrapper=$!
until healthy; do
  sleep 0.2
  if [ "$(echo "$(elapsed "$start") > 300" | bc)" = 1 ]; then
    echo "not healthy within 300 s; see /tmp/byoc-apphost-lifecycle.log" >&2; kill -TERM "$wrapper"; exit 1
  fi
done
up=$(elapsed "$start")
sleep 5 # let start-up settle before reading memory

apphost=$(pgrep -P "$wrapper" -f "Byoc.AppHost" | head -1)
[ -n "$apphost" ] || { echo "the AppHost process was not found under dotnet run ($wrapper)" >&2; kill -TERM "$wrapper"; exit 1; }
printf '%s start to all healthy: %.1f s\n\n' "$kind" "$up"
printf '%-40s %8s %8s\n' process "RSS MB" "PSS MB"
total_rss=0; total_pss=0
pids=$(ours | sort -un)
for pid in $pids; do
  [ -r "/proc/$pid/smaps_rollup" ] || continue
  name=$(tr '\0' ' ' < "/proc/$pid/cmdline" | awk '{ n=$1; sub(".*/", "", n); if (n == "dcp") n = n " " $2; if (n == "dotnet") n = "dotnet run (AppHost wrapper)"; print n }')
  rss=$(awk '/^Rss:/ {print int($2/1024)}' "/proc/$pid/smaps_rollup")
  pss=$(awk '/^Pss:/ {print int($2/1024)}' "/proc/$pid/smaps_rollup")
  total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss))
  printf '%-40s %8s %8s\n' "$name" "$rss" "$pss"
done
printf '%-40s %8s %8s\n\n' total "$total_rss" "$total_pss"

stop=$(date +%s.%N)
kill -TERM "$apphost"
for pid in $pids; do
  while kill -0 "$pid" 2> /dev/null; do
    sleep 0.1
    if [ "$(echo "$(elapsed "$stop") > 60" | bc)" = 1 ]; then echo "process $pid still runs 60 s after SIGTERM" >&2; exit 1; fi
  done
done
printf 'SIGTERM to nothing left: %.1f s\n' "$(elapsed "$stop")"
