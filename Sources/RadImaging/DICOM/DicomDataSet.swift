import Foundation

/// One element of a DICOM data set, kept lazily as pydicom does: its tag, VR and where its
/// value lies in the file's bytes, decoded only when asked. Sequences keep their items (each a
/// nested data set); encapsulated pixel data keeps its fragments.
public struct DicomElement: Sendable {
  public let tag: DicomTag
  public let vr: DicomVR
  /// Start of the value in the data set's byte buffer.
  public let offset: Int
  /// Value length in bytes (for undefined-length elements, the length up to the delimiter).
  public let length: Int
  /// Whether the header gave the undefined length 0xFFFFFFFF.
  public let undefinedLength: Bool
  /// Items of a sequence (empty for other VRs).
  public let items: [DicomDataSet]
  /// Fragments of encapsulated pixel data as (offset, length), the basic offset table first.
  public let fragments: [Range<Int>]
}

/// A DICOM data set: elements by tag over a shared byte buffer, with the byte order they were
/// written in. Accessors decode values on demand and return nil for absent or empty elements;
/// typed errors name the attribute when a present value cannot be read.
public struct DicomDataSet: Sendable {
  /// The bytes the element offsets refer to (the inflated stream for deflated files).
  public let buffer: [UInt8]
  /// Whether numbers are little endian.
  public let littleEndian: Bool
  /// The elements by tag.
  public let elements: [DicomTag: DicomElement]
  /// The file name used in errors.
  public let file: String

  /// The element for `tag`, if present.
  public subscript(tag: DicomTag) -> DicomElement? { elements[tag] }

  /// Whether `tag` is present.
  public func contains(_ tag: DicomTag) -> Bool { elements[tag] != nil }

  /// The raw value bytes of `tag`.
  public func bytes(_ tag: DicomTag) -> ArraySlice<UInt8>? {
    guard let element = elements[tag] else { return nil }
    return buffer[element.offset..<(element.offset + element.length)]
  }

  /// The text values of `tag` (split at backslashes, padding removed), for string VRs.
  public func strings(_ tag: DicomTag) -> [String]? {
    guard let raw = bytes(tag), !raw.isEmpty else { return nil }
    let text = String(decoding: raw, as: UTF8.self)
    return text.split(separator: "\\", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
    }
  }

  /// The first text value of `tag`.
  public func string(_ tag: DicomTag) -> String? {
    guard let first = strings(tag)?.first, !first.isEmpty else { return nil }
    return first
  }

  /// The numeric values of `tag`: binary VRs (US, SS, UL, SL, FL, FD, OW as 16-bit words) are
  /// decoded in the data set's byte order, decimal and integer strings (DS, IS) are parsed.
  public func numbers(_ tag: DicomTag) throws -> [Double]? {
    guard let element = elements[tag], element.length > 0 else { return nil }
    let start = element.offset
    let end = start + element.length
    func words(_ size: Int) -> [UInt64] {
      stride(from: start, through: end - size, by: size).map { readUnsigned(at: $0, size: size) }
    }
    func signed(_ value: UInt64, _ size: Int) -> Double {
      let shift = UInt64(64 - size * 8)
      return Double(Int64(bitPattern: value << shift) >> Int64(shift))
    }
    switch element.vr.code {
    case "US", "OW": return words(2).map { Double($0) }
    case "SS": return words(2).map { signed($0, 2) }
    case "UL": return words(4).map { Double($0) }
    case "SL": return words(4).map { signed($0, 4) }
    case "FL", "OF": return words(4).map { Double(Float(bitPattern: UInt32($0))) }
    case "FD", "OD": return words(8).map { Double(bitPattern: $0) }
    case "UN" where tag == .lutDescriptor || tag == .lutData: return words(2).map { Double($0) }
    default:
      guard let texts = strings(tag) else { return nil }
      return try texts.filter { !$0.isEmpty }.map { text in
        guard let value = Double(text) else {
          throw ImageError.malformed(file: file, reason: "\(tag) value '\(text)' is not a number")
        }
        return value
      }
    }
  }

  /// The unsigned integer of `size` bytes at `offset`, in the data set's byte order.
  func readUnsigned(at offset: Int, size: Int) -> UInt64 {
    var value: UInt64 = 0
    for i in 0..<size {
      value = value << 8 | UInt64(buffer[littleEndian ? offset + size - 1 - i : offset + i])
    }
    return value
  }

  /// The first numeric value of `tag`.
  public func number(_ tag: DicomTag) throws -> Double? { try numbers(tag)?.first }

  /// The first value of `tag` as an integer; throws when it is not a whole number.
  public func integer(_ tag: DicomTag) throws -> Int? {
    guard let value = try number(tag) else { return nil }
    guard value.rounded() == value, abs(value) < 1e15 else {
      throw ImageError.malformed(file: file, reason: "\(tag) value \(value) is not an integer")
    }
    return Int(value)
  }

  /// Every value of `tag` as an integer; throws naming the attribute when one is not a whole
  /// number in ±2^53 (a corrupted VR can make any bytes look like a huge float).
  public func integers(_ tag: DicomTag) throws -> [Int]? {
    try numbers(tag)?.map { value in
      guard value.rounded() == value, abs(value) < 0x1p53 else {
        throw ImageError.malformed(file: file, reason: "\(tag) value \(value) is not an integer")
      }
      return Int(value)
    }
  }

  /// The items of sequence `tag` (empty when absent).
  public func sequence(_ tag: DicomTag) -> [DicomDataSet] { elements[tag]?.items ?? [] }
}
