#!/usr/bin/env bash
# Many players at human pace over a cluster of three nodes on one Redis, all
# on this machine: PLAYERS bots (default 50,000) in games of two, thinking
# THINK_MS (default 2000) before each move, arriving over RAMP_MS (default
# 60000), split over CLIENTS bench
# processes (default 4, so each stays under the 20,000-file limit), from
# many loopback addresses (the nodes keep their per-address cap).
#
# Prints each node's players, CPU (cores used) and memory, and Redis's, in
# a window once every player has arrived (WINDOW seconds, default 60); then
# each bench process's moves/s and move latency (p50, p99: move to the next
# line) over the whole run, and peak memory.
#
#   cargo build --release -p wordguess-backend -p wordguess-bench
#   PLAYERS=50000 bench/cluster-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYERS="${PLAYERS:-50000}"
CLIENTS="${CLIENTS:-4}"
THINK_MS="${THINK_MS:-2000}"
RAMP_MS="${RAMP_MS:-60000}"
# How Redis syncs its log: `always` (no acknowledged move is ever lost; the
# setting the README asks for) or `everysec` (to see what fsync costs).
FSYNC="${FSYNC:-always}"
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
    --appendonly yes --appendfsync "$FSYNC" --save "" >"$work/redis.log" 2>&1 &
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
echo "$PLAYERS players ($CLIENTS bench processes of $per_client, each from $sources loopback addresses), $THINK_MS ms to think, arriving over $RAMP_MS ms, mix $MIX, appendfsync $FSYNC"
started="$(date +%s.%N)"
bench_pids=()
for i in $(seq 0 $((CLIENTS - 1))); do
    "$BENCH" "${games[@]}" "${webs[@]}" --players 2 --games $((per_client / 2)) \
        --sequential 0 --think-ms "$THINK_MS" --mix "$MIX" --ramp-ms "$RAMP_MS" \
        --sources "$sources" --source-offset $((i * sources)) >"$work/bench-$i.txt" 2>&1 &
    bench_pids+=("$!")
done
# The steady window: once every player has arrived, for WINDOW seconds.
WINDOW="${WINDOW:-60}"
sleep $((RAMP_MS / 1000 + 15))
declare -A cpu_before
for pid in "${node_pids[@]}" "$redis_pid" "${bench_pids[@]}"; do cpu_before[$pid]="$(cpu_seconds "$pid")"; done
sleep "$WINDOW"
names=(a b c)
echo "in a $WINDOW s window once everyone had arrived:"
connected=0
for index in 0 1 2; do
    pid="${node_pids[$index]}"
    used="$(echo "$(cpu_seconds "$pid") - ${cpu_before[$pid]}" | bc)"
    http="${webs[$((index * 2 + 1))]}"
    players="$(curl -s "http://$http/metrics" | awk '/^wordguess_connections/ { n += $2 } END { print n + 0 }')"
    connected=$((connected + players))
    printf 'node %s: %s players connected, %.2f cores, %s MiB resident\n' "${names[$index]}" \
        "$players" "$(echo "$used / $WINDOW" | bc -l)" \
        "$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")"
done
used="$(echo "$(cpu_seconds "$redis_pid") - ${cpu_before[$redis_pid]}" | bc)"
printf 'redis: %.2f cores, %s MiB resident\n' "$(echo "$used / $WINDOW" | bc -l)" \
    "$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$redis_pid/status")"
echo "players connected: $connected"
clients=0
for pid in "${bench_pids[@]}"; do
    clients="$(echo "$clients + $(cpu_seconds "$pid") - ${cpu_before[$pid]}" | bc)"
done
printf 'the %s bench processes: %.2f cores\n' "$CLIENTS" "$(echo "$clients / $WINDOW" | bc -l)"
status=0
for pid in "${bench_pids[@]}"; do wait "$pid" || status=1; done
printf 'whole run: %.0f s\n' "$(echo "$(date +%s.%N) - $started" | bc)"
for i in $(seq 0 $((CLIENTS - 1))); do
    grep -E "in parallel|failed:" "$work/bench-$i.txt" | head -3 | sed "s/^/client $i: /"
done
for index in 0 1 2; do
    printf 'node %s: peak %s MiB\n' "${names[$index]}" "$(peak_mib "${node_pids[$index]}")"
done
printf 'redis: peak %s MiB\n' "$(peak_mib "$redis_pid")"
exit "$status"
