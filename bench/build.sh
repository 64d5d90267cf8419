#!/usr/bin/env bash
# Times confcal's builds of a synthetic 10,000-session programme against
# python3-icalendar, in one run, and checks the performance targets:
#
#   complete feed set       <= 1.5 x the whole-programme feed alone
#   python3-icalendar       >= 10 x confcal's whole-programme feed
#   peak resident memory    <  200 MB
#
# Usage: bench/build.sh [--runs N] [--py-runs N] [--sessions N] [--keep]
# Environment: GO (default go), PYTHON (default /usr/bin/python3).
set -euo pipefail

runs=5 py_runs=3 sessions=10000 days=10 tracks=50 venues=100 seed=1 keep=
while [[ $# -gt 0 ]]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--py-runs) py_runs=$2; shift 2 ;;
	--sessions) sessions=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "build.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
go=${GO:-go}
python=${PYTHON:-/usr/bin/python3}

cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/confcal-bench.XXXXXX")
if [[ -n $keep ]]; then
	echo "keeping $tmp" >&2
else
	trap 'rm -rf "$tmp"' EXIT
fi
mkdir -p "$tmp/bin" "$tmp/go" "$tmp/py"

echo "building the generator and the timer..." >&2
"$go" build -o "$tmp/bin/gen" ./bench/gen
"$go" build -o "$tmp/bin/buildtime" ./bench/buildtime

echo "generating $sessions sessions..." >&2
gen=(-sessions "$sessions" -days "$days" -tracks "$tracks" -venues "$venues" -seed "$seed")
"$tmp/bin/gen" "${gen[@]}" -o "$tmp/programme.yaml"
"$tmp/bin/gen" "${gen[@]}" -format json -o "$tmp/programme.json"

load_before=$(cut -d' ' -f1 /proc/loadavg)
echo "timing confcal ($runs runs of each build)..." >&2
"$tmp/bin/buildtime" -p "$tmp/programme.yaml" -n "$runs" -dir "$tmp/go" >"$tmp/results"

have_python=
if [[ -x $python ]] && dpkg-query -W -f='${Status}' python3-icalendar 2>/dev/null | grep -q 'install ok installed' &&
	"$python" -c 'import icalendar, pytz' 2>/dev/null; then
	have_python=1
	echo "timing python3-icalendar ($py_runs runs)..." >&2
	"$python" bench/icalendar_build.py -n "$py_runs" "$tmp/programme.json" "$tmp/py/all.ics" >>"$tmp/results"
else
	echo "build.sh: Debian's python3-icalendar is not installed (apt-get install -y python3-icalendar):" \
		"skipping the python3-icalendar comparison" >&2
fi
load_after=$(cut -d' ' -f1 /proc/loadavg)

# The results are "key value" lines; awk does the arithmetic and the table.
awk -v runs="$runs" -v py_runs="$py_runs" -v have_python="$have_python" \
	-v cpus="$(nproc)" -v load="$load_before/$load_after" \
	-v shape="$sessions sessions, $days days, $tracks tracks, $venues venues, seed $seed" '
{ r[$1] = $2 }
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(name, value, target, result) { printf "%-42s %12s  %-10s %s\n", name, value, target, result }
END {
	printf "confcal build benchmark: %s\n", shape
	printf "medians of %d confcal runs and %d python3-icalendar runs; %d CPUs, load average %s (start/end)\n\n", runs, py_runs, cpus, load
	row("measure", "value", "target", "")
	row("whole-programme feed, build + write", sprintf("%.0f ms", r["whole_ms"]), "", "")
	row("  build alone", sprintf("%.0f ms", r["whole_build_ms"]), "", "")
	row("complete feed set, build + export", sprintf("%.0f ms", r["set_ms"]), "", "")
	row("  build alone", sprintf("%.0f ms", r["set_build_ms"]), "", "")
	if (have_python) {
		row("python3-icalendar whole feed, build + write", sprintf("%.0f ms", r["python_ms"]), "", "")
	} else {
		row("python3-icalendar whole feed, build + write", "skipped", "", "")
	}
	ratio = r["set_ms"] / r["whole_ms"]
	row("set / whole", sprintf("%.2f", ratio), "<= 1.5", verdict(ratio <= 1.5))
	bratio = r["set_build_ms"] / r["whole_build_ms"]
	row("  set / whole, builds alone", sprintf("%.2f", bratio), "<= 1.5", verdict(bratio <= 1.5))
	if (have_python) {
		pratio = r["python_ms"] / r["whole_ms"]
		row("python / confcal, whole feed", sprintf("%.1f", pratio), ">= 10", verdict(pratio >= 10))
	} else {
		row("python / confcal, whole feed", "-", ">= 10", "SKIPPED")
	}
	row("peak RSS (decode, then both builds)", sprintf("%.0f MB", r["peak_rss_mb"]), "< 200 MB", verdict(r["peak_rss_mb"] < 200))
	row("  after decoding the programme", sprintf("%.0f MB", r["load_rss_mb"]), "", "")
	printf "\ndecoding the programme: %.0f ms (not in the times above)\n", r["load_ms"]
	printf "whole feed: %d events, %.1f MB; set: %d files, %.1f MB\n", r["whole_events"], r["whole_bytes"] / 1e6, r["set_files"], r["set_bytes"] / 1e6
	if (have_python) {
		printf "python3-icalendar feed: %d events, %.1f MB\n", r["python_events"], r["python_bytes"] / 1e6
		if (r["python_events"] != r["whole_events"]) {
			printf "build.sh: the two whole-programme feeds hold different numbers of events\n" > "/dev/stderr"
			exit 1
		}
	}
}' "$tmp/results"
