/// Walks the element headers of a DICOM data set (PS3.5 section 7) and records, for each
/// element, where its value lies, without decoding values. Sequences and items of undefined
/// length are followed to their delimiters; every length is checked against the buffer so a
/// truncated or corrupted file ends in `ImageError.truncated` / `.malformed`, never a trap.
struct DicomParser {
  let buffer: [UInt8]
  let file: String
  let explicitVR: Bool
  let littleEndian: Bool

  /// Nesting limit for sequences, so a corrupted file cannot recurse without bound.
  static let maximumDepth = 32
  static let undefinedLength = 0xFFFF_FFFF

  func u16(at offset: Int) throws -> Int {
    guard offset >= 0, offset + 2 <= buffer.count else { throw truncated("at byte \(offset)") }
    let a = Int(buffer[offset])
    let b = Int(buffer[offset + 1])
    return littleEndian ? a | b << 8 : a << 8 | b
  }

  func u32(at offset: Int) throws -> Int {
    guard offset >= 0, offset + 4 <= buffer.count else { throw truncated("at byte \(offset)") }
    let bytes = (0..<4).map { Int(buffer[offset + $0]) }
    return littleEndian
      ? bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24
      : bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]
  }

  func truncated(_ reason: String) -> ImageError { .truncated(file: file, reason: reason) }
  func malformed(_ reason: String) -> ImageError { .malformed(file: file, reason: reason) }

  /// The tag at `offset`.
  func tag(at offset: Int) throws -> DicomTag {
    DicomTag(UInt16(try u16(at: offset)), UInt16(try u16(at: offset + 2)))
  }

  /// Parses elements from `start` up to `end` (or, for an undefined-length item, up to its
  /// item delimiter); returns the data set and the offset after it.
  func parseDataSet(
    from start: Int, to end: Int, untilItemDelimiter: Bool = false, depth: Int = 0,
    stopAt stopTag: DicomTag? = nil
  ) throws -> (DicomDataSet, Int) {
    guard depth <= DicomParser.maximumDepth else {
      throw malformed("sequences nested deeper than \(DicomParser.maximumDepth)")
    }
    var elements: [DicomTag: DicomElement] = [:]
    var offset = start
    while offset < end {
      let tag = try tag(at: offset)
      if let stopTag, tag.group != stopTag.group { break }
      if tag == .itemDelimitation {
        guard untilItemDelimiter else { throw malformed("item delimiter outside an item at byte \(offset)") }
        return (dataSet(elements), offset + 8)
      }
      if tag == .sequenceDelimitation && !untilItemDelimiter && depth == 0 {
        // A stray delimiter after the data set (seen in real files): nothing follows it.
        break
      }
      let element = try parseElement(at: offset, depth: depth)
      elements[element.element.tag] = element.element
      offset = element.next
    }
    if untilItemDelimiter { throw truncated("item of undefined length has no delimiter") }
    return (dataSet(elements), offset)
  }

  func dataSet(_ elements: [DicomTag: DicomElement]) -> DicomDataSet {
    DicomDataSet(buffer: buffer, littleEndian: littleEndian, elements: elements, file: file)
  }

  /// One element header and its value extent (and, for sequences, its items).
  func parseElement(at offset: Int, depth: Int) throws -> (element: DicomElement, next: Int) {
    let tag = try tag(at: offset)
    var vr: DicomVR
    var length: Int
    var valueOffset: Int
    if explicitVR && tag.group != 0xFFFE {
      guard offset + 6 <= buffer.count else { throw truncated("element \(tag) header at byte \(offset)") }
      guard let code = DicomVR(bytes: buffer[offset + 4], buffer[offset + 5]) else {
        throw malformed("element \(tag) at byte \(offset) has no valid VR")
      }
      vr = code
      if vr.hasLongLength {
        length = try u32(at: offset + 8)
        valueOffset = offset + 12
      } else {
        length = try u16(at: offset + 6)
        valueOffset = offset + 8
      }
    } else {
      vr = DicomVR.implicit(for: tag)
      length = try u32(at: offset + 4)
      valueOffset = offset + 8
    }
    let undefined = length == DicomParser.undefinedLength
    if undefined {
      if tag == .pixelData {
        let (fragments, next) = try parseFragments(from: valueOffset)
        return (
          DicomElement(
            tag: tag, vr: vr, offset: valueOffset, length: next - valueOffset, undefinedLength: true, items: [],
            fragments: fragments), next
        )
      }
      // Undefined length means a sequence; UN sequences are implicit VR little endian (PS3.5 6.2.2).
      let nested = vr == .un || !explicitVR ? implicitLittleEndian : self
      let (items, next) = try nested.parseItems(from: valueOffset, to: nil, depth: depth + 1)
      return (
        DicomElement(
          tag: tag, vr: .sq, offset: valueOffset, length: next - valueOffset, undefinedLength: true, items: items,
          fragments: []), next
      )
    }
    guard valueOffset + length <= buffer.count else {
      throw truncated("element \(tag) needs \(length) bytes at byte \(valueOffset), file has \(buffer.count)")
    }
    var items: [DicomDataSet] = []
    if vr == .sq || (vr == .un && DicomTag.knownSequences.contains(tag)) {
      let nested = vr == .un ? implicitLittleEndian : self
      items = try nested.parseItems(from: valueOffset, to: valueOffset + length, depth: depth + 1).0
      vr = .sq
    }
    return (
      DicomElement(
        tag: tag, vr: vr, offset: valueOffset, length: length, undefinedLength: false, items: items, fragments: []),
      valueOffset + length
    )
  }

  var implicitLittleEndian: DicomParser {
    DicomParser(buffer: buffer, file: file, explicitVR: false, littleEndian: true)
  }

  /// Items of a sequence from `start`, up to `end` or (undefined length) the sequence delimiter.
  func parseItems(from start: Int, to end: Int?, depth: Int) throws -> ([DicomDataSet], Int) {
    guard depth <= DicomParser.maximumDepth else {
      throw malformed("sequences nested deeper than \(DicomParser.maximumDepth)")
    }
    var items: [DicomDataSet] = []
    var offset = start
    while end.map({ offset < $0 }) ?? true {
      let tag = try tag(at: offset)
      let length = try u32(at: offset + 4)
      if tag == .sequenceDelimitation {
        guard end == nil else {
          throw malformed("sequence delimiter in a sequence of defined length at byte \(offset)")
        }
        return (items, offset + 8)
      }
      guard tag == .item else { throw malformed("expected a sequence item at byte \(offset), found \(tag)") }
      if length == DicomParser.undefinedLength {
        let (item, next) = try parseDataSet(
          from: offset + 8, to: buffer.count, untilItemDelimiter: true, depth: depth)
        items.append(item)
        offset = next
      } else {
        let itemEnd = offset + 8 + length
        guard itemEnd <= (end ?? buffer.count) else {
          throw truncated("sequence item at byte \(offset) overruns its sequence")
        }
        items.append(try parseDataSet(from: offset + 8, to: itemEnd, depth: depth).0)
        offset = itemEnd
      }
    }
    if end == nil { throw truncated("sequence of undefined length has no delimiter") }
    return (items, offset)
  }

  /// Fragments of encapsulated pixel data (PS3.5 A.4): items up to the sequence delimiter,
  /// the first being the basic offset table.
  func parseFragments(from start: Int) throws -> ([Range<Int>], Int) {
    var fragments: [Range<Int>] = []
    var offset = start
    while true {
      let tag = try tag(at: offset)
      let length = try u32(at: offset + 4)
      if tag == .sequenceDelimitation { return (fragments, offset + 8) }
      guard tag == .item, length != DicomParser.undefinedLength else {
        throw malformed("expected a pixel data fragment at byte \(offset), found \(tag)")
      }
      guard offset + 8 + length <= buffer.count else { throw truncated("pixel data fragment at byte \(offset)") }
      fragments.append((offset + 8)..<(offset + 8 + length))
      offset += 8 + length
    }
  }
}
