import Foundation

/// Draws training and validation loss against the step as a self-contained SVG file.
public enum LossCurvePlot {
  public static func svg(training: [Float], validation: [(step: Int, loss: Float)], title: String) -> String {
    let width = 640.0, height = 400.0, left = 64.0, right = 20.0, top = 40.0, bottom = 48.0
    let values = training.map(Double.init) + validation.map { Double($0.loss) }
    let finite = values.filter(\.isFinite)
    let low = (finite.min() ?? 0), high = (finite.max() ?? 1)
    let span = Swift.max(high - low, 1e-6)
    let steps = Double(Swift.max(training.count, validation.map(\.step).max() ?? 1, 1))
    func x(_ step: Double) -> Double { left + (step - 1) / Swift.max(steps - 1, 1) * (width - left - right) }
    func y(_ value: Double) -> Double { top + (1 - (value - low) / span) * (height - top - bottom) }
    var svg = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(Markup.escape(title))</text>
      <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="black"/>
      <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" stroke="black"/>
      <text x="\(width / 2)" y="\(height - 12)" text-anchor="middle">optimiser step</text>
      <text x="16" y="\(height / 2)" text-anchor="middle" transform="rotate(-90 16 \(height / 2))">loss</text>

      """
    for tick in 0...4 {
      let value = low + span * Double(tick) / 4
      svg +=
        "<text x=\"\(left - 6)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", value))</text>\n"
      svg += "<line x1=\"\(left)\" y1=\"\(y(value))\" x2=\"\(width - right)\" y2=\"\(y(value))\" stroke=\"#ddd\"/>\n"
    }
    svg += "<text x=\"\(left)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">1</text>\n"
    svg += "<text x=\"\(width - right)\" y=\"\(height - bottom + 16)\" text-anchor=\"middle\">\(Int(steps))</text>\n"
    let points = training.enumerated().filter { $0.element.isFinite }.map {
      String(format: "%.1f,%.1f", x(Double($0.offset + 1)), y(Double($0.element)))
    }
    svg +=
      "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
    for point in validation where point.loss.isFinite {
      svg += "<circle cx=\"\(x(Double(point.step)))\" cy=\"\(y(Double(point.loss)))\" r=\"4\" fill=\"#d62728\"/>\n"
    }
    svg += "<text x=\"\(width - right - 150)\" y=\"\(top + 10)\" fill=\"#1f77b4\">— training loss</text>\n"
    svg += "<text x=\"\(width - right - 150)\" y=\"\(top + 26)\" fill=\"#d62728\">● validation loss</text>\n"
    svg += "</svg>\n"
    return svg
  }

}
