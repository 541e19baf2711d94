import Testing

@testable import RadImaging

@Suite struct ImageTests {
  @Test func shapeIsChecked() {
    #expect(throws: ImageError.self) { try Image(rows: 2, columns: 2, pixels: [1, 2, 3]) }
    #expect(throws: ImageError.self) { try Image(rows: 0, columns: 2, pixels: []) }
  }

  @Test func subscriptAndChannelsFirstFollowTheLayout() throws {
    // 2 frames of 2×3 RGB; value = frame*100 + row*10 + column + channel/10.
    var values: [Float] = []
    for f in 0..<2 {
      for r in 0..<2 {
        for c in 0..<3 {
          for ch in 0..<3 { values.append(Float(f * 100 + r * 10 + c) + Float(ch) / 10) }
        }
      }
    }
    let image = try Image(rows: 2, columns: 3, channels: 3, frames: 2, pixels: values)
    #expect(image[frame: 1, row: 1, column: 2, channel: 2] == 112.2)
    let second = try image.frame(1)
    #expect(second.frames == 1 && second[row: 0, column: 1, channel: 0] == 101)
    let planar = image.channelsFirst(frame: 1)
    #expect(planar[2 * 6 + 1 * 3 + 2] == 112.2)
    let back = try Image.fromChannelsFirst(planar, channels: 3, rows: 2, columns: 3)
    #expect(back.pixels == second.pixels)
    #expect(throws: ImageError.self) { try image.frame(2) }
  }
}
