#!/bin/bash
# wrk against a release `sexton serve` on loopback: three 10 s runs of each scenario, each on a
# fresh sidecar (so one run's live operations and expiries do not weigh on the next).
#   post           POST /v1/operations, unique targets, staging_window 0s
#   post-conflict  POST /v1/operations, 8 targets, random priorities, staging_window 0s
#   metrics        GET /metrics after traffic that populates ~300 series
#   livez          GET /livez, the cheapest answer: the yardstick post is compared with
#   post-zombies   post, while ~1,000 zombies a second are created on other targets (zombies.py)
#   post-zombies-webhook  the same with every zombie's cleanup going to a webhook that answers
#                  after 2 s: the handlers must not slow the submissions (compare the two p99s)
# Usage: Benchmarks/wrk/run.sh [scenario ...] (default: all three). SEXTON_BIN picks the binary;
# RUNS (3), DURATION (10s), CONNECTIONS (32) and THREADS (2) tune wrk.
set -euo pipefail
trap 'echo "run.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
runs=${RUNS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
threads=${THREADS:-2}
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(post post-conflict metrics)

command -v wrk >/dev/null || apt-get install -y wrk
if [ -z "${SEXTON_BIN:-}" ]; then
    (cd "$root" && swift build -c release --scratch-path .build-bench --product sexton >/dev/null)
    SEXTON_BIN="$root/.build-bench/release/sexton"
fi
work=$(mktemp -d)
server=""
helpers=()
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; [ ${#helpers[@]} -gt 0 ] && kill "${helpers[@]}" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_server() {
    "$SEXTON_BIN" serve --listen-api 127.0.0.1:0 --listen-telemetry 127.0.0.1:0 \
        --coordinator-staging-window 0s "$@" >"$work/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do grep -q listening "$work/serve.log" && break; sleep 0.1; done
    if ! grep -q listening "$work/serve.log"; then
        echo "sexton did not start within 10 s (process $(kill -0 "$server" 2>/dev/null && echo alive || echo gone)):" >&2
        cat "$work/serve.log" >&2; exit 1
    fi
    api=$(grep -o 'api=[0-9.:]*' "$work/serve.log" | cut -d= -f2)
    telemetry=$(grep -o 'telemetry=[0-9.:]*' "$work/serve.log" | cut -d= -f2)
}

stop_server() {
    kill "$server" 2>/dev/null || echo "sexton (pid $server) had exited before the end of the run" >&2
    wait "$server" 2>/dev/null || true
    server=""
}

# A failed request is reported but does not stop the run.
send() { curl -s -o /dev/null "$@" || echo "populate: curl $* failed ($?)" >&2; }

# Requests on every route and status the API has, so /metrics carries its usual series.
populate() {
    local j='Content-Type: application/json'
    for i in $(seq 60); do
        send -X POST "http://$api/v1/operations" -H "$j" -d "{\"id\":\"p$i\",\"target\":\"t$((i % 7))\",\"target_type\":\"type$((i % 12))\",\"priority\":$((i % 10 + 1))}"
    done
    for path in /v1/zombies /v1/targets/t1 /v1/operations/p1 /v1/operations/none /v1/zombies?limit=0 /admin/cleanup/status; do
        send "http://$api$path"
    done
    for op in start heartbeat complete; do send -X POST "http://$api/v1/operations/p1/$op"; done
    send -X DELETE "http://$api/v1/operations/p2"
    send -X POST "http://$api/v1/batches" -H "$j" -d '{"operations":[{"target":"b"},{"target":"b"}]}'
    send -X POST "http://$api/v1/operations" -H 'Content-Type: text/plain' -d x
    for path in /livez /readyz /healthz /health /; do send "http://$telemetry$path"; done
}

load() { cut -d' ' -f1 /proc/loadavg; }
# The sidecar's user + system CPU time in clock ticks: CPU per request holds steady when other
# work on these shared cores moves req/s by a third.
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }

echo "scenario run req/s p50 p99 non2xx load_before load_after rss_mb cpu_us_per_req"
for scenario in "${scenarios[@]}"; do
    for run in $(seq "$runs"); do
        case $scenario in
            post-zombies-webhook)
                python3 "$here/zombies.py" webhook 18099 2 & helpers+=($!)
                printf 'cleanup:\n  strategy: custom\n  custom_handler: hook\nhandlers:\n  hook:\n    type: webhook\n    url: http://127.0.0.1:18099/\n    timeout: 10s\n' >"$work/hook.yaml"
                start_server --config "$work/hook.yaml" --coordinator-grace-period 0s ;;
            post-zombies) start_server --cleanup-strategy immediate --coordinator-grace-period 0s ;;
            *) start_server ;;
        esac
        case $scenario in
            post-zombies | post-zombies-webhook)
                python3 "$here/zombies.py" make "$api" 1000 & helpers+=($!)
                args=(-s "$here/post.lua" "http://$api/v1/operations") ;;
            post) args=(-s "$here/post.lua" "http://$api/v1/operations") ;;
            livez) args=("http://$telemetry/livez") ;;
            post-conflict) args=(-s "$here/post.lua" "http://$api/v1/operations" -- conflict) ;;
            metrics) populate; args=("http://$telemetry/metrics") ;;
            *) echo "unknown scenario $scenario" >&2; exit 2 ;;
        esac
        before=$(load)
        ticks_before=$(ticks)
        wrk -t"$threads" -c"$connections" -d"$duration" --latency "${args[@]}" >"$work/wrk.out"
        ticks_after=$(ticks)
        after=$(load)
        rss=$(awk '/VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$server/status")
        if [ "$scenario" = metrics ] && [ "$run" = 1 ]; then
            echo "# /metrics series: $(curl -s "http://$telemetry/metrics" | grep -vc '^#')" >&2
        fi
        stop_server
        [ ${#helpers[@]} -gt 0 ] && { kill "${helpers[@]}" 2>/dev/null; wait "${helpers[@]}" 2>/dev/null || true; helpers=(); }
        awk -v s="$scenario" -v r="$run" -v lb="$before" -v la="$after" -v rss="$rss" \
            -v ticks=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" '
            /requests in/ {requests = $1}
            /Requests\/sec/ {rps = $2}
            / 50%/ {p50 = $2}
            / 99%/ {p99 = $2}
            /Non-2xx/ {non2xx = $NF}
            END {printf "%s %s %s %s %s %s %s %s %s %.0f\n", s, r, rps, p50, p99, (non2xx == "" ? 0 : non2xx), lb, la, rss,
                 ticks * 1e6 / hz / requests}' "$work/wrk.out"
    done
done
