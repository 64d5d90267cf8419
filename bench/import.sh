#!/usr/bin/env bash
# Import the two large real programmes (the 2.9 MB 36C3 schedule.json and
# the 2.8 MB FOSDEM 2026 schedule.xml from ../shared/data), build their
# whole feed set, and compare with the time encoding/json and encoding/xml
# take to decode the same files into generic values. One core.
#
# Targets: each import under 250 ms, and under 10 times the generic decode.
# The verdict uses the CPU time per operation, which a busy machine does not
# inflate; the elapsed time is printed beside it.
# Usage: bench/import.sh [benchtime]   (default 10x)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f ../shared/data/INDEX.md ]; then
	echo "bench/import.sh: ../shared/data is absent; nothing to measure" >&2
	exit 0
fi
benchtime=${1:-10x}
out=$(go test -run '^$' -bench '^Benchmark(Import|Generic)$' -benchtime "$benchtime" -cpu 1 -count 1 ./programme/source)
echo "$out" | grep -E '^Benchmark'
echo
echo "$out" | awk '
	function cpu(   i) { for (i = 1; i < NF; i++) if ($(i+1) == "cpu-ms/op") return $i; return $3 / 1e6 }
	/^BenchmarkImport\// { split($1, a, "/"); imp[a[2]] = cpu(); impWall[a[2]] = $3 / 1e6; order[n++] = a[2] }
	/^BenchmarkGeneric\// { split($1, a, "/"); gen[a[2]] = cpu(); genWall[a[2]] = $3 / 1e6 }
	END {
		fail = 0
		printf "%-18s %22s %22s %7s  %s\n", "file", "import+feeds cpu/wall", "std decode cpu/wall", "ratio", "verdict"
		for (i = 0; i < n; i++) {
			f = order[i]
			ratio = imp[f] / gen[f]
			ok = (imp[f] < 250 && ratio < 10) ? "ok" : "SLOW"
			if (ok != "ok") fail = 1
			printf "%-18s %9.1f / %6.1f ms %9.1f / %6.1f ms %6.1fx  %s\n", f, imp[f], impWall[f], gen[f], genWall[f], ratio, ok
		}
		exit fail
	}'
