import Foundation
import RadEval
import Testing

@Suite("Classification metrics parity with scikit-learn")
struct ClassificationParityTests {
  func check(_ got: PrecisionRecallF1, _ e: [Double], _ label: String) {
    #expect(close(got.precision, e[0]) && close(got.recall, e[1]) && close(got.f1, e[2]), "\(label): \(got) vs \(e)")
  }

  @Test("Multi-class: accuracy, confusion matrix, per-class and micro/macro/weighted P/R/F1")
  func multiclass() throws {
    let root = try Fixture.parity()
    let cls = try #require(root["classification"] as? [String: Any])
    for e in try #require(cls["multiclass"] as? [[String: Any]]) {
      let y = ints(e["y_true"])
      let p = ints(e["y_pred"])
      let labels = ints(e["labels"])
      #expect(close(try ClassificationMetrics.accuracy(truth: y, predicted: p), double(e["accuracy"])))
      let cm = try ClassificationMetrics.confusionMatrix(truth: y, predicted: p, labels: labels)
      #expect(cm == (e["confusion"] as? [Any] ?? []).map(ints))
      for avg in [ScoreAveraging.micro, .macro, .weighted] {
        let got = try ClassificationMetrics.precisionRecallF1(truth: y, predicted: p, labels: labels, average: avg)
        check(got[0], doubles(e[avg.rawValue]), avg.rawValue)
      }
      let per = try ClassificationMetrics.precisionRecallF1(truth: y, predicted: p, labels: labels, average: nil)
      let pc = e["per_class"] as? [String: Any] ?? [:]
      #expect(zip(per.map(\.f1), doubles(pc["f1"])).allSatisfy { close($0, $1) })
      #expect(per.map { $0.support ?? -1 } == ints(pc["support"]))
    }
  }

  @Test("Binary ROC AUC and average precision, with tied scores")
  func ranking() throws {
    let root = try Fixture.parity()
    let cls = try #require(root["classification"] as? [String: Any])
    for e in try #require(cls["binary"] as? [[String: Any]]) {
      let y = ints(e["y_true"])
      let s = doubles(e["scores"])
      #expect(close(try ClassificationMetrics.rocAUC(truth: y, scores: s), double(e["roc_auc"])))
      #expect(close(try ClassificationMetrics.averagePrecision(truth: y, scores: s), double(e["average_precision"])))
    }
  }

  @Test("Multi-label per-label report, micro/macro/weighted/samples, subset accuracy, per-label AUC")
  func multilabel() throws {
    let root = try Fixture.parity()
    let cls = try #require(root["classification"] as? [String: Any])
    for e in try #require(cls["multilabel"] as? [[String: Any]]) {
      let y = (e["y_true"] as? [Any] ?? []).map(ints)
      let p = (e["y_pred"] as? [Any] ?? []).map(ints)
      let s = (e["scores"] as? [Any] ?? []).map(doubles)
      for avg in ScoreAveraging.allCases {
        let got = try ClassificationMetrics.multilabel(truth: y, predicted: p, average: avg)
        check(got[0], doubles(e[avg.rawValue]), avg.rawValue)
      }
      let per = try ClassificationMetrics.multilabel(truth: y, predicted: p, average: nil)
      let pl = e["per_label"] as? [String: Any] ?? [:]
      #expect(zip(per.map(\.precision), doubles(pl["precision"])).allSatisfy { close($0, $1) })
      #expect(zip(per.map(\.recall), doubles(pl["recall"])).allSatisfy { close($0, $1) })
      #expect(zip(per.map(\.f1), doubles(pl["f1"])).allSatisfy { close($0, $1) })
      #expect(per.map { $0.support ?? -1 } == ints(pl["support"]))
      #expect(close(try ClassificationMetrics.subsetAccuracy(truth: y, predicted: p), double(e["subset_accuracy"])))
      let auc = e["roc_auc_per_label"] as? [String: Any] ?? [:]
      let ap = e["ap_per_label"] as? [String: Any] ?? [:]
      #expect(!auc.isEmpty)
      for (key, value) in auc {
        let j = Int(key) ?? 0
        let col = y.map { $0[j] }
        let sc = s.map { $0[j] }
        #expect(close(try ClassificationMetrics.rocAUC(truth: col, scores: sc), double(value)))
        #expect(close(try ClassificationMetrics.averagePrecision(truth: col, scores: sc), double(ap[key])))
      }
    }
  }

  @Test("Bad input gives typed errors")
  func badInput() {
    #expect(throws: ClassificationError.lengthMismatch(truth: 2, predicted: 1)) {
      try ClassificationMetrics.accuracy(truth: [0, 1], predicted: [0])
    }
    #expect(throws: ClassificationError.singleClass("ROC AUC")) {
      try ClassificationMetrics.rocAUC(truth: [1, 1], scores: [0.2, 0.3])
    }
    #expect(throws: ClassificationError.raggedLabels(row: 1, expected: 2, found: 3)) {
      try ClassificationMetrics.multilabel(
        truth: [[0, 1], [1, 0, 1]], predicted: [[0, 1], [1, 0]], average: .micro)
    }
  }

  @Test("CheXbert-style label F1 equals the shipped f1chexbert vector (14 and 5 labels)")
  func chexbertVector() throws {
    let root = try Fixture.json("f1chexbert_label_vector.json")
    let names = try #require(root["target_names"] as? [String])
    #expect(names == CheXpertObservation.chexbertOrder.map(\.rawValue))
    let refs = (root["refs_labels"] as? [Any] ?? []).map(ints)
    let hyps = (root["hyps_labels"] as? [Any] ?? []).map(ints)
    let e = try #require(root["expected"] as? [String: Any])
    let report = try LabelAgreement(references: refs, hypotheses: hyps)
    check(report.micro14, doubles(e["micro14"]), "micro14")
    check(report.macro14, doubles(e["macro14"]), "macro14")
    check(report.weighted14, doubles(e["weighted14"]), "weighted14")
    check(report.samples14, doubles(e["samples14"]), "samples14")
    check(report.micro5, doubles(e["micro5"]), "micro5")
    check(report.macro5, doubles(e["macro5"]), "macro5")
    #expect(close(report.accuracy5, double(e["accuracy5"])))
    #expect(zip(report.perSampleExact5, doubles(e["per_sample_exact5"])).allSatisfy { close($0, $1) })
  }
}
