// swift-tools-version: 6.2
import PackageDescription

// A wrk target for SextonHTTP alone. The root package does not export SextonHTTP as a
// product, so this package builds the module's sources through symlinks instead.
let package = Package(
    name: "wrk-http",
    targets: [
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd"),
        .target(name: "SextonHTTP", dependencies: ["CMicroHTTPD"]),
        .executableTarget(name: "http-bench", dependencies: ["SextonHTTP"]),
    ]
)
