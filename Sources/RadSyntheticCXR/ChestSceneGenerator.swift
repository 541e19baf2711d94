/// Draws synthetic chest scenes from a seed. Scene `index` depends only on (seed, index), so a
/// set of n images is the first n of any larger set with the same seed. Lesions are placed so
/// that the ground truth is unambiguous: each lies wholly inside aerated lung with a pixel of
/// margin, no two touch, and the largest is at least `largestMargin` mm larger than the next.
public struct ChestSceneGenerator: Sendable {
  public var size: Int
  public var seed: UInt64
  /// Millimetres the largest lesion must exceed the second largest by.
  public var largestMargin = 3

  /// - Parameter size: image side, 64 or 128 pixels.
  public init(size: Int, seed: UInt64) throws {
    guard size == 64 || size == 128 else {
      throw SyntheticDataError.invalidArgument("size must be 64 or 128 (got \(size))")
    }
    self.size = size
    self.seed = seed
  }

  /// Millimetres per pixel: a 320 mm field of view.
  public var spacing: Double { 320 / Double(size) }

  func random(index: Int, stream: UInt64) -> SplitMix64 {
    var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03) ^ (stream &* 0x8CB9_2BA7_2F3D_8DD7))
    return SplitMix64(seed: mixer.next())
  }

  /// The current study of case `index`.
  public func scene(index: Int) -> ChestScene {
    var random = random(index: index, stream: 1)
    let s = Double(size)
    let cy = s * random.uniform(0.45, 0.49)
    let rx = s * random.uniform(0.12, 0.14)
    let ry = s * random.uniform(0.27, 0.30)
    let lungs = [
      LungField(side: .right, x: s * random.uniform(0.285, 0.305), y: cy, rx: rx, ry: ry),
      LungField(side: .left, x: s * random.uniform(0.695, 0.715), y: cy, rx: rx, ry: ry),
    ]
    let effusionDraw = random.uniform(0, 1)
    let effusion: EffusionSide =
      effusionDraw < 0.6 ? .none : effusionDraw < 0.733 ? .right : effusionDraw < 0.866 ? .left : .both
    var scene = ChestScene(
      size: size, spacing: spacing, lungs: lungs, lesions: [], effusion: effusion,
      effusionHeight: random.uniform(0.16, 0.24), blurred: random.uniform(0, 1) < 0.5,
      noise: random.uniform(0, 1) < 0.5 ? 3 : 0, noiseSeed: random.next())
    let count = Int(random.next() % 4)
    while true {
      var placed: [ChestLesion] = []
      for _ in 0..<count {
        guard let lesion = placeLesion(in: scene, avoiding: placed, random: &random) else { break }
        placed.append(lesion)
      }
      if placed.count == count && largestIsClear(placed) {
        scene.lesions = placed
        return scene
      }
    }
  }

  /// Whether the largest lesion is `largestMargin` mm larger than every other.
  func largestIsClear(_ lesions: [ChestLesion]) -> Bool {
    let sizes = lesions.map { $0.sizeMillimetres(spacing: spacing) }.sorted(by: >)
    return sizes.count < 2 || sizes[0] - sizes[1] >= largestMargin
  }

  /// A lesion drawn at random that fits the scene, or nil after many tries.
  func placeLesion(in scene: ChestScene, avoiding others: [ChestLesion], random: inout SplitMix64) -> ChestLesion? {
    let s = Double(size)
    for _ in 0..<400 {
      let side: BodySide = random.next() % 2 == 0 ? .right : .left
      let lung = scene.lung(side)
      let major = s * random.uniform(0.022, 0.06)
      let minor = random.uniform(0, 1) < 0.5 ? major : major * random.uniform(0.6, 0.85)
      let tall = random.next() % 2 == 0
      let lesion = ChestLesion(
        x: Self.tenth(random.uniform(lung.x - lung.rx, lung.x + lung.rx)),
        y: Self.tenth(random.uniform(lung.y - lung.ry, lung.y + lung.ry)),
        rx: Self.tenth(tall ? minor : major), ry: Self.tenth(tall ? major : minor),
        brightness: random.uniform(55, 95).rounded(), side: side, zone: .upper)
      guard fits(lesion, in: scene, lung: lung),
        others.allSatisfy({ Self.distance($0, lesion) >= max($0.rx, $0.ry) + max(lesion.rx, lesion.ry) + 2 })
      else { continue }
      var placed = lesion
      placed.zone = lung.zone(ofHeight: lesion.y)
      return placed
    }
    return nil
  }

  /// Whether the lesion grown by one pixel lies in aerated lung of `lung` (tested at every
  /// pixel centre it covers, the same rule the mask uses).
  func fits(_ lesion: ChestLesion, in scene: ChestScene, lung: LungField) -> Bool {
    let grown = ChestLesion(
      x: lesion.x, y: lesion.y, rx: lesion.rx + 1, ry: lesion.ry + 1, brightness: 0, side: lesion.side,
      zone: lesion.zone)
    guard lesion.rx >= 1, lesion.ry >= 1 else { return false }
    let rows = max(0, Int(grown.y - grown.ry) - 1)...min(size - 1, Int(grown.y + grown.ry) + 1)
    let columns = max(0, Int(grown.x - grown.rx) - 1)...min(size - 1, Int(grown.x + grown.rx) + 1)
    for row in rows {
      for column in columns {
        let (px, py) = (Double(column) + 0.5, Double(row) + 0.5)
        if grown.contains(px, py) && (!lung.contains(px, py) || scene.inEffusion(px, py)) { return false }
      }
    }
    // The grown ellipse must not reach the image border either.
    return grown.x - grown.rx > 1 && grown.y - grown.ry > 1 && grown.x + grown.rx < Double(size) - 1
      && grown.y + grown.ry < Double(size) - 1
  }

  static func tenth(_ value: Double) -> Double { (value * 10).rounded() / 10 }

  static func distance(_ a: ChestLesion, _ b: ChestLesion) -> Double {
    ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
  }
}

/// Errors of making or reading a synthetic data set; each names the file, line or value at fault.
public enum SyntheticDataError: Error, Equatable, Sendable, CustomStringConvertible {
  case invalidArgument(String)
  case malformed(file: String, line: Int, reason: String)
  case io(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidArgument(let reason): return "invalid argument: \(reason)"
    case .malformed(let file, let line, let reason): return "\(file):\(line): \(reason)"
    case .io(let path, let reason): return "\(path): \(reason)"
    }
  }
}
