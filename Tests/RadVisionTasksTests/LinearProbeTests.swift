import Foundation
import RadVisionTasks
import Testing

/// RadLM's L2 logistic regression (Newton–CG) reaches scikit-learn's `LogisticRegression`
/// optimum (its exact newton-cholesky solver) on seeded features (tools/reference/image_task_fixtures.py); the probe standardises
/// with training statistics and picks C by validation AUROC.
@Suite("Linear probe")
struct LinearProbeTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  @Test func logisticRegressionEqualsScikitLearn() throws {
    let cases = try #require(try Self.json("logistic_regression.json")["cases"] as? [[String: Any]])
    #expect(cases.count == 3)
    for e in cases {
      let x = try #require(e["features"] as? [[Double]])
      let y = try #require(e["labels"] as? [Int])
      let c = try #require(e["c"] as? Double)
      let weights = try #require(e["weights"] as? [Double])
      let intercept = try #require(e["intercept"] as? Double)
      let probabilities = try #require(e["probabilities"] as? [Double])
      let model = try LogisticRegression.fit(features: x, labels: y, c: c)
      let scale = max(1, weights.map { abs($0) }.max() ?? 1)
      let worst = zip(model.weights, weights).map { abs($0 - $1) }.max() ?? .infinity
      #expect(worst <= 1e-6 * scale, "C=\(c): max |Δw| \(worst)")
      #expect(abs(model.intercept - intercept) <= 1e-6 * scale, "C=\(c): intercept \(model.intercept) vs \(intercept)")
      let worstP = zip(model.probabilities(x), probabilities).map { abs($0 - $1) }.max() ?? .infinity
      #expect(worstP <= 1e-7, "C=\(c): max |Δp| \(worstP)")
    }
  }

  @Test func probeChoosesCByValidationAUROC() throws {
    let e = try #require((try Self.json("logistic_regression.json")["cases"] as? [[String: Any]])?[1])
    let x = try #require(e["features"] as? [[Double]])
    let y = try #require(e["labels"] as? [Int])
    let probe = try LinearProbe.train(
      features: Array(x[0..<150]), labels: Array(y[0..<150]), validationFeatures: Array(x[150...]),
      validationLabels: Array(y[150...]), grid: [0.01, 1])
    #expect(probe.validationAUROC.map(\.c) == [0.01, 1])
    let best = try #require(probe.validationAUROC.max { $0.auroc < $1.auroc })
    #expect(probe.c == best.c)
    #expect(probe.probabilities(Array(x[150...])).allSatisfy { $0 > 0 && $0 < 1 })
  }

  @Test func badInputThrows() {
    #expect(throws: LinearProbeError.self) { try LogisticRegression.fit(features: [[1], [2]], labels: [0], c: 1) }
    #expect(throws: LinearProbeError.self) { try LogisticRegression.fit(features: [[1], [2]], labels: [0, 1], c: 0) }
    #expect(throws: LinearProbeError.self) {
      try LogisticRegression.fit(features: [[1], [2, 3]], labels: [0, 1], c: 1)
    }
  }
}
