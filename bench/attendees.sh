#!/usr/bin/env bash
# Benchmark of the attendee sync against the fake Google Calendar with
# 50 ms of latency per request: 1,000 attendees with 20-session agendas of
# a 1,000-session programme, all synced; then one edit that moves 30
# sessions. Prints the time from the new edition to the last write against
# requests / rate, and checks the request counts per attendee.
#
#   bench/attendees.sh                          # the defaults
#   bench/attendees.sh -rate 50 -attendees 2000
#
# At the default --rate of 20 requests per second the edit's syncs take
# about a minute: the rate is the point, it is what a Google Cloud project
# is granted.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/attendees "$@"
