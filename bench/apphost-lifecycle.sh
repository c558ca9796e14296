#!/usr/bin/env bash
# Measures the local app's lifecycle under Aspire, as a developer meets it:
#   start:    `dotnet run --project Byoc.AppHost` until every resource answers its health check
#   memory:   RSS and PSS of the AppHost, DCP, the dashboard and each service once all are healthy
#   stop:     SIGTERM (what Ctrl+C and `kill` send) until no process of the app is left
# Usage: bench/apphost-lifecycle.sh [--cold]
#   --cold  measures a fresh clone (restore from the local NuGet cache, then a full build) instead of a built tree.
# Uses the fixed development ports (5100, 5300, 5202, 5402, 15888): stop any other AppHost first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
if [ "${1:-}" = "--cold" ]; then
  tree=$(mktemp -d)/byoc
  git clone -q "$repo" "$tree"
  cd "$tree"
  kind=cold
else
  dotnet build Byoc.AppHost -v q -nologo > /dev/null
  kind=warm
fi

healthy() {
  for url in http://127.0.0.1:5100/health http://127.0.0.1:5300/health http://127.0.0.1:5202/health http://127.0.0.1:5402/health; do
    curl -sf -m 1 "$url" > /dev/null || return 1
  done
}

start=$(date +%s.%N)
setsid dotnet run --project Byoc.AppHost > /tmp/byoc-apphost-lifecycle.log 2>&1 < /dev/null &
until healthy; do
  sleep 0.2
  if [ "$(echo "$(date +%s.%N) - $start > 300" | bc)" = 1 ]; then echo "not healthy within 300 s; see /tmp/byoc-apphost-lifecycle.log" >&2; exit 1; fi
done
up=$(echo "$(date +%s.%N) - $start" | bc)
sleep 5 # let start-up settle before reading memory

apphost=$(pgrep -f "bin/Debug/net10.0/Byoc.AppHost$" | head -1)
printf '%s start to all healthy: %.1f s\n\n' "$kind" "$up"
printf '%-40s %8s %8s\n' process "RSS MB" "PSS MB"
total_rss=0; total_pss=0
for pid in $(pgrep -f "Byoc\.|dcp |Aspire.Dashboard|redis-server|dotnet run --project Byoc.AppHost"); do
  [ -r /proc/$pid/smaps_rollup ] || continue
  name=$(tr '\0' ' ' < /proc/$pid/cmdline | awk '{ n=$1; sub(".*/", "", n); if (n == "dcp") n = n " " $2; if (n == "dotnet") n = "dotnet run (AppHost wrapper)"; print n }')
  rss=$(awk '/^Rss:/ {print int($2/1024)}' /proc/$pid/smaps_rollup)
  pss=$(awk '/^Pss:/ {print int($2/1024)}' /proc/$pid/smaps_rollup)
  total_rss=$((total_rss + rss)); total_pss=$((total_pss + pss))
  printf '%-40s %8s %8s\n' "$name" "$rss" "$pss"
done
printf '%-40s %8s %8s\n\n' total "$total_rss" "$total_pss"

stop=$(date +%s.%N)
kill -TERM "$apphost"
while pgrep -f "Byoc\.(Conversations|Edge|Sandbox|Connectors)|dcp |Aspire.Dashboard|redis-server|bin/Debug/net10.0/Byoc.AppHost" > /dev/null; do sleep 0.1; done
printf 'SIGTERM to nothing left: %.1f s\n' "$(echo "$(date +%s.%N) - $stop" | bc)"
