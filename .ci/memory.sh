#!/usr/bin/env bash
# Resident memory of briefbot, the "Memory" figures of BENCHMARKS.md. Not
# run by CI (it takes about a minute and reads /proc, so Linux only).
#
#   .ci/memory.sh                          both figures
#   N=2000 .ci/memory.sh                   a smaller database
#   BRIEFBOT_ENV='GOGC=50' .ci/memory.sh   with extra environment for the bot
#
# It builds the binary and starts it in console mode (no DISCORD_TOKEN, no
# LLM settings: the embedded defaults) in an empty directory, with stdin held
# open through a fifo, waits until the process has used no CPU for 2 s, and
# reads VmRSS (resident now) and VmHWM (the peak) from /proc/PID/status:
#   1. idle after start, on a new database;
#   2. on a database holding N (10,000) summaries with their shares, written
#      by TestFillMemoryDB (store/bench_memory_test.go), after one /topic and
#      one /summarize of a cached link;
#   3. the peak (VmHWM) while users paste links to ~10 MB pages, the two
#      loads of BenchmarkMemoryLoad (summarize/memory_bench_test.go).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-10000}
work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/briefbot" .

# cpu prints the process's user+system CPU time in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_idle returns once the process has used no CPU for 2 s (4 samples
# 0.5 s apart), or after 60 s.
wait_idle() {
	local prev="" cur stable=0
	for _ in $(seq 120); do
		cur=$(cpu "$1")
		if [ "$cur" = "$prev" ]; then
			stable=$((stable + 1))
			if [ "$stable" -ge 4 ]; then return 0; fi
		else
			stable=0
		fi
		prev=$cur
		sleep 0.5
	done
	echo "memory.sh: process $1 never went idle" >&2
}

# wait_for waits up to 30 s for a pattern in a file.
wait_for() {
	for _ in $(seq 300); do
		if grep -q -- "$1" "$2" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "memory.sh: no \"$1\" in $2:" >&2
	cat "$2" >&2
	return 1
}

kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }

# measure LABEL DB [COMMAND EXPECTED]... starts the bot on DB, sends each
# COMMAND and waits for EXPECTED in its output, waits for idle and prints
# the figures.
measure() {
	local label=$1 db=$2
	shift 2
	rm -f "$work/in"
	mkfifo "$work/in"
	# shellcheck disable=SC2086 # BRIEFBOT_ENV is a list of NAME=VALUE words
	(cd "$work" && exec env -u DISCORD_TOKEN -u OPENAI_API_KEY -u OPENAI_BASE_URL \
		DATABASE_PATH="$db" LOG_LEVEL=warn ${BRIEFBOT_ENV:-} ./briefbot <"$work/in" >"$work/out" 2>"$work/err") &
	pid=$!
	exec 3>"$work/in" # hold stdin open
	wait_for "briefbot console" "$work/out"
	wait_idle "$pid"
	while [ $# -ge 2 ]; do
		echo "$1" >&3
		wait_for "$2" "$work/out"
		shift 2
	done
	wait_idle "$pid"
	local rss hwm
	rss=$(kib VmRSS)
	hwm=$(kib VmHWM)
	exec 3>&- # EOF: the console exits
	wait "$pid" || true
	pid=
	awk -v l="$label" -v r="$rss" -v h="$hwm" 'BEGIN {printf "%-52s VmRSS %6.1f MiB   peak VmHWM %6.1f MiB\n", l, r / 1024, h / 1024}'
	if [ -s "$work/err" ]; then sed 's/^/    log: /' "$work/err" | head -5; fi
}

echo "briefbot memory, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(go env GOVERSION)${BRIEFBOT_ENV:+, $BRIEFBOT_ENV}"
measure "idle after start (new database)" "$work/empty.db"

BRIEFBOT_FILL_DB="$work/full.db" BRIEFBOT_FILL_N="$n" go test ./store/ -run '^TestFillMemoryDB$' -count 1 >/dev/null
measure "$n summaries, after /topic and /summarize (cached)" "$work/full.db" \
	"/topic ceasefire" "Ceasefire" \
	"/summarize https://news.example/memory/00042" "round 42"

go test ./summarize/ -run '^$' -bench '^BenchmarkMemoryLoad$' -benchtime 1x -count 1 |
	awk '/^BenchmarkMemoryLoad/ {for (i = 1; i < NF; i++) if ($(i + 1) == "peak-MiB") printf "%-52s peak VmHWM %6.1f MiB\n", "burst of big pages, " $1, $i}'
