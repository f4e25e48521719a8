#!/bin/bash
# The shared store (CONTRACT §10, issue 14) beside its database's own yardstick, in one run on
# one throwaway PostgreSQL cluster (Debian's, fsync off like the tests' clusters):
#   pgbench   pgbench -N -M prepared -c 16 -j 2 -T $DURATION on a scale-16 database
#   fresh     two replicas, wrk on both at once, every submission a new target
#             (lease_timeout 0s, default staging_window 5ms): admissions/s summed
#   hot       the same, every submission through either replica for one target: submissions/s
#             (one winner a batch, the rest 409) and the admissions the store recorded
#   half      fresh with a quarter of the connections (about half the peak rate): p99 latency
# Each replica scenario runs $RUNS times on fresh replicas and a fresh schema, after 2 s of the
# same load to warm up (not measured); the medians go in
# the note. Usage: Benchmarks/shared/run.sh. SEXTON_BIN picks the binary; RUNS (3), DURATION
# (10s) and CONNECTIONS (16 per replica) tune it.
set -euo pipefail
trap 'echo "run.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-16}

command -v wrk >/dev/null || apt-get install -y wrk
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if [ -z "${SEXTON_BIN:-}" ]; then
    (cd "$root" && swift build -c release --scratch-path .build-bench --product sexton >/dev/null)
    SEXTON_BIN="$root/.build-bench/release/sexton"
fi

work=$(mktemp -d)
servers=()
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [ ${#servers[@]} -gt 0 ] && kill "${servers[@]}" 2>/dev/null
    as_postgres "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$work"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres "$pgbin/initdb" -D "$work/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -o \
    "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -tAq "$@"; }
url="postgres://postgres@127.0.0.1:$port/postgres"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "postgres: $("$pgbin/postgres" --version)"

"$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -i -s 16 -q postgres >/dev/null 2>&1
pgbench_tps=$("$pgbin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -N -M prepared -c 16 -j 2 -T "${duration%s}" postgres 2>/dev/null \
    | awk '/^tps/ {print int($3)}')
echo "pgbench -N -M prepared -c 16 -j 2: $pgbench_tps tps"

start_replica() {
    local name=$1
    "$SEXTON_BIN" serve --listen-api 127.0.0.1:0 --listen-telemetry 127.0.0.1:0 --store-backend postgres \
        --store-postgres-url "$url" --store-replica "$name" --coordinator-lease-timeout 0s \
        --store-postgres-max-connections 16 >"$work/$name.log" 2>&1 &
    servers+=($!)
    for _ in $(seq 100); do grep -q listening "$work/$name.log" && break; sleep 0.1; done
    started_api=$(grep -o 'api=[0-9.:]*' "$work/$name.log" | cut -d= -f2)
}

# wrk on both replicas at once; sets rate (req/s summed), p99a and p99b.
load() {
    local mode=$1 conns=$2 a b
    psql -c "DROP SCHEMA IF EXISTS sexton CASCADE" >/dev/null 2>&1
    servers=()
    start_replica a
    a=$started_api
    start_replica b
    b=$started_api
    for api in "$a" "$b"; do
        for _ in $(seq 100); do curl -sf -o /dev/null "http://$api/v1/zombies" && break; sleep 0.1; done
    done
    # Warm up first: each new pool connection's backend plans the schema's functions once.
    wrk -t1 -c"$conns" -d2s -s "$root/Benchmarks/wrk/post.lua" "http://$a" -- "$mode" wa >/dev/null &
    local warming=$!
    wrk -t1 -c"$conns" -d2s -s "$root/Benchmarks/wrk/post.lua" "http://$b" -- "$mode" wb >/dev/null
    wait "$warming"
    measured_from=$(psql -c "SELECT now()")
    wrk -t1 -c"$conns" -d"$duration" --latency -s "$root/Benchmarks/wrk/post.lua" "http://$a" -- "$mode" a >"$work/wrk-a" &
    local first=$!
    wrk -t1 -c"$conns" -d"$duration" --latency -s "$root/Benchmarks/wrk/post.lua" "http://$b" -- "$mode" b >"$work/wrk-b"
    wait "$first"
    kill "${servers[@]}" 2>/dev/null; wait "${servers[@]}" 2>/dev/null || true
    servers=()
    rate=$(awk '/^Requests\/sec/ {s += $2} END {print int(s)}' "$work/wrk-a" "$work/wrk-b")
    p99a=$(awk '$1 == "99%" {print $2}' "$work/wrk-a")
    p99b=$(awk '$1 == "99%" {print $2}' "$work/wrk-b")
}

for scenario in fresh hot half; do
    for run in $(seq "$runs"); do
        case $scenario in
            fresh) load fresh "$connections" ;;
            hot) load hot "$connections" ;;
            half) load fresh $((connections / 4)) ;;
        esac
        admitted=$(psql -c "SELECT count(*) FROM sexton.operations WHERE admitted_at IS NOT NULL")
        # Submissions the store decided (the rest of wrk's answers were refusals such as staging_full).
        decided=$(psql -c "SELECT count(*) FROM sexton.operations WHERE status <> 'staged' AND submitted_at >= '$measured_from'")
        twice=$(psql -c "SELECT count(*) FROM (SELECT 1 FROM sexton.operations a JOIN sexton.operations b
            ON a.target = b.target AND a.id < b.id AND a.admitted_at IS NOT NULL AND b.admitted_at IS NOT NULL
            AND b.admitted_at < coalesce(a.ended_at, 'infinity') AND a.admitted_at < coalesce(b.ended_at, 'infinity')) x")
        ratio=$(python3 -c "print(f'{$rate / $pgbench_tps:.2f}')")
        echo "$scenario run $run: $rate req/s summed (${ratio}× pgbench), p99 $p99a / $p99b, $decided decided, $admitted admitted, $twice overlapping admissions, load $(cut -d' ' -f1 /proc/loadavg)"
    done
done
