#!/usr/bin/env bash
# Times confcal's builds of a synthetic 10,000-session programme against
# python3-icalendar, in one run, and checks the performance targets:
#
#   complete feed set       <= 1.5 x the whole-programme feed alone
#   python3-icalendar       >= 10 x confcal's whole-programme feed
#   peak resident memory    <  200 MB
#
# Each confcal build is written to an empty directory as confcal build
# writes it. The output goes to a tmpfs (/dev/shm) when there is one, so
# that the disk's own work (journal, writeback) is left out of confcal's
# times; --out-dir DIR writes elsewhere, for example to a disk.
#
# Usage: bench/build.sh [--runs N] [--py-runs N] [--sessions N] [--out-dir DIR] [--keep]
# Environment: GO (default go), PYTHON (default /usr/bin/python3).
set -euo pipefail

runs=5 py_runs=3 sessions=10000 days=10 tracks=50 venues=100 seed=1 keep= out_root=
while [[ $# -gt 0 ]]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--py-runs) py_runs=$2; shift 2 ;;
	--sessions) sessions=$2; shift 2 ;;
	--out-dir) out_root=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
if [[ -z $out_root ]]; then
	out_root=$tmp
	if [[ -d /dev/shm && -w /dev/shm ]] && [[ $(stat -f -c %T /dev/shm) == tmpfs ]]; then
		out_root=/dev/shm
	fi
fi
out=$(mktemp -d "$out_root/confcal-bench-out.XXXXXX")
if [[ -n $keep ]]; then
	echo "keeping $out" >&2
else
	trap 'rm -rf "$tmp" "$out"' EXIT
fi
out_fs=$(stat -f -c %T "$out")
mkdir -p "$tmp/bin" "$out/go" "$out/py"

echo "building the generator and the timer..." >&2
"$go" build -o "$tmp/bin/gen" ./bench/gen
"$go" build -o "$tmp/bin/buildtime" ./bench/buildtime

echo "generating $sessions sessions..." >&2
gen=(-sessions "$sessions" -days "$days" -tracks "$tracks" -venues "$venues" -seed "$seed")
"$tmp/bin/gen" "${gen[@]}" -o "$tmp/programme.yaml"
"$tmp/bin/gen" "${gen[@]}" -format json -o "$tmp/programme.json"

have_python=
if ! dpkg-query -W -f='${Status}' python3-icalendar 2>/dev/null | grep -q 'install ok installed'; then
	echo "build.sh: Debian's python3-icalendar is not installed (apt-get install -y python3-icalendar):" \
		"skipping the python3-icalendar comparison" >&2
elif ! "$python" -c 'import icalendar, pytz' 2>/dev/null; then
	echo "build.sh: $python cannot import icalendar and pytz: skipping the python3-icalendar comparison" >&2
else
	have_python=1
fi
if [[ -z $have_python ]]; then
	py_runs=0
elif ((py_runs == 0)); then
	have_python=
fi

# Rounds: in each, one confcal process times both builds once, then
# python3-icalendar builds once, so that all three see the same machine.
load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$tmp/results"
for ((i = 1; i <= runs || i <= py_runs; i++)); do
	echo "round $i..." >&2
	if ((i <= runs)); then
		"$tmp/bin/buildtime" -p "$tmp/programme.yaml" -n 1 -dir "$out/go" >>"$tmp/results"
	fi
	if ((i <= py_runs)); then
		"$python" bench/icalendar_build.py -n 1 "$tmp/programme.json" "$out/py/all.ics" >>"$tmp/results"
	fi
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

# The results are "key value" lines, one set per round; awk takes medians
# (the largest value for memory) and prints the table.
awk -v runs="$runs" -v py_runs="$py_runs" -v have_python="$have_python" \
	-v cpus="$(nproc)" -v load="$load_before/$load_after" -v fs="$out_fs" \
	-v shape="$sessions sessions, $days days, $tracks tracks, $venues venues, seed $seed" '
{ n[$1]++; v[$1, n[$1]] = $2 }
function median(k,    i, j, t, a, c) {
	c = n[k]
	for (i = 1; i <= c; i++) a[i] = v[k, i] + 0
	for (i = 2; i <= c; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
function maximum(k,    i, m) {
	m = 0
	for (i = 1; i <= n[k]; i++) if (v[k, i] + 0 > m) m = v[k, i] + 0
	return m
}
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(name, wall, cpu, target, result) { printf "%-50s %10s %10s  %-9s %s\n", name, wall, cpu, target, result }
function ms(k) { return sprintf("%.0f ms", median(k)) }
function ratio(a, b) { return sprintf("%.2f", median(a) / median(b)) }
END {
	printf "confcal build benchmark: %s\n", shape
	printf "medians of %d confcal and %d python3-icalendar runs, taking turns; %d CPUs, load average %s (start/end);\n", runs, py_runs, cpus, load
	printf "output written to %s\n\n", fs
	row("", "wall", "cpu", "target", "")
	row("whole-programme feed, build + write", ms("whole_ms"), ms("whole_cpu_ms"), "", "")
	row("  build alone", ms("whole_build_ms"), "", "", "")
	row("complete feed set, build + write", ms("set_ms"), ms("set_cpu_ms"), "", "")
	row("  build alone", ms("set_build_ms"), "", "", "")
	row("whole static site, build + write", ms("site_ms"), ms("site_cpu_ms"), "", "")
	row("same site again, unchanged: nothing rewritten", ms("rebuild_ms"), ms("rebuild_cpu_ms"), "", "")
	if (have_python) row("python3-icalendar whole feed, build + write", ms("python_ms"), ms("python_cpu_ms"), "", "")
	else row("python3-icalendar whole feed, build + write", "skipped", "", "", "")
	set = median("set_ms") / median("whole_ms")
	row("set / whole", ratio("set_ms", "whole_ms"), ratio("set_cpu_ms", "whole_cpu_ms"), "<= 1.5", verdict(set <= 1.5))
	b = median("set_build_ms") / median("whole_build_ms")
	row("  builds alone", sprintf("%.2f", b), "", "<= 1.5", verdict(b <= 1.5))
	row("site / whole", ratio("site_ms", "whole_ms"), ratio("site_cpu_ms", "whole_cpu_ms"), "", "")
	if (have_python) {
		p = median("python_ms") / median("whole_ms")
		row("python / confcal, whole feed", sprintf("%.1f", p), ratio("python_cpu_ms", "whole_cpu_ms"), ">= 10", verdict(p >= 10))
	} else row("python / confcal, whole feed", "-", "", ">= 10", "SKIPPED")
	row("peak RSS: decode, all the builds", sprintf("%.0f MB", maximum("peak_rss_mb")), "", "< 200 MB", verdict(maximum("peak_rss_mb") < 200))
	row("  after decoding the programme", sprintf("%.0f MB", maximum("load_rss_mb")), "", "", "")
	printf "\ndecoding the programme: %.0f ms (not in the times above)\n", median("load_ms")
	printf "whole feed: %d events, %.1f MB; set: %d files, %.1f MB; site: %d files, %.1f MB\n", v["whole_events", 1], v["whole_bytes", 1] / 1e6, v["set_files", 1], v["set_bytes", 1] / 1e6, v["site_files", 1], v["site_bytes", 1] / 1e6
	if (have_python) {
		printf "python3-icalendar feed: %d events, %.1f MB\n", v["python_events", 1], v["python_bytes", 1] / 1e6
		if (v["python_events", 1] != v["whole_events", 1]) {
			printf "build.sh: the two whole-programme feeds hold different numbers of events\n" > "/dev/stderr"
			exit 1
		}
	}
}' "$tmp/results"
