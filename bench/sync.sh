#!/usr/bin/env bash
# Benchmark of confcal sync google against the fake Google Calendar
# (sync/google/googletest) with 50 ms of latency per request: the first sync
# of 1,000 sessions, a no-op re-sync, and a re-sync after 10 changes.
# Prints request counts by method and wall times, and checks the targets.
#
#   bench/sync.sh                       # the defaults: 1000 sessions, --rate 5
#   bench/sync.sh -rate 20 -sessions 500
#
# At the default rate of 5 requests per second the first sync alone takes
# about 200 seconds: that is the point, Google's per-user quota is 600
# requests a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/confcal" ./cmd/confcal
go run ./bench/syncbench -confcal "$bin/confcal" "$@"
