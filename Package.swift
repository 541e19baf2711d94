// swift-tools-version: 6.0
import PackageDescription

// One library target per concept of the primer, listed bottom-up: a target depends only on targets
// listed above it, never on one below or beside it (docs/ARCHITECTURE.md; README "Layout").
let package = Package(
  name: "RadLM",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "RadArchive", targets: ["RadArchive"]),
    .library(name: "RadTensor", targets: ["RadTensor"]),
    .library(name: "RadModelFiles", targets: ["RadModelFiles"]),
    .library(name: "RadImaging", targets: ["RadImaging"]),
    .library(name: "RadViz", targets: ["RadViz"]),
    .library(name: "RadSyntheticCXR", targets: ["RadSyntheticCXR"]),
    .library(name: "RadTokenizers", targets: ["RadTokenizers"]),
    .library(name: "RadModels", targets: ["RadModels"]),
    .library(name: "RadTraining", targets: ["RadTraining"]),
    .library(name: "RadInference", targets: ["RadInference"]),
    .library(name: "RadEval", targets: ["RadEval"]),
    .library(name: "RadReports", targets: ["RadReports"]),
    .library(name: "RadRetrieval", targets: ["RadRetrieval"]),
    .library(name: "RadClinical", targets: ["RadClinical"]),
    .library(name: "RadVision", targets: ["RadVision"]),
    .library(name: "RadMultimodal", targets: ["RadMultimodal"]),
    .library(name: "RadVisionTasks", targets: ["RadVisionTasks"]),
    .library(name: "RadServer", targets: ["RadServer"]),
    .executable(name: "radlm", targets: ["radlm"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
  ],
  // Test fixtures are read from disk through #filePath, so they are excluded from the targets.
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // gzip/tar/zip/zlib streams that data sets, checkpoints and image files come in.
    .target(name: "RadArchive", dependencies: ["CZlib"]),
    // Vector kernels for exp-heavy ops, compiled per function for AVX-512/AVX2+FMA with run-time
    // dispatch (no compiler flags), since Swift code here is built for baseline x86-64.
    .target(name: "CKernels"),
    // Gathered-row distance kernels for graph search (HNSW), AVX2+FMA with run-time dispatch.
    .target(name: "CVectorKernels"),
    .target(name: "RadTensor", dependencies: ["CBLAS", "CKernels"]),
    // Model files: safetensors (single and sharded), GGUF read/write, quantisation formats, the model cache.
    .target(name: "RadModelFiles", dependencies: ["RadTensor", "RadArchive"]),
    // Image files: PNG (and, with the imaging work, DICOM and NumPy arrays), pixel preprocessing.
    .target(name: "RadImaging", dependencies: ["RadArchive"]),
    // Synthetic radiology-like images with exact ground truth (lesions, effusion, reports, questions, priors).
    .target(name: "RadSyntheticCXR", dependencies: ["RadImaging"]),
    // Pictures: SVG and PNG heat maps, embedding maps, loss curves, the raster font.
    .target(name: "RadViz", dependencies: ["RadImaging"]),
    .target(name: "RadTokenizers", dependencies: ["RadTensor", "RadModelFiles", "RadArchive"]),
    .target(name: "RadModels", dependencies: ["RadTensor", "RadModelFiles", "RadTokenizers", "CKernels"]),
    .target(name: "RadTraining", dependencies: ["RadTensor", "RadModelFiles", "RadViz", "RadTokenizers", "RadModels"]),
    .target(name: "RadInference", dependencies: ["RadTensor", "RadModelFiles", "RadTokenizers", "RadModels"]),
    .target(name: "RadEval", dependencies: ["RadTensor", "RadModelFiles", "RadViz", "RadTokenizers", "RadModels"]),
    // Radiology reports as data: the IU collection, section parsing, de-identification.
    .target(name: "RadReports", dependencies: ["RadArchive"]),
    // Document store (SQLite through GRDB), exact/HNSW/BM25/hybrid search and grounded answers.
    .target(
      name: "RadRetrieval",
      dependencies: [
        "CBLAS", "CVectorKernels", "RadTensor", "RadModelFiles", "RadTokenizers", "RadModels", "RadInference",
        "RadReports", .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    // Clinical applications on reports: consistency and error checks, readability, impressions, expert review,
    // the main job's stages.
    .target(
      name: "RadClinical",
      dependencies: [
        "RadTensor", "RadModelFiles", "RadViz", "RadTokenizers", "RadModels", "RadTraining", "RadInference", "RadEval",
        "RadReports", "RadRetrieval",
      ]),
    // CNN and vision-transformer image encoders (EfficientNet-Lite, ViT).
    .target(name: "RadVision", dependencies: ["RadTensor", "RadModelFiles", "RadModels"]),
    // Image–text models: CLIP-style contrastive dual encoders, zero-shot classification, retrieval.
    .target(
      name: "RadMultimodal",
      dependencies: [
        "RadTensor", "RadModelFiles", "RadImaging", "RadTokenizers", "RadModels", "RadVision", "RadTraining",
        "RadInference", "RadSyntheticCXR",
      ]),
    // Medical image tasks: MedMNIST splits, linear probe, fine-tuning, zero-shot, AUROC intervals.
    .target(
      name: "RadVisionTasks",
      dependencies: ["RadTensor", "RadImaging", "RadVision", "RadTraining", "RadEval", "RadMultimodal"]),
    // The OpenAI-compatible HTTP server (Hummingbird 2) over generation and embeddings.
    .target(
      name: "RadServer",
      dependencies: [
        "RadTensor", "RadModelFiles", "RadTokenizers", "RadModels", "RadInference", "RadRetrieval",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
      ]
    ),
    .executableTarget(
      name: "radlm",
      dependencies: [
        "RadTensor", "RadModelFiles", "RadImaging", "RadViz", "RadTokenizers", "RadModels", "RadTraining",
        "RadInference", "RadEval", "RadSyntheticCXR",
        "RadReports",
        "RadRetrieval",
        "RadClinical",
        "RadVision",
        "RadMultimodal",
        "RadVisionTasks",
        "RadServer",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "RadArchiveTests", dependencies: ["RadArchive"], exclude: ["Fixtures"]),
    .testTarget(name: "RadTensorTests", dependencies: ["RadTensor"], exclude: ["Fixtures"]),
    .testTarget(name: "RadModelFilesTests", dependencies: ["RadModelFiles", "RadTensor"], exclude: ["Fixtures"]),
    .testTarget(name: "RadSyntheticCXRTests", dependencies: ["RadSyntheticCXR", "RadImaging"]),
    .testTarget(name: "RadVizTests", dependencies: ["RadViz", "RadImaging"], exclude: ["Fixtures"]),
    .testTarget(name: "RadTokenizersTests", dependencies: ["RadTokenizers", "RadModelFiles"], exclude: ["Fixtures"]),
    .testTarget(name: "RadModelsTests", dependencies: ["RadModels"], exclude: ["Fixtures"]),
    .testTarget(name: "RadTrainingTests", dependencies: ["RadTraining"], exclude: ["Fixtures"]),
    .testTarget(name: "RadInferenceTests", dependencies: ["RadInference"], exclude: ["Fixtures"]),
    .testTarget(name: "RadEvalTests", dependencies: ["RadEval"], exclude: ["Fixtures"]),
    .testTarget(
      name: "RadRetrievalTests",
      dependencies: ["RadRetrieval", "RadReports", "RadModelFiles", .product(name: "GRDB", package: "GRDB.swift")],
      exclude: ["Fixtures"]
    ),
    .testTarget(name: "RadReportsTests", dependencies: ["RadReports"], exclude: ["Fixtures"]),
    .testTarget(
      name: "RadClinicalTests",
      dependencies: ["RadClinical", "RadTensor", "RadReports", "RadModelFiles", "RadEval"],
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "RadImagingTests", dependencies: ["RadImaging", "RadModelFiles", "RadArchive"], exclude: ["Fixtures"]),
    .testTarget(name: "RadVisionTests", dependencies: ["RadVision"], exclude: ["Fixtures"]),
    .testTarget(
      name: "RadMultimodalTests",
      dependencies: [
        "RadMultimodal", "RadImaging", "RadInference", "RadModelFiles", "RadModels", "RadSyntheticCXR", "RadTensor",
        "RadTokenizers", "RadTraining", "RadVision",
      ],
      exclude: ["Fixtures"]),
    .testTarget(name: "RadVisionTasksTests", dependencies: ["RadVisionTasks"], exclude: ["Fixtures"]),
    .testTarget(
      name: "RadServerTests",
      dependencies: [
        "RadServer", "RadInference", "RadModelFiles", "RadModels", "RadTensor", "RadTokenizers", "RadRetrieval",
      ]
    ),
    // Runs the built `radlm` executable (built by `swift build`/`swift test` with the other targets).
    .testTarget(name: "CommandLineTests", dependencies: ["RadImaging", "RadModelFiles"]),
  ],
  swiftLanguageModes: [.v6]
)
