// swift-tools-version: 6.0
import PackageDescription

// StintCore is platform-neutral (Foundation only) and builds and tests on Linux too; the
// Stint app target needs AppKit, ScreenCaptureKit and friends, so it exists only when the
// manifest is evaluated on macOS.
let package = Package(
  name: "Stint",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "StintCore", targets: ["StintCore"])
  ],
  targets: [
    .target(
      name: "StintCore",
      path: "MacApp/Sources/StintCore",
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .testTarget(
      name: "StintCoreTests",
      dependencies: ["StintCore"],
      path: "MacApp/Tests/StintCoreTests",
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
  ]
)

#if os(macOS)
  package.products.append(.executable(name: "Stint", targets: ["Stint"]))
  package.targets.append(
    .executableTarget(
      name: "Stint",
      dependencies: ["StintCore"],
      path: "MacApp/Sources/Stint",
      swiftSettings: [
        // Swift 6: data races are compile errors. Where the SDK lacks Sendable annotations,
        // the owner confines the object to one queue and says so at its `@unchecked Sendable`
        // (VideoPipeline, AudioCapture, HostTimers, SharedContentFilter, FinishingWriter).
        .swiftLanguageMode(.v6)
      ],
      linkerSettings: [
        .linkedFramework("Carbon"),
        .linkedFramework("ScreenCaptureKit"),
        .linkedFramework("JavaScriptCore"),
        .linkedFramework("WebKit"),
      ]
    )
  )
#endif
