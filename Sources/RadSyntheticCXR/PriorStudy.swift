/// How a lesion differs between the prior and the current study.
public enum LesionChange: String, Sendable, Codable, CaseIterable {
  case unchanged, new, larger, smaller, resolved
}

/// One line of the comparison: what happened to a lesion, where it is (or was), and its size
/// in millimetres on each study (nil where it is absent).
public struct LesionComparison: Sendable, Equatable {
  public var change: LesionChange
  public var side: BodySide
  public var zone: LungZone
  public var currentMillimetres: Int?
  public var priorMillimetres: Int?
}

/// A prior study of the same patient: the current scene with lesions that were smaller, larger,
/// absent (now new) or present and since resolved, imaged with its own blur and noise.
public struct PriorStudy: Sendable, Equatable {
  public var scene: ChestScene
  /// One entry per current lesion (in the current scene's order), then the resolved ones.
  public var changes: [LesionComparison]
}

extension ChestSceneGenerator {
  /// The prior study of case `index`, derived from its current scene.
  public func prior(index: Int) -> PriorStudy {
    let current = scene(index: index)
    var random = random(index: index, stream: 2)
    var prior = current
    prior.blurred = random.uniform(0, 1) < 0.5
    prior.noise = random.uniform(0, 1) < 0.5 ? 3 : 0
    prior.noiseSeed = random.next()
    prior.lesions = []
    var changes: [LesionComparison] = []
    for (position, lesion) in current.lesions.enumerated() {
      let size = lesion.sizeMillimetres(spacing: spacing)
      let draw = random.uniform(0, 1)
      var change = LesionChange.unchanged
      var before: ChestLesion? = lesion
      if draw < 0.25 {
        change = .new
        before = nil
      } else if draw < 0.5 {
        var shrunk = lesion
        shrunk.rx = Self.tenth(lesion.rx * 0.6)
        shrunk.ry = Self.tenth(lesion.ry * 0.6)
        if shrunk.rx >= 1, shrunk.ry >= 1, size - shrunk.sizeMillimetres(spacing: spacing) >= largestMargin {
          change = .larger
          before = shrunk
        }
      } else if draw < 0.7 {
        var grown = lesion
        grown.rx = Self.tenth(lesion.rx * 1.5)
        grown.ry = Self.tenth(lesion.ry * 1.5)
        let others = current.lesions.enumerated().filter { $0.offset != position }.map(\.element)
        if fits(grown, in: current, lung: current.lung(lesion.side)),
          (others + prior.lesions).allSatisfy({
            Self.distance($0, grown) >= max($0.rx, $0.ry) + max(grown.rx, grown.ry) + 2
          })
        {
          change = .smaller
          before = grown
        }
      }
      if let before { prior.lesions.append(before) }
      changes.append(
        LesionComparison(
          change: change, side: lesion.side, zone: lesion.zone, currentMillimetres: size,
          priorMillimetres: before?.sizeMillimetres(spacing: spacing)))
    }
    if random.uniform(0, 1) < 0.3,
      let gone = placeLesion(in: current, avoiding: current.lesions + prior.lesions, random: &random)
    {
      prior.lesions.append(gone)
      changes.append(
        LesionComparison(
          change: .resolved, side: gone.side, zone: gone.zone, currentMillimetres: nil,
          priorMillimetres: gone.sizeMillimetres(spacing: spacing)))
    }
    return PriorStudy(scene: prior, changes: changes)
  }
}
