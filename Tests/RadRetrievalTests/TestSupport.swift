import Foundation
import RadTokenizers
import Testing

import RadRetrieval

/// A project-written stand-in for an embedding model in unit tests of the store and search logic:
/// each word adds ±1 to a hashed coordinate (a bag of words), then the vector is normalised, so
/// texts sharing words are similar. Real-model behaviour is tested with MiniLM elsewhere.
struct HashingEmbedder: TextEmbedder {
  var identity: EmbeddingModelIdentity

  init(dimension: Int = 64, hash: String = "test-hash", pooling: String = "mean") {
    identity = EmbeddingModelIdentity(
      name: "hashing-test", hash: hash, pooling: pooling, normalized: true, dimension: dimension)
  }

  func embed(_ texts: [String]) throws -> [[Float]] {
    texts.map { text in
      var v = [Float](repeating: 0, count: identity.dimension)
      for word in BM25Index.tokenize(text) {
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in word.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        v[Int(h % UInt64(identity.dimension))] += (h >> 40) & 1 == 0 ? 1 : -1
      }
      let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-6)
      return v.map { $0 / norm }
    }
  }

  func tokenSpans(_ text: String) -> [TokenSpan] {
    var spans: [TokenSpan] = []
    var start: Int?
    for (i, s) in text.unicodeScalars.enumerated() {
      if s.properties.isWhitespace {
        if let st = start { spans.append(TokenSpan(start: st, end: i)) }
        start = nil
      } else if start == nil {
        start = i
      }
    }
    if let st = start { spans.append(TokenSpan(start: st, end: text.unicodeScalars.count)) }
    return spans
  }
}

enum Fixtures {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent(name))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  static func floats(_ name: String) throws -> [Float] {
    let data = try Data(contentsOf: folder.appendingPathComponent(name))
    var out = [Float](repeating: 0, count: data.count / 4)
    out.withUnsafeMutableBytes { _ = data.copyBytes(to: $0) }
    return out
  }
}

/// A fresh temporary folder, removed by the caller with `cleanUp`.
struct TemporaryFolder {
  let url: URL
  init() {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("radlm-retrieval-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
  func write(_ name: String, _ text: String) throws -> String {
    let p = path(name)
    try FileManager.default.createDirectory(
      atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: p))
    return p
  }
  func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// Project-written radiology-style sentences for store tests (synthetic; no patient data).
enum SampleCorpus {
  static let documents: [(id: String, text: String, modality: String)] = [
    ("r1", "Chest radiograph shows a small left pleural effusion. No pneumothorax is seen.", "xr"),
    ("r2", "CT of the abdomen demonstrates a hypodense lesion in the right hepatic lobe.", "ct"),
    ("r3", "MRI of the brain shows a T2 hyperintense lesion in the left frontal lobe.", "mr"),
    ("r4", "Right femoral shaft fracture with mild displacement. Soft tissue swelling.", "xr"),
    ("r5", "Cardiomegaly with pulmonary vascular congestion. Bilateral pleural effusions.", "xr"),
    ("r6", "Ultrasound of the gallbladder shows multiple gallstones without wall thickening.", "us"),
    ("r7", "Contrast enhanced CT shows an enhancing mass in the left kidney.", "ct"),
    ("r8", "No acute intracranial hemorrhage. Ventricles are normal in size.", "ct"),
  ]

  static var jsonl: String {
    documents.map { "{\"id\":\"\($0.id)\",\"text\":\"\($0.text)\",\"modality\":\"\($0.modality)\"}" }
      .joined(separator: "\n") + "\n"
  }
}
