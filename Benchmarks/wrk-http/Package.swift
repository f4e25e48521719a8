// swift-tools-version: 6.2
import PackageDescription

// A wrk target for SextonHTTP alone: a server with one fixed route, no Sexton logic.
let package = Package(
    name: "wrk-http",
    dependencies: [.package(name: "sexton", path: "../..")],
    targets: [
        .executableTarget(name: "http-bench", dependencies: [.product(name: "SextonHTTP", package: "sexton")]),
    ]
)
