#!/usr/bin/env bash
# `sexton simulate` at the reference's settings (5 targets, 100 ops/s, batches of 3–8) and at the
# maximum, each run RUNS times: operations/s reached, admitted share, p99 resolution, peak RSS,
# and the median of each. Usage: Benchmarks/simulate/run.sh [DURATION] [RUNS]
# (defaults 15s and 3; the issue's figure is for 60s). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-15s}
runs=${2:-3}
swift build -c release --product sexton >/dev/null 2>&1
bin=.build/release/sexton

field() { # the value after a summary label (a literal prefix of its line)
    awk -v label="$1" 'index($0, label) == 1 { value = substr($0, length(label) + 1); sub(/^ +/, "", value); print value; exit }'
}

measure() { # rate
    local reached=() shares=() p99s=() rss=()
    for i in $(seq "$runs"); do
        out=$("$bin" simulate --duration "$duration" --targets 5 --rate "$1" --seed "$i")
        grep -q FAIL <<<"$out" && { echo "identity broken:"; echo "$out"; exit 1; }
        reached+=("$(field 'rate asked / reached' <<<"$out" | awk '{print $3}')")
        shares+=("$(field 'operations admitted' <<<"$out" | sed -E 's/.*\((.*)%\)/\1/')")
        p99s+=("$(field '  p99 resolution time' <<<"$out" | awk '{print $1}')")
        rss+=("$(field 'peak memory (RSS)' <<<"$out" | awk '{print $1}')")
        printf '  run %d: %s ops/s, admitted %s%%, p99 %s ms, RSS %s MiB\n' "$i" "${reached[-1]}" "${shares[-1]}" "${p99s[-1]}" "${rss[-1]}"
    done
    median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
    printf '  median: %s ops/s, admitted %s%%, p99 %s ms, RSS %s MiB\n' \
        "$(median "${reached[@]}")" "$(median "${shares[@]}")" "$(median "${p99s[@]}")" "$(median "${rss[@]}")"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reference settings (--rate 100), $duration × $runs:"
measure 100
echo "maximum (--rate 10000000), $duration × $runs:"
measure 10000000
