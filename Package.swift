// swift-tools-version: 6.0
import PackageDescription

// One library target per concept of the primer (see DEVELOPERS.md); a target depends only on
// targets listed above it.
let package = Package(
  name: "RadLM",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "RadTensor", targets: ["RadTensor"]),
    .library(name: "RadTokenizers", targets: ["RadTokenizers"]),
    .library(name: "RadModels", targets: ["RadModels"]),
    .library(name: "RadTraining", targets: ["RadTraining"]),
    .library(name: "RadInference", targets: ["RadInference"]),
    .library(name: "RadEval", targets: ["RadEval"]),
    .library(name: "RadClinical", targets: ["RadClinical"]),
    .executable(name: "radlm", targets: ["radlm"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  // Test fixtures are read from disk through #filePath, so they are excluded from the targets.
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    // Vector kernels for exp-heavy ops, compiled per function for AVX-512/AVX2+FMA with run-time
    // dispatch (no compiler flags), since Swift code here is built for baseline x86-64.
    .target(name: "CKernels"),
    .target(name: "RadTensor", dependencies: ["CBLAS", "CKernels"]),
    .target(name: "RadTokenizers", dependencies: ["RadTensor"]),
    .target(name: "RadModels", dependencies: ["RadTensor", "RadTokenizers", "CKernels"]),
    .target(name: "RadTraining", dependencies: ["RadTensor", "RadTokenizers", "RadModels"]),
    .target(name: "RadInference", dependencies: ["RadTensor", "RadTokenizers", "RadModels"]),
    .target(name: "RadEval", dependencies: ["RadTensor", "RadTokenizers", "RadModels"]),
    // Clinical applications on reports: readability, impressions, expert review, the main job's stages.
    .target(
      name: "RadClinical",
      dependencies: ["RadTensor", "RadTokenizers", "RadModels", "RadTraining", "RadInference", "RadEval"]),
    .executableTarget(
      name: "radlm",
      dependencies: [
        "RadTensor", "RadTokenizers", "RadModels", "RadTraining", "RadInference", "RadEval", "RadClinical",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "RadTensorTests", dependencies: ["RadTensor"], exclude: ["Fixtures"]),
    .testTarget(name: "RadTokenizersTests", dependencies: ["RadTokenizers"], exclude: ["Fixtures"]),
    .testTarget(name: "RadModelsTests", dependencies: ["RadModels"], exclude: ["Fixtures"]),
    .testTarget(name: "RadTrainingTests", dependencies: ["RadTraining"], exclude: ["Fixtures"]),
    .testTarget(name: "RadInferenceTests", dependencies: ["RadInference"], exclude: ["Fixtures"]),
    .testTarget(name: "RadEvalTests", dependencies: ["RadEval"], exclude: ["Fixtures"]),
    .testTarget(name: "RadClinicalTests", dependencies: ["RadClinical"], exclude: ["Fixtures"]),
    // Runs the built `radlm` executable (built by `swift build`/`swift test` with the other targets).
    .testTarget(name: "CommandLineTests", dependencies: []),
  ],
  swiftLanguageModes: [.v6]
)
