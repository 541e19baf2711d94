import Foundation
import RadImaging

/// The patient's side of a finding. Radiographs are viewed as if facing the patient, so the
/// patient's right lung is on the image's left (smaller column numbers).
public enum BodySide: String, Sendable, Codable, CaseIterable {
  case right, left
}

/// The third of a lung field a lesion's centre lies in, counted top to bottom over that lung's
/// vertical extent.
public enum LungZone: String, Sendable, Codable, CaseIterable {
  case upper, middle, lower
}

/// Where pleural fluid is seen.
public enum EffusionSide: String, Sendable, Codable, CaseIterable {
  case none, left, right, both

  /// Whether the effusion covers the base of the lung on `side`.
  public func covers(_ side: BodySide) -> Bool {
    self == .both || rawValue == side.rawValue
  }
}

/// One lung field of a synthetic radiograph: an ellipse in pixel coordinates (continuous, the
/// centre of pixel (row r, column c) is (c + 0.5, r + 0.5)).
public struct LungField: Sendable, Equatable {
  public var side: BodySide
  public var x: Double
  public var y: Double
  public var rx: Double
  public var ry: Double

  /// Whether the point (`px`, `py`) lies inside the field.
  public func contains(_ px: Double, _ py: Double) -> Bool {
    let u = (px - x) / rx
    let v = (py - y) / ry
    return u * u + v * v <= 1
  }

  /// The zone of a point at height `py`: thirds of the field's vertical extent.
  public func zone(ofHeight py: Double) -> LungZone {
    let fraction = (py - (y - ry)) / (2 * ry)
    return fraction < 1.0 / 3 ? .upper : fraction < 2.0 / 3 ? .middle : .lower
  }

  /// How far towards the chest wall (0 at the medial edge, 1 at the lateral edge) `px` lies.
  func lateralFraction(_ px: Double) -> Double {
    // The right lung is on the image's left, so its lateral edge is at the smaller x.
    let fromMedial = side == .right ? (x + rx) - px : px - (x - rx)
    return min(max(fromMedial / (2 * rx), 0), 1)
  }
}

/// A round or oval lesion (a nodule or mass): an axis-aligned ellipse of radii `rx`, `ry`
/// pixels centred at (`x`, `y`), `brightness` grey levels above the lung behind it.
public struct ChestLesion: Sendable, Equatable {
  public var x: Double
  public var y: Double
  public var rx: Double
  public var ry: Double
  public var brightness: Double
  public var side: BodySide
  public var zone: LungZone

  /// Whether the point (`px`, `py`) lies inside the lesion (the lesion mask's rule).
  public func contains(_ px: Double, _ py: Double) -> Bool {
    let u = (px - x) / rx
    let v = (py - y) / ry
    return u * u + v * v <= 1
  }

  /// Largest diameter in millimetres at `spacing` mm per pixel, rounded to whole millimetres.
  public func sizeMillimetres(spacing: Double) -> Int { Int((2 * max(rx, ry) * spacing).rounded()) }
}

/// Everything one synthetic chest radiograph shows, from which its pixels, masks, report and
/// answers are all derived: the body outline, two lung fields, lesions, a basal effusion with a
/// meniscus (fluid climbing towards the chest wall), and whether mild blur and noise are added.
public struct ChestScene: Sendable, Equatable {
  /// Image side in pixels (64 or 128).
  public var size: Int
  /// Millimetres per pixel (the report states sizes at this spacing).
  public var spacing: Double
  public var lungs: [LungField]
  public var lesions: [ChestLesion]
  public var effusion: EffusionSide
  /// Fraction of each lung's height the fluid fills at its medial edge.
  public var effusionHeight: Double
  public var blurred: Bool
  /// Standard deviation of the added Gaussian noise in grey levels (0: none).
  public var noise: Double
  /// Seed of the noise field.
  public var noiseSeed: UInt64

  static let background = 12.0
  static let softTissue = 118.0
  static let aeratedLung = 38.0
  static let fluid = 108.0

  /// The lung on `side`.
  public func lung(_ side: BodySide) -> LungField { lungs.first { $0.side == side } ?? lungs[0] }

  /// Whether the point lies in the effusion: inside an affected lung and below its fluid line.
  public func inEffusion(_ px: Double, _ py: Double) -> Bool {
    for lung in lungs where effusion.covers(lung.side) && lung.contains(px, py) {
      let level = lung.y + lung.ry - effusionHeight * 2 * lung.ry
      let meniscus = level - 0.35 * effusionHeight * 2 * lung.ry * lung.lateralFraction(px)
      if py >= meniscus { return true }
    }
    return false
  }

  /// Whether a point is aerated lung: inside a lung field and not in the effusion.
  public func inAeratedLung(_ px: Double, _ py: Double) -> Bool {
    lungs.contains { $0.contains(px, py) } && !inEffusion(px, py)
  }

  /// The grey image (values 0–255 before PNG rounding).
  public func render() throws -> Image {
    var values = [Double](repeating: Self.background, count: size * size)
    let centre = Double(size) / 2
    for row in 0..<size {
      for column in 0..<size {
        let (px, py) = (Double(column) + 0.5, Double(row) + 0.5)
        let u = (px - centre) / (0.45 * Double(size))
        let v = (py - 0.55 * Double(size)) / (0.47 * Double(size))
        guard u * u + v * v <= 1 else { continue }
        // Soft tissue brightens slightly towards the abdomen.
        var value = Self.softTissue + 12 * (py / Double(size))
        if let lung = lungs.first(where: { $0.contains(px, py) }) {
          value = Self.aeratedLung + 14 * ((py - (lung.y - lung.ry)) / (2 * lung.ry))
          if inEffusion(px, py) { value = Self.fluid }
        }
        for lesion in lesions where lesion.contains(px, py) { value += lesion.brightness }
        values[row * size + column] = value
      }
    }
    if blurred { values = Self.blur(values, size: size) }
    if noise > 0 {
      var random = SplitMix64(seed: noiseSeed)
      for index in values.indices { values[index] += noise * random.normal() }
    }
    let pixels = values.map { Float(min(max($0.rounded(), 0), 255)) }
    return try Image(
      rows: size, columns: size, pixels: pixels, metadata: ImageMetadata(format: .raw, maximumSampleValue: 255))
  }

  /// The lesion label mask: 0 outside every lesion, k + 1 on the pixels of lesion k.
  public func lesionMask() -> [UInt8] {
    var mask = [UInt8](repeating: 0, count: size * size)
    for row in 0..<size {
      for column in 0..<size {
        let (px, py) = (Double(column) + 0.5, Double(row) + 0.5)
        if let index = lesions.firstIndex(where: { $0.contains(px, py) }) {
          mask[row * size + column] = UInt8(index + 1)
        }
      }
    }
    return mask
  }

  /// A separable [1, 2, 1]/4 blur with edge pixels repeated (mild defocus).
  static func blur(_ values: [Double], size: Int) -> [Double] {
    func pass(_ input: [Double], horizontal: Bool) -> [Double] {
      var output = input
      for row in 0..<size {
        for column in 0..<size {
          func at(_ offset: Int) -> Double {
            let r = horizontal ? row : min(max(row + offset, 0), size - 1)
            let c = horizontal ? min(max(column + offset, 0), size - 1) : column
            return input[r * size + c]
          }
          output[row * size + column] = (at(-1) + 2 * at(0) + at(1)) / 4
        }
      }
      return output
    }
    return pass(pass(values, horizontal: true), horizontal: false)
  }
}

/// SplitMix64: a small seeded generator, so a scene is the same for a seed on every machine.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [low, high).
  mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * Double(next() >> 11) / Double(1 << 53)
  }

  /// Standard normal (Box–Muller).
  mutating func normal() -> Double {
    let u1 = max(uniform(0, 1), 1e-12)
    let u2 = uniform(0, 1)
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
  }
}
