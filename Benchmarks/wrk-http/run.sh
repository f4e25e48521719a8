#!/bin/bash
# Three 10 s wrk runs (2 threads, 32 connections) against GET /text; prints req/s and latency.
# Usage: Benchmarks/wrk-http/run.sh [pool-threads]
set -euo pipefail
cd "$(dirname "$0")"
command -v wrk >/dev/null || apt-get install -y wrk
swift build -c release --product http-bench >/dev/null
port=18477
.build/release/http-bench "${1:-$(nproc)}" "$port" >/dev/null &
server=$!
trap 'kill $server' EXIT
sleep 0.5
for run in 1 2 3; do
    wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$port/text" |
        awk -v run="$run" '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} END{print "run", run, "req/s", r, "p50", p50, "p99", p99}'
done
