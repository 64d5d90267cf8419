#!/usr/bin/env bash
# Measures confcal serve on the synthetic 10,000-session programme, in one
# run, with wrk on 127.0.0.1, against Go's bare net/http serving the same
# bytes from memory, header fields included (bench/baresrv: the standard
# library's server with nothing else to do, the limit of the stack confcal
# serve runs on), and
# nginx on `confcal build` output for information:
#
#   /all.ics and a track feed    confcal serve, net/http alone, nginx
#   conditional requests (304)   the track feed with If-None-Match
#   /agenda.ics, 20 sessions     confcal serve alone
#   a reload                     the programme file edited while serving:
#                                time until /healthz serves the new version
#
# and prints requests per second, p50/p99 latency, the ratios and
# confcal's resident memory, against the targets:
#
#   track feed and its 304   >= 0.9 x bare net/http
#   RSS with the programme loaded < 150 MB     reload < 2 s
#
# With --rounds N every run is repeated N times, the servers taking turns,
# and medians are shown: the machine's other load then weighs on both.
#
# Usage: bench/serve.sh [--duration 10s] [--rounds 1] [--connections 64] [--threads 2] [--sessions N] [--keep]
# Needs: go, wrk, nginx, curl (Debian: apt-get install -y wrk nginx-light curl).
set -euo pipefail

duration=10s rounds=1 connections=64 threads=2 sessions=10000 keep=
while [[ $# -gt 0 ]]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--connections) connections=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--sessions) sessions=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "serve.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
go=${GO:-go}
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
for tool in wrk curl "$nginx"; do
	if ! command -v "$tool" >/dev/null; then
		echo "serve.sh: $tool is missing (apt-get install -y wrk nginx-light curl)" >&2
		exit 2
	fi
done

cd "$(dirname "$0")/.."
tmp=$(mktemp -d "${TMPDIR:-/tmp}/confcal-serve.XXXXXX")
confcal_pid= nginx_started= bare_pid=
cleanup() {
	# Every step runs whatever the one before it returned.
	if [[ -n $confcal_pid ]]; then kill "$confcal_pid" 2>/dev/null || true; wait "$confcal_pid" 2>/dev/null || true; fi
	if [[ -n $bare_pid ]]; then kill "$bare_pid" 2>/dev/null || true; wait "$bare_pid" 2>/dev/null || true; fi
	if [[ -n $nginx_started ]]; then "$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -s stop 2>/dev/null || true; fi
	if [[ -n $keep ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
mkdir -p "$tmp/bin" "$tmp/nginx/logs" "$tmp/nginx/tmp"
chmod 755 "$tmp" # nginx's workers run as another user

# free_port prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	local p
	for ((p = 18000 + RANDOM % 20000; ; p++)); do
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_serving PID OUT LOG TRIES: waits, TRIES tenths of a second at most,
# for the server PID to print "serving" on OUT; shows LOG and stops if it
# dies first.
wait_serving() {
	local pid=$1 out=$2 log=$3 tries=$4
	for _ in $(seq "$tries"); do
		grep -q '^serving' "$out" 2>/dev/null && return
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
		sleep 0.1
	done
}

echo "building confcal and the generator..." >&2
"$go" build -o "$tmp/bin/confcal" ./cmd/confcal
"$go" build -o "$tmp/bin/gen" ./bench/gen
"$go" build -o "$tmp/bin/baresrv" ./bench/baresrv
echo "generating $sessions sessions..." >&2
"$tmp/bin/gen" -sessions "$sessions" -o "$tmp/programme.yaml"

# The same clock and no state: both servers send the same bytes.
export CONFCAL_NOW=2026-10-01T00:00:00Z
"$tmp/bin/confcal" build -q -p "$tmp/programme.yaml" --stateless --out "$tmp/public"

echo "starting confcal serve..." >&2
# Without the access log: bare net/http logs nothing, and a log line per
# request is a write to a file (go test -bench AccessLog ./serve/ measures
# what it adds).
"$tmp/bin/confcal" serve -p "$tmp/programme.yaml" --stateless --no-access-log --addr "127.0.0.1:$(free_port)" \
	>"$tmp/serve.out" 2>"$tmp/serve.log" &
confcal_pid=$!
wait_serving "$confcal_pid" "$tmp/serve.out" "$tmp/serve.log" 600
confcal=$(sed -n 's/^serving \(http[^ ]*\)\/ .*/\1/p' "$tmp/serve.out")
[[ -n $confcal ]] || { echo "serve.sh: confcal serve did not start" >&2; cat "$tmp/serve.log" >&2; exit 1; }
rss() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$confcal_pid/status"; }
rss_loaded=$(rss VmRSS)

nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 4096; }
http {
	access_log $tmp/nginx/logs/access.log;
	client_body_temp_path $tmp/nginx/tmp; proxy_temp_path $tmp/nginx/tmp;
	fastcgi_temp_path $tmp/nginx/tmp; uwsgi_temp_path $tmp/nginx/tmp; scgi_temp_path $tmp/nginx/tmp;
	types { text/calendar ics; application/json json; text/html html; }
	charset utf-8; charset_types text/calendar application/json;
	sendfile on; tcp_nopush on; keepalive_requests 1000000;
	server { listen 127.0.0.1:$nginx_port; root $tmp/public; }
}
EOF
"$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf"
nginx_started=1
nginx_url=http://127.0.0.1:$nginx_port

bare_port=$(free_port)
cache_control=$(curl -sfI "$confcal/all.ics" | tr -d '\r' | sed -n 's/^[Cc]ache-[Cc]ontrol: //p')
"$tmp/bin/baresrv" -root "$tmp/public" -addr "127.0.0.1:$bare_port" -cache-control "$cache_control" >"$tmp/bare.out" 2>&1 &
bare_pid=$!
wait_serving "$bare_pid" "$tmp/bare.out" "$tmp/bare.out" 100
bare_url=http://127.0.0.1:$bare_port

track=$(grep -o '"path": "track/[^"]*"' "$tmp/public/feeds.json" | head -1 | sed 's/.*"\(track\/[^"]*\)"/\1/')
agenda="session=$(ls "$tmp/public/session" | awk -v step=$((sessions / 20)) 'NR % step == 1 || step == 1 { sub(/\.ics$/, ""); print }' | head -20 | paste -sd, -)"
for path in all.ics "$track"; do
	if ! cmp -s <(curl -sf "$confcal/$path") "$tmp/public/$path"; then
		echo "serve.sh: confcal and nginx would not serve the same bytes for $path" >&2
		exit 1
	fi
done
events=$(curl -sf "$confcal/agenda.ics?$agenda" | grep -c '^BEGIN:VEVENT' || true)
[[ $events == 20 ]] || { echo "serve.sh: the agenda holds $events events, not 20" >&2; exit 1; }
etag() { curl -sfI "$1" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }'; }
confcal_etag=$(etag "$confcal/$track")
nginx_etag=$(etag "$nginx_url/$track")
bare_etag=$(etag "$bare_url/$track")
cmp -s <(curl -sf "$bare_url/$track") "$tmp/public/$track" ||
	{ echo "serve.sh: bench/baresrv does not serve $track as built" >&2; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $bare_etag" "$bare_url/$track") == 304 ]] ||
	{ echo "serve.sh: bench/baresrv does not answer 304" >&2; exit 1; }
# The baseline answers with the same header fields as confcal, so that the
# ratio is confcal's own work, not the bytes on the wire.
fields() { curl -s -o /dev/null -D - "$@" | tr -d '\r' | sed -n 's/^\([A-Za-z-]*\):.*/\L\1/p' | grep -vx date | sort | paste -sd' ' -; }
same_fields() {
	[[ $1 == "$2" ]] || { echo "serve.sh: bench/baresrv sends other header fields than confcal ($2, not $1)" >&2; exit 1; }
}
same_fields "$(fields "$confcal/$track")" "$(fields "$bare_url/$track")"
same_fields "$(fields -H "If-None-Match: $confcal_etag" "$confcal/$track")" "$(fields -H "If-None-Match: $bare_etag" "$bare_url/$track")"
[[ -n $nginx_etag ]] || { echo "serve.sh: nginx does not serve $track" >&2; tail -3 "$tmp/nginx/logs/error.log" >&2; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $confcal_etag" "$confcal/$track") == 304 ]] ||
	{ echo "serve.sh: confcal does not answer 304" >&2; exit 1; }

# bench NAME URL [HEADER]: one wrk run; appends "NAME rps p50_ms p99_ms
# errors" to the results.
bench() {
	local name=$1 url=$2 out
	echo "wrk $name ($duration, $connections connections)..." >&2
	if [[ $# -gt 2 ]]; then
		out=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 30s --latency -H "$3" "$url")
	else
		out=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 30s --latency "$url")
	fi
	echo "$out" >>"$tmp/wrk-$name.txt"
	echo "$out" | awk -v name="$name" '
	function ms(s) {
		if (s ~ /us$/) return s / 1000
		if (s ~ /ms$/) return s + 0
		if (s ~ /m$/) return s * 60000
		return s * 1000
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	$1 == "Requests/sec:" { rps = $2 }
	/Non-2xx or 3xx responses:/ { bad += $NF }
	/Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i }
	END { printf "%s %s %s %s %d\n", name, rps, p50, p99, bad }' >>"$tmp/results"
}

load_before=$(cut -d' ' -f1 /proc/loadavg)
for ((round = 1; round <= rounds; round++)); do
	echo "round $round of $rounds" >&2
	bench confcal_all "$confcal/all.ics"
	bench nginx_all "$nginx_url/all.ics"
	bench nethttp_all "$bare_url/all.ics"
	bench confcal_track "$confcal/$track"
	bench nginx_track "$nginx_url/$track"
	bench confcal_304 "$confcal/$track" "If-None-Match: $confcal_etag"
	bench nginx_304 "$nginx_url/$track" "If-None-Match: $nginx_etag"
	bench confcal_agenda "$confcal/agenda.ics?$agenda"
	bench nethttp_track "$bare_url/$track"
	bench nethttp_304 "$bare_url/$track" "If-None-Match: $bare_etag"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
rss_after=$(rss VmRSS)
rss_peak=$(rss VmHWM)

# A reload: one session renamed in the file being served; the time from the
# write to /healthz naming a new version.
version() { curl -sf "$confcal/healthz" | sed -n 's/.*"version":"\([^"]*\)".*/\1/p'; }
before=$(version)
sed '0,/title: /s//title: renamed /' "$tmp/programme.yaml" >"$tmp/programme.new"
t0=$(date +%s%N)
mv "$tmp/programme.new" "$tmp/programme.yaml"
for _ in $(seq 600); do
	[[ $(version) != "$before" ]] && break
	sleep 0.01
done
reload_ms=$((($(date +%s%N) - t0) / 1000000))
[[ $(version) != "$before" ]] || { echo "serve.sh: the edit was not picked up in 6 s" >&2; tail -5 "$tmp/serve.log" >&2; exit 1; }
reload_took=$(grep '"published"\|msg=published' "$tmp/serve.log" | tail -1 | sed -n 's/.*took=\([^ ]*\).*/\1/p')

# wrk counts 304s as "Non-2xx or 3xx"; they are the point of that run.
awk -v shape="$sessions sessions; all.ics $(stat -c %s "$tmp/public/all.ics") bytes, $track $(stat -c %s "$tmp/public/$track") bytes" \
	-v setup="wrk -t$threads -c$connections -d$duration, medians of $rounds round(s); $(nproc) CPUs shared by wrk and the servers, load average $load_before/$load_after (start/end)" \
	-v rss_loaded="$rss_loaded" -v rss_after="$rss_after" -v rss_peak="$rss_peak" -v reload_ms="$reload_ms" -v reload_took="$reload_took" '
{ n[$1]++; r[$1, n[$1]] = $2; l50[$1, n[$1]] = $3; l99[$1, n[$1]] = $4; bad[$1] += $5 }
function median(a, k,    i, j, t, v, c) {
	c = n[k]
	for (i = 1; i <= c; i++) v[i] = a[k, i] + 0
	for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
}
function verdict(ok) { return ok ? "PASS" : "MISS" }
function row(label, k, ratio, result) {
	printf "%-20s %-9s %9.0f %8.2f %8.2f  %-6s %s\n", label, substr(k, 1, index(k, "_") - 1), rps[k], p50[k], p99[k], ratio, result
}
END {
	for (k in n) { rps[k] = median(r, k); p50[k] = median(l50, k); p99[k] = median(l99, k) }
	printf "confcal serve benchmark: %s\n%s\n\n", shape, setup
	printf "%-20s %-9s %9s %8s %8s  %s\n", "", "server", "req/s", "p50 ms", "p99 ms", "ratio to bare net/http"
	cnt = split("all track 304", names, " ")
	split("/all.ics|track feed|304, track feed", labels, "|")
	for (i = 1; i <= cnt; i++) {
		c = "confcal_" names[i]; b = "nethttp_" names[i]; x = "nginx_" names[i]
		if (b in n) {
			ratio = rps[c] / rps[b]
			row(labels[i], c, sprintf("%.2f", ratio), names[i] == "all" ? "" : verdict(ratio >= 0.9) " (target >= 0.9)")
			row("", b, "", "")
		} else {
			row(labels[i], c, "", "")
		}
		row("", x, sprintf("%.2f", rps[x] / (b in n ? rps[b] : rps[c])), sprintf("(nginx, for information: confcal does %.2f of its requests)", rps[c] / rps[x]))
	}
	row("agenda, 20 sessions", "confcal_agenda", sprintf("%.2f", rps["confcal_agenda"] / rps["nethttp_track"]), "(against bare net/http on the track feed)")
	printf "\np99 ms, confcal (nginx):"
	cnt = split("all track 304 agenda", names, " ")
	for (i = 1; i <= cnt; i++) {
		printf "  %s %s", names[i], p99["confcal_" names[i]]
		if (("nginx_" names[i]) in n) printf " (%s)", p99["nginx_" names[i]]
	}
	printf "\nconfcal RSS: %s MB with the programme loaded (%s), %s MB after the runs, %s MB peak while building it\n",
		rss_loaded, verdict(rss_loaded < 150) " < 150 MB", rss_after, rss_peak
	printf "reload of the %s-session programme: %d ms from the edit to the new version served (%s; build and publish took %s)\n",
		substr(shape, 1, index(shape, " ") - 1), reload_ms, verdict(reload_ms < 2000) " < 2 s", reload_took
	for (k in bad) if (bad[k] > 0 && k !~ /_304$/) printf "serve.sh: %s had %d errors or non-2xx answers\n", k, bad[k]
}' "$tmp/results"
