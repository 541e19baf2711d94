import Foundation
import RadEval
import Testing

/// AUROC with a bootstrap interval against scikit-learn's `roc_auc_score` and the same seeded
/// NumPy resampling loop (`tools/reference/image_task_fixtures.py`), ties and single-class
/// resamples included.
@Suite("AUROC bootstrap interval")
struct AUROCIntervalTests {
  @Test func equalsScikitLearnLoop() throws {
    let root = try Fixture.json("auroc_bootstrap.json")
    let cases = try #require(root["cases"] as? [[String: Any]])
    #expect(cases.count == 4)
    for e in cases {
      let got = try AUROCInterval.bootstrap(
        truth: ints(e["truth"]), scores: doubles(e["scores"]), samples: Int(double(e["samples"])),
        confidence: double(e["confidence"]), seed: UInt32(double(e["seed"])))
      #expect(close(got.auroc, double(e["auroc"])), "\(got.auroc) vs \(double(e["auroc"]))")
      #expect(got.validSamples == Int(double(e["valid_samples"])))
      #expect(close(got.low, double(e["low"])), "low \(got.low) vs \(double(e["low"]))")
      #expect(close(got.high, double(e["high"])), "high \(got.high) vs \(double(e["high"]))")
    }
  }

  @Test func badInputThrows() {
    #expect(throws: ClassificationError.singleClass("ROC AUC")) {
      try AUROCInterval.bootstrap(truth: [0, 0], scores: [0.1, 0.2])
    }
    #expect(throws: ClassificationError.self) {
      try AUROCInterval.bootstrap(truth: [0, 1], scores: [0.1, 0.2], samples: 0)
    }
  }
}
