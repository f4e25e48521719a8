// swift-tools-version: 6.2
import PackageDescription

/// Every benchmark target gets the same dependencies and plugin; add a name here to add a target
/// under Benchmarks/<Name>/.
let benchmarkTargets = ["CoordinatorBenchmarks", "CleanupBenchmarks", "TelemetryBenchmarks"]

let package = Package(
    name: "sexton-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "sexton", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: benchmarkTargets.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SextonCore", package: "sexton"),
                .product(name: "SextonTelemetry", package: "sexton"),
            ],
            path: "Benchmarks/\(name)",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
