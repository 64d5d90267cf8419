#!/usr/bin/env bash
# Benchmark of recording an edition of a 10,000-session programme in which
# 100 sessions changed: the JSON state file, SQLite and PostgreSQL (skipped
# without PostgreSQL's binaries), and an unchanged edition in each database.
# Prints each time and its ratio to the state file's, measured in the same
# run; the target is 3 or less.
#
#   bench/record.sh              # 5 editions each
#   bench/record.sh -count 3     # more rounds, printed one by one
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(go test -run '^$' -bench '^BenchmarkRecord$' -benchtime 5x "$@" ./store/)
echo "$out" | grep -E '^Benchmark'
echo "$out" | awk '
	/^BenchmarkRecord\// {
		split($1, n, "/"); name = n[2]; sub(/-[0-9]+$/, "", name)
		sum[name] += $3; cnt[name]++
	}
	END {
		if (!cnt["json"]) { print "no JSON figure"; exit 1 }
		json = sum["json"] / cnt["json"]
		printf "\n%-20s %12s %8s\n", "edition", "ms", "ratio"
		split("json sqlite postgres sqlite-unchanged postgres-unchanged", order, " ")
		bad = 0
		for (i = 1; i <= 5; i++) {
			k = order[i]
			if (!cnt[k]) continue
			t = sum[k] / cnt[k]
			printf "%-20s %12.1f %8.2f\n", k, t / 1e6, t / json
			if (t / json > 3) bad++
		}
		if (bad) { print "MISSED: a database takes more than 3 times the state file"; exit 1 }
		print "all within 3 times the state file"
	}'
