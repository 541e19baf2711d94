import Foundation
import RadImaging
import RadViz
import Testing

/// RadLM's 5×7 pixel font and the labelled PNG pictures: every glyph drawn where its bitmap
/// says, text PNGs byte-identical to the ones tools/reference/raster_font_fixtures.py renders
/// independently from the glyph table and Pillow decodes, and labels placed in the pictures.
@Suite("Raster font and labelled pictures")
struct RasterFontTests {
  static let ink = ModelPictures.inkColor
  static let white: (UInt8, UInt8, UInt8) = (255, 255, 255)

  static let printable: [Character] = (0x20...0x7E).map { Character(UnicodeScalar($0)!) }

  /// Whether the pixel at (x, y) is ink.
  static func isInk(_ image: RasterImage, _ x: Int, _ y: Int) -> Bool { image.pixel(x: x, y: y) == ink }

  @Test func tableHasOneDistinctWellFormedGlyphPerPrintableCharacter() {
    #expect(RasterFont.table.count == 95)
    var seen = Set<[[Bool]]>()
    for character in Self.printable {
      let glyph = RasterFont.glyph(for: character)
      #expect(
        glyph.count == RasterFont.glyphHeight && glyph.allSatisfy { $0.count == RasterFont.glyphWidth }, "\(character)")
      #expect(glyph.joined().contains(true) == (character != " "), "\(character)")
      seen.insert(glyph)
    }
    #expect(seen.count == 95)
    let fallback = RasterFont.glyph(for: "é")
    #expect(!seen.contains(fallback))
    // Outside printable ASCII: accented letters (both spellings), symbols, controls.
    for character: Character in ["\u{E9}", "e\u{301}", "✓", "\t", "\u{7F}", "🫁"] {
      #expect(RasterFont.glyph(for: character) == fallback, "\(character.unicodeScalars.map(\.value))")
    }
    #expect(
      RasterFont.glyph(for: "A") == RasterFont.table[0x41 - 0x20].split(separator: " ").map { $0.map { $0 == "#" } })
  }

  @Test(arguments: [1, 3])
  func everyGlyphIsDrawnAsItsBitmap(scale: Int) {
    for character in Self.printable + ["✓"] {
      let glyph = RasterFont.glyph(for: character)
      var right = RasterImage(width: 5 * scale + 2, height: 7 * scale + 2)
      right.draw(text: String(character), x: 1, y: 1, color: Self.ink, scale: scale)
      var up = RasterImage(width: 7 * scale + 2, height: 5 * scale + 2)
      up.draw(text: String(character), x: 1, y: 5 * scale + 1, color: Self.ink, scale: scale, direction: .upward)
      var mismatches = 0
      for y in 0..<right.height {
        for x in 0..<right.width {
          let (r, c) = ((y - 1).quotientAndRemainderFloor(scale), (x - 1).quotientAndRemainderFloor(scale))
          let expected = r >= 0 && r < 7 && c >= 0 && c < 5 && glyph[r][c]
          if Self.isInk(right, x, y) != expected { mismatches += 1 }
        }
      }
      // Upward: glyph row r is column 1 + r·scale…, glyph column c the rows just above 5·scale + 1 − c·scale.
      for y in 0..<up.height {
        for x in 0..<up.width {
          let r = (x - 1).quotientAndRemainderFloor(scale), c = (5 * scale + 1 - 1 - y).quotientAndRemainderFloor(scale)
          let expected = r >= 0 && r < 7 && c >= 0 && c < 5 && glyph[r][c]
          if Self.isInk(up, x, y) != expected { mismatches += 1 }
        }
      }
      #expect(mismatches == 0, "\(character) at scale \(scale)")
    }
  }

  @Test func neighbouringGlyphsAreOneAdvanceApart() {
    var pair = RasterImage(width: 20, height: 9)
    pair.draw(text: "H|", x: 1, y: 1, color: Self.ink)
    #expect(
      RasterFont.length(of: "H|") == 11 && RasterFont.length(of: "") == 0 && RasterFont.length(of: "ab", scale: 2) == 22
    )
    // "H" fills columns 1 and 5; "|" is the middle column of the next cell (1 + 6 + 2).
    #expect(Self.isInk(pair, 1, 4) && Self.isInk(pair, 5, 4) && !Self.isInk(pair, 6, 4) && Self.isInk(pair, 9, 1))
    #expect(!Self.isInk(pair, 7, 1) && !Self.isInk(pair, 8, 1) && !Self.isInk(pair, 10, 1))
    #expect(RasterFont.clipped("abcdef", to: 4) == "abc~" && RasterFont.clipped("abc", to: 4) == "abc")
  }

  @Test func textPNGsEqualTheIndependentRenderingPillowDecodes() throws {
    let fixture = try VizFixture.json("raster_font.json")
    #expect(fixture["glyphs"] as? Int == RasterFont.table.count)
    let cases = try #require(fixture["cases"] as? [[String: Any]])
    #expect(cases.count == 3)
    for entry in cases {
      let text = entry["text"] as! String
      var image = RasterImage(width: entry["width"] as! Int, height: entry["height"] as! Int)
      image.draw(
        text: text, x: entry["x"] as! Int, y: entry["y"] as! Int, color: Self.ink, scale: entry["scale"] as! Int,
        direction: entry["direction"] as! String == "upward" ? .upward : .rightward)
      let hex = entry["png_hex"] as! String
      let expected = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
        let start = hex.index(hex.startIndex, offsetBy: i)
        return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
      }
      var inkPixels = 0
      for y in 0..<image.height { for x in 0..<image.width where Self.isInk(image, x, y) { inkPixels += 1 } }
      #expect(inkPixels == entry["ink_pixels"] as? Int, "\(text)")
      #expect(image.png == expected, "\(text)")
    }
  }

  /// The region of `image` at (x, y) of `other`'s size equals `other` wherever `other` has ink.
  static func contains(_ image: RasterImage, _ other: RasterImage, atX x0: Int, y y0: Int) -> Bool {
    for y in 0..<other.height {
      for x in 0..<other.width where isInk(other, x, y) {
        guard x0 + x < image.width, y0 + y < image.height, isInk(image, x0 + x, y0 + y) else { return false }
      }
    }
    return true
  }

  @Test func heatMapLabelsSitBesideTheirRowsAndAboveTheirColumns() {
    let weights: [[Float]] = [[1, 0], [0.5, 0.5]]
    let plain = ModelPictures.attentionImage(weights: weights, cell: 16)
    let labelled = ModelPictures.attentionImage(
      weights: weights, queryTokens: ["<s>", "lung"], keyTokens: ["<s>", "lung"], title: "t", cell: 16)
    // Left margin grows by the longest query label + 4, the top by the title band (7 + 8) and
    // the longest key label + 4.
    let left = 8 + RasterFont.length(of: "lung") + 4
    let top = 8 + 15 + RasterFont.length(of: "lung") + 4
    #expect(labelled.width == plain.width + RasterFont.length(of: "lung") + 4)
    #expect(labelled.height == plain.height + 15 + RasterFont.length(of: "lung") + 4)
    #expect(labelled.pixel(x: left + 5, y: top + 5) == (0, 0, 255))  // weight 1 cell moved with the labels
    #expect(labelled.pixel(x: left + 16 + 5, y: top + 16 + 5) == ModelPictures.heatColor(0.5))
    func word(_ text: String, upward: Bool = false) -> RasterImage {
      let length = RasterFont.length(of: text)
      var image = upward ? RasterImage(width: 7, height: length) : RasterImage(width: length, height: 7)
      image.draw(text: text, x: 0, y: upward ? length : 0, color: Self.ink, direction: upward ? .upward : .rightward)
      return image
    }
    #expect(Self.contains(labelled, word("t"), atX: 8, y: 8))
    // Row 1 ("lung"): right-aligned 4 pixels before the grid, centred in the 16-pixel row.
    #expect(Self.contains(labelled, word("lung"), atX: left - 4 - RasterFont.length(of: "lung"), y: top + 16 + 5))
    #expect(Self.contains(labelled, word("<s>"), atX: left - 4 - RasterFont.length(of: "<s>"), y: top + 5))
    // Column 1: the upward label ends 4 pixels above the grid.
    #expect(
      Self.contains(
        labelled, word("lung", upward: true), atX: left + 16 + 5, y: top - 4 - RasterFont.length(of: "lung")))
    #expect(
      !Self.contains(labelled, word("lung", upward: true), atX: left + 5, y: top - 4 - RasterFont.length(of: "lung")))
  }

  @Test func scatterLabelsFollowTheirPoints() {
    let labelled = ModelPictures.scatterImage(
      points: [(0, 0), (1, 1)], labels: ["heart", "lung"], title: "PCA", size: 200)
    func word(_ text: String, scale: Int) -> RasterImage {
      var image = RasterImage(width: RasterFont.length(of: text, scale: scale), height: 7 * scale)
      image.draw(text: text, x: 0, y: 0, color: Self.ink, scale: scale)
      return image
    }
    // (1, 1) is drawn at (140, 60); its label (font pixels doubled) starts 7 pixels right,
    // centred on the point.
    #expect(Self.contains(labelled, word("lung", scale: 2), atX: 147, y: 53))
    #expect(!Self.contains(labelled, word("lung", scale: 2), atX: 67, y: 133))
    #expect(
      Self.contains(
        labelled, word("PC 1", scale: 2), atX: (200 - RasterFont.length(of: "PC 1", scale: 2)) / 2, y: 200 - 24))
    #expect(
      Self.contains(
        ModelPictures.scatterImage(points: [(0, 0), (1, 1)], labels: ["heart", "lung"], size: 200, textScale: 1),
        word("lung", scale: 1), atX: 147, y: 57))
    // Without labels or title: dots only.
    let plain = ModelPictures.scatterImage(points: [(0, 0), (1, 1)], size: 200)
    var inkPixels = 0
    for y in 0..<200 { for x in 0..<200 where Self.isInk(plain, x, y) { inkPixels += 1 } }
    #expect(inkPixels == 0)
  }
}

extension Int {
  /// Floor division (−1 / 3 = −1), so pixels left of or above a glyph map to negative indices.
  fileprivate func quotientAndRemainderFloor(_ divisor: Int) -> Int {
    let q = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
  }
}
