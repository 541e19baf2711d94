/// RadLM's own 5×7 pixel font for the labels of the PNG pictures: one glyph per printable ASCII
/// character (space to tilde), drawn in 6×8 cells so neighbours keep a one-pixel gap; any other
/// character is drawn as the hollow box `fallback`. Glyphs are rows of `#` (ink) and `.`, top row
/// first, leftmost pixel first, so the table can be read (and checked) as text.
public enum RasterFont {
  public static let glyphWidth = 5
  public static let glyphHeight = 7
  /// Horizontal distance between the left edges of neighbouring glyphs (at scale 1).
  public static let advance = 6

  /// The glyph for any character outside printable ASCII.
  public static let fallback = "##### #...# #...# #...# #...# #...# #####"

  /// Glyphs of U+0020 … U+007E in order, seven space-separated rows of five pixels each.
  public static let table: [String] = [
    "..... ..... ..... ..... ..... ..... .....",  // space
    "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..",  // !
    ".#.#. .#.#. ..... ..... ..... ..... .....",  // "
    ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",  // #
    "..#.. .#### #.#.. .###. ..#.# ####. ..#..",  // $
    "##... ##..# ...#. ..#.. .#... #..## ...##",  // %
    ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",  // &
    "..#.. ..#.. ..... ..... ..... ..... .....",  // '
    "...#. ..#.. .#... .#... .#... ..#.. ...#.",  // (
    ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",  // )
    "..... ..#.. #.#.# .###. #.#.# ..#.. .....",  // *
    "..... ..#.. ..#.. ##### ..#.. ..#.. .....",  // +
    "..... ..... ..... ..... .##.. ..#.. .#...",  // ,
    "..... ..... ..... ##### ..... ..... .....",  // -
    "..... ..... ..... ..... ..... .##.. .##..",  // .
    "..... ....# ...#. ..#.. .#... #.... .....",  // /
    ".###. #...# #..## #.#.# ##..# #...# .###.",  // 0
    "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",  // 1
    ".###. #...# ....# ...#. ..#.. .#... #####",  // 2
    "##### ...#. ..#.. ...#. ....# #...# .###.",  // 3
    "...#. ..##. .#.#. #..#. ##### ...#. ...#.",  // 4
    "##### #.... ####. ....# ....# #...# .###.",  // 5
    "..##. .#... #.... ####. #...# #...# .###.",  // 6
    "##### ....# ...#. ..#.. .#... .#... .#...",  // 7
    ".###. #...# #...# .###. #...# #...# .###.",  // 8
    ".###. #...# #...# .#### ....# ...#. .##..",  // 9
    "..... .##.. .##.. ..... .##.. .##.. .....",  // :
    "..... .##.. .##.. ..... .##.. ..#.. .#...",  // ;
    "...#. ..#.. .#... #.... .#... ..#.. ...#.",  // <
    "..... ..... ##### ..... ##### ..... .....",  // =
    ".#... ..#.. ...#. ....# ...#. ..#.. .#...",  // >
    ".###. #...# ....# ...#. ..#.. ..... ..#..",  // ?
    ".###. #...# ....# .##.# #.#.# #.#.# .###.",  // @
    ".###. #...# #...# ##### #...# #...# #...#",  // A
    "####. #...# #...# ####. #...# #...# ####.",  // B
    ".###. #...# #.... #.... #.... #...# .###.",  // C
    "###.. #..#. #...# #...# #...# #..#. ###..",  // D
    "##### #.... #.... ####. #.... #.... #####",  // E
    "##### #.... #.... ####. #.... #.... #....",  // F
    ".###. #...# #.... #.### #...# #...# .####",  // G
    "#...# #...# #...# ##### #...# #...# #...#",  // H
    ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // I
    "..### ...#. ...#. ...#. ...#. #..#. .##..",  // J
    "#...# #..#. #.#.. ##... #.#.. #..#. #...#",  // K
    "#.... #.... #.... #.... #.... #.... #####",  // L
    "#...# ##.## #.#.# #.#.# #...# #...# #...#",  // M
    "#...# #...# ##..# #.#.# #..## #...# #...#",  // N
    ".###. #...# #...# #...# #...# #...# .###.",  // O
    "####. #...# #...# ####. #.... #.... #....",  // P
    ".###. #...# #...# #...# #.#.# #..#. .##.#",  // Q
    "####. #...# #...# ####. #.#.. #..#. #...#",  // R
    ".#### #.... #.... .###. ....# ....# ####.",  // S
    "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // T
    "#...# #...# #...# #...# #...# #...# .###.",  // U
    "#...# #...# #...# #...# #...# .#.#. ..#..",  // V
    "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",  // W
    "#...# #...# .#.#. ..#.. .#.#. #...# #...#",  // X
    "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",  // Y
    "##### ....# ...#. ..#.. .#... #.... #####",  // Z
    ".###. .#... .#... .#... .#... .#... .###.",  // [
    "..... #.... .#... ..#.. ...#. ....# .....",  // backslash
    ".###. ...#. ...#. ...#. ...#. ...#. .###.",  // ]
    "..#.. .#.#. #...# ..... ..... ..... .....",  // ^
    "..... ..... ..... ..... ..... ..... #####",  // _
    ".#... ..#.. ..... ..... ..... ..... .....",  // `
    "..... ..... .###. ....# .#### #...# .####",  // a
    "#.... #.... #.##. ##..# #...# #...# ####.",  // b
    "..... ..... .###. #.... #.... #...# .###.",  // c
    "....# ....# .##.# #..## #...# #...# .####",  // d
    "..... ..... .###. #...# ##### #.... .###.",  // e
    "..##. .#..# .#... ###.. .#... .#... .#...",  // f
    "..... .#### #...# #...# .#### ....# .###.",  // g
    "#.... #.... #.##. ##..# #...# #...# #...#",  // h
    "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.",  // i
    "...#. ..... ..##. ...#. ...#. #..#. .##..",  // j
    "#.... #.... #..#. #.#.. ##... #.#.. #..#.",  // k
    ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",  // l
    "..... ..... ##.#. #.#.# #.#.# #...# #...#",  // m
    "..... ..... #.##. ##..# #...# #...# #...#",  // n
    "..... ..... .###. #...# #...# #...# .###.",  // o
    "..... ..... ####. #...# ####. #.... #....",  // p
    "..... ..... .##.# #..## .#### ....# ....#",  // q
    "..... ..... #.##. ##..# #.... #.... #....",  // r
    "..... ..... .###. #.... .###. ....# ####.",  // s
    ".#... .#... ###.. .#... .#... .#..# ..##.",  // t
    "..... ..... #...# #...# #...# #..## .##.#",  // u
    "..... ..... #...# #...# #...# .#.#. ..#..",  // v
    "..... ..... #...# #...# #.#.# #.#.# .#.#.",  // w
    "..... ..... #...# .#.#. ..#.. .#.#. #...#",  // x
    "..... ..... #...# #...# .#### ....# .###.",  // y
    "..... ..... ##### ...#. ..#.. .#... #####",  // z
    "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.",  // {
    "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",  // |
    ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...",  // }
    "..... ..... .#... #.#.# ...#. ..... .....",  // ~
  ]

  /// Decoded glyphs: 7 rows of 5 booleans (true = ink), table order, then the fallback.
  static let bitmaps: [[[Bool]]] = (table + [fallback]).map { glyph in
    glyph.split(separator: " ").map { row in row.map { $0 == "#" } }
  }

  /// The pixels of `character`'s glyph: `glyphHeight` rows of `glyphWidth` booleans (true = ink).
  public static func glyph(for character: Character) -> [[Bool]] {
    bitmaps[index(of: character)]
  }

  /// Row in `bitmaps`: printable ASCII by code, everything else (including multi-scalar
  /// characters such as "é" written as e + combining accent) the fallback.
  static func index(of character: Character) -> Int {
    guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first,
      scalar.value >= 0x20 && scalar.value <= 0x7E
    else { return table.count }
    return Int(scalar.value) - 0x20
  }

  /// Pixel length of `text` along its direction: glyphs plus the gaps between them.
  public static func length(of text: String, scale: Int = 1) -> Int {
    text.isEmpty ? 0 : (text.count * advance - (advance - glyphWidth)) * scale
  }

  /// `text` cut to at most `limit` characters, ending in "~" when something was cut.
  public static func clipped(_ text: String, to limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(max(limit - 1, 0))) + "~"
  }
}

extension RasterImage {
  /// Which way text runs: left to right, or bottom to top (turned a quarter counter-clockwise,
  /// glyph tops facing left, as SVG's rotate(-90) labels read).
  public enum TextDirection: Sendable {
    case rightward, upward
  }

  /// Draws `text` in `RasterFont`, each font pixel a `scale`×`scale` square. Rightward text
  /// has its first glyph's top-left pixel at (x, y); upward text climbs from row y − 1 (its
  /// first glyph's pixels lie in rows above y, from column x). Pixels off the canvas are skipped.
  public mutating func draw(
    text: String, x: Int, y: Int, color: (UInt8, UInt8, UInt8), scale: Int = 1, direction: TextDirection = .rightward
  ) {
    for (i, character) in text.enumerated() {
      let bitmap = RasterFont.glyph(for: character)
      let offset = i * RasterFont.advance * scale
      for (row, bits) in bitmap.enumerated() {
        for (column, ink) in bits.enumerated() where ink {
          switch direction {
          case .rightward:
            fill(x: x + offset + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
          case .upward:
            // Glyph row r becomes column x + r; glyph column c rises to y − c (bottom edge at y).
            fill(x: x + row * scale, y: y - offset - (column + 1) * scale, width: scale, height: scale, color: color)
          }
        }
      }
    }
  }
}
