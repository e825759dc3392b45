// swift-tools-version: 6.2
import PackageDescription

// Module graph (imports point one way only):
//
//   GauntletCore   pure: scenario, schedules, oracle, thresholds, statistics, results model
//   CCurl          libcurl's C API behind typed static-inline wrappers (the one door to C)
//   CZlib          zlib's C API; only SharedPrimitives imports it
//   SharedPrimitives what both sides share besides the wire: a seeded generator and the one Swift door
//                  to zlib; it imports nothing of either side
//   GauntletDriver load driver: Core + CCurl; its event loops run on their own threads
//   GauntletReports renderers over results files: Core only
//   Stack*         the reference stack; never imports the harness (they share only the wire)
//   gauntlet       the CLI: wires the modules together and maps outcomes to exit codes
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// `GAUNTLET_HARNESS_ONLY=1 swift build` leaves out the reference stack (and with it Hummingbird, NIO, TLS
/// and crypto), which makes a first build of the harness a minute instead of many. CI builds everything.
let harnessOnly = Context.environment["GAUNTLET_HARNESS_ONLY"] == "1"

let harnessDependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
]
let stackDependencies: [Package.Dependency] = [
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
    .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
]

let package = Package(
    name: "gauntlet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gauntlet", targets: ["gauntlet"]),
    ],
    dependencies: harnessDependencies + stackDependencies,
    targets: [
        // MARK: harness
        .target(
            name: "GauntletCore",
            dependencies: [
                "SharedPrimitives",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Shared by the harness and the stack (the one exception to "they share only the wire").
        .target(
            name: "SharedPrimitives",
            dependencies: ["CZlib"],
            swiftSettings: strict
        ),
        .target(
            name: "GauntletDriver",
            dependencies: ["GauntletCore", "SharedPrimitives", "CCurl"],
            swiftSettings: strict
        ),
        .target(
            name: "GauntletReports",
            dependencies: [
                "GauntletCore", "SharedPrimitives",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),

        // MARK: reference stack
        .target(
            name: "StackSupport",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StackIdentity",
            dependencies: [
                "StackSupport", "SharedPrimitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StackDNS",
            dependencies: [
                "StackSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StackUpload",
            dependencies: [
                "StackSupport", "SharedPrimitives",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StackBackends",
            dependencies: [
                "StackSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "StackEdge",
            dependencies: [
                "StackSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "GauntletStack",
            dependencies: [
                "StackSupport", "StackIdentity", "StackDNS", "StackUpload", "StackEdge", "StackBackends",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: CLI
        .executableTarget(
            name: "gauntlet",
            dependencies: [
                "GauntletCore", "GauntletDriver", "GauntletReports", "GauntletStack",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: tests (they mirror the modules)
        .testTarget(name: "SharedPrimitivesTests", dependencies: ["SharedPrimitives"]),
        .testTarget(name: "GauntletCoreTests", dependencies: ["GauntletCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GauntletDriverTests", dependencies: ["GauntletDriver", "GauntletCore"]),
        .testTarget(
            name: "GauntletReportsTests",
            dependencies: ["GauntletReports", "GauntletCore", .product(name: "Histogram", package: "hdrhistogram-swift")],
            resources: [.copy("Golden"), .copy("Fixtures")]
        ),
        .testTarget(
            name: "GauntletStackTests",
            dependencies: [
                "GauntletStack", "StackSupport", "StackIdentity", "StackDNS", "StackUpload", "StackEdge", "StackBackends",
                "SharedPrimitives",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "GauntletEndToEndTests",
            dependencies: ["gauntlet", "GauntletCore"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

if harnessOnly {
    let stackTargets: Set<String> = [
        "StackSupport", "StackIdentity", "StackDNS", "StackUpload", "StackEdge", "StackBackends", "GauntletStack",
        "gauntlet", "GauntletStackTests", "GauntletEndToEndTests",
    ]
    package.targets.removeAll { stackTargets.contains($0.name) }
    package.products.removeAll()
    package.dependencies = harnessDependencies
}
