#!/bin/bash
# Runs Benchmarks/Benchmarks/TelemetryBenchmarks with package-benchmark. The root package does
# not export SextonTelemetry as a library product, so the benchmark cannot be a target of
# Benchmarks/Package.swift yet: this builds a temporary package outside the repository from a
# copy of Sources/SextonCore and Sources/SextonTelemetry. Once the root package has
# `.library(name: "SextonTelemetry", targets: ["SextonTelemetry"])`, add "TelemetryBenchmarks"
# to Benchmarks/Package.swift (with the SextonTelemetry product) and drop this script.
# Usage: Benchmarks/wrk/telemetry-bench.sh [benchmark arguments, e.g. --filter "render.*"]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
package=${TMPDIR:-/tmp}/sexton-telemetry-bench
mkdir -p "$package/Sources" "$package/Benchmarks"
rm -rf "$package/Sources/SextonCore" "$package/Sources/SextonTelemetry"
cp -R "$root/Sources/SextonCore" "$root/Sources/SextonTelemetry" "$package/Sources/"
ln -sfn "$root/Benchmarks/Benchmarks/TelemetryBenchmarks" "$package/Benchmarks/TelemetryBenchmarks"
cp "$root/Benchmarks/Package.resolved" "$package/" 2>/dev/null || true
cat >"$package/Package.swift" <<'SWIFT'
// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "sexton-telemetry-bench",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(name: "SextonCore", swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
        .target(
            name: "SextonTelemetry",
            dependencies: ["SextonCore", .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
        .executableTarget(
            name: "TelemetryBenchmarks",
            dependencies: ["SextonCore", "SextonTelemetry", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/TelemetryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
SWIFT
cd "$package"
swift package --disable-sandbox benchmark --target TelemetryBenchmarks "$@"
