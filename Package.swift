// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "sexton",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SextonCore", targets: ["SextonCore"]),
        // The core's test doubles (a manual clock and scheduler), apart from the library, the way
        // HummingbirdTesting is.
        .library(name: "SextonCoreTesting", targets: ["SextonCoreTesting"]),
        .library(name: "SextonHTTP", targets: ["SextonHTTP"]),
        .library(name: "SextonTelemetry", targets: ["SextonTelemetry"]),
        .library(name: "SextonPostgres", targets: ["SextonPostgres"]),
        .executable(name: "sexton", targets: ["sexton"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(
            name: "SextonCore",
            dependencies: [
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        .target(name: "SextonHTTP", dependencies: ["CMicroHTTPD"], swiftSettings: strict),
        .target(
            name: "SextonTelemetry",
            dependencies: ["SextonCore", .product(name: "Prometheus", package: "swift-prometheus")],
            swiftSettings: strict
        ),
        .target(
            name: "SextonPostgres",
            dependencies: [
                "SextonCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SextonSidecar",
            dependencies: [
                "SextonCore", "SextonHTTP", "SextonTelemetry", "SextonPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "sexton",
            dependencies: ["SextonSidecar", "SextonHTTP", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        .target(name: "SextonCoreTesting", dependencies: ["SextonCore"], swiftSettings: strict),
        .testTarget(name: "SextonCoreTests", dependencies: ["SextonCore", "SextonCoreTesting"]),
        // What the HTTP, telemetry and binary tests share: a raw-socket client, an exposition
        // reader, the contract's metric families.
        .target(name: "SextonTestSupport", path: "Tests/SextonTestSupport"),
        .testTarget(name: "SextonHTTPTests", dependencies: ["SextonHTTP", "SextonTestSupport"]),
        .testTarget(name: "SextonTelemetryTests", dependencies: ["SextonTelemetry", "SextonTestSupport"]),
        .testTarget(name: "SextonSidecarTests", dependencies: ["SextonSidecar", "SextonTestSupport"]),
        .testTarget(
            name: "SextonPostgresTests",
            dependencies: [
                "SextonPostgres", "SextonCore", "SextonCoreTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
