import Foundation
import RadImaging
import RadViz
import Testing

@Suite("Model pictures")
struct PictureTests {
  @Test func principalComponentsRecoverAPlane() {
    // Points a·(6,0,8,0,0) + b·(0,1,0,0,0) + offset with a and b uncorrelated over the sample
    // (a full grid): PC1 = 10·(a − mean a), PC2 = b − mean b, up to sign.
    let samples: [(Double, Double)] = [-2.0, -1, 0, 1, 2].flatMap { a in [-0.5, 0.5].map { (a, $0) } }
    let vectors = samples.map { a, b in [Float(6 * a + 1), Float(b - 2), Float(8 * a + 3), 5, -1] }
    let points = ModelPictures.principalComponents(vectors)
    let meanA = samples.map(\.0).reduce(0, +) / Double(samples.count)
    let meanB = samples.map(\.1).reduce(0, +) / Double(samples.count)
    let sign1 = points[9].0 * (samples[9].0 - meanA) > 0 ? 1.0 : -1.0
    let sign2 = points[0].1 * (samples[0].1 - meanB) > 0 ? 1.0 : -1.0
    for (point, sample) in zip(points, samples) {
      #expect(abs(sign1 * point.0 - 10 * (sample.0 - meanA)) < 1e-6)
      #expect(abs(sign2 * point.1 - (sample.1 - meanB)) < 1e-6)
    }
  }

  @Test func attentionSVGHasOneCellPerPairAndEscapesTokens() {
    let svg = ModelPictures.attentionSVG(
      weights: [[1, 0], [0.25, 0.75]], queryTokens: ["<s>", "a&b"], keyTokens: ["<s>", "a&b"], title: "t")
    #expect(svg.components(separatedBy: "<rect x=").count - 1 == 4)
    #expect(svg.contains("&lt;s&gt;") && svg.contains("a&amp;b") && !svg.contains("<s>"))
    #expect(svg.contains("0.750"))
  }
}
