#!/usr/bin/env bash
# Many players at human pace over a cluster of three nodes on one Redis, all
# on this machine: PLAYERS bots (default 50,000) in games of two, thinking
# THINK_MS (default 2000) before each move, split over CLIENTS bench
# processes (default 4, so each stays under the 20,000-file limit), from
# many loopback addresses (the nodes keep their per-address cap).
#
# Prints each bench process's moves/s and move latency (p50, p99: move to
# the next line), then each node's and Redis's CPU (cores used over the
# run) and peak memory.
#
#   cargo build --release -p wordguess-backend -p wordguess-bench
#   PLAYERS=50000 bench/cluster-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYERS="${PLAYERS:-50000}"
CLIENTS="${CLIENTS:-4}"
THINK_MS="${THINK_MS:-2000}"
MIX="${MIX:-mixed}"
SERVER=target/release/wordguess-server
BENCH=target/release/wordguess-bench
work="$(mktemp -d)"
pids=()
cleanup() {
    kill "${pids[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept $work"; fi
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# CPU seconds (user + system) of a process so far.
cpu_seconds() {
    awk -v ticks="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " "); print (f[12] + f[13]) / ticks }' "/proc/$1/stat"
}

peak_mib() {
    awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

redis_port="$(free_port)"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$work" \
    --appendonly yes --appendfsync always --save "" >"$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
until redis-cli -p "$redis_port" ping >/dev/null 2>&1; do sleep 0.1; done

games=()
webs=()
node_pids=()
for name in a b c; do
    game="127.0.0.1:$(free_port)"
    web="127.0.0.1:$(free_port)"
    "$SERVER" --redis "redis://127.0.0.1:$redis_port" --node "$name" \
        --tcp "$game" --http "$web" --palindrome "127.0.0.1:$(free_port)" --web-root none \
        --players 2 --max-connections 19500 >"$work/node-$name.log" 2>&1 &
    node_pids+=("$!")
    pids+=("$!")
    games+=(--server "$game")
    webs+=(--http "$web")
done
# (By name: a node's log file appears only once its process has started.)
for name in a b c; do
    until grep -qs "joined the cluster" "$work/node-$name.log"; do sleep 0.1; done
done

per_client=$((PLAYERS / CLIENTS))
sources=$(( (per_client + 15) / 16 ))
echo "$PLAYERS players ($CLIENTS bench processes of $per_client, each from $sources loopback addresses), $THINK_MS ms to think, mix $MIX"
declare -A cpu_before
for pid in "${node_pids[@]}" "$redis_pid"; do cpu_before[$pid]="$(cpu_seconds "$pid")"; done
started="$(date +%s.%N)"
[ -n "${KEEP:-}" ] && date -u +%T.%N >"$work/bench-start"
bench_pids=()
for i in $(seq 0 $((CLIENTS - 1))); do
    "$BENCH" "${games[@]}" "${webs[@]}" --players 2 --games $((per_client / 2)) \
        --sequential 0 --think-ms "$THINK_MS" --mix "$MIX" \
        --sources "$sources" --source-offset $((i * sources)) >"$work/bench-$i.txt" 2>&1 &
    bench_pids+=("$!")
done
status=0
for pid in "${bench_pids[@]}"; do wait "$pid" || status=1; done
elapsed="$(echo "$(date +%s.%N) - $started" | bc)"
for i in $(seq 0 $((CLIENTS - 1))); do
    grep -E "in parallel" "$work/bench-$i.txt" | sed "s/^/client $i: /" || cat "$work/bench-$i.txt"
done
printf 'over %.0f s:\n' "$elapsed"
names=(a b c)
for index in 0 1 2; do
    pid="${node_pids[$index]}"
    used="$(echo "$(cpu_seconds "$pid") - ${cpu_before[$pid]}" | bc)"
    printf 'node %s: %.2f cores, peak %s MiB\n' "${names[$index]}" "$(echo "$used / $elapsed" | bc -l)" "$(peak_mib "$pid")"
done
used="$(echo "$(cpu_seconds "$redis_pid") - ${cpu_before[$redis_pid]}" | bc)"
printf 'redis: %.2f cores, peak %s MiB\n' "$(echo "$used / $elapsed" | bc -l)" "$(peak_mib "$redis_pid")"
exit "$status"
