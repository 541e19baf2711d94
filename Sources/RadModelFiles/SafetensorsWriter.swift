import Foundation
import RadTensor

/// Writes named tensors as a safetensors file: a JSON header (tensors sorted by name, optional
/// `__metadata__`, padded with spaces to a multiple of 8 bytes so the data is aligned) followed by
/// the little-endian values. The file appears atomically: it is written to a temporary file in
/// the same folder and renamed over the target, so a crash never leaves half a checkpoint.
public enum SafetensorsWriter {
  /// Element types the writer can store.
  public enum StoredType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
  }

  /// Writes `tensors` to `url`, converting values to `dtype` (round to nearest even).
  public static func write(
    _ tensors: [String: Tensor], metadata: [String: String]? = nil, dtype: StoredType = .f32,
    to url: URL
  ) throws {
    let sorted = tensors.sorted(by: { $0.key < $1.key })
    let elementSize = dtype == .f32 ? 4 : 2
    var header = "{"
    var entries: [String] = []
    if let metadata {
      let pairs = metadata.sorted(by: { $0.key < $1.key }).map {
        "\(GGUFValue.quoted($0.key)):\(GGUFValue.quoted($0.value))"
      }
      entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, t) in sorted {
      let bytes = t.data.count * elementSize
      let shape = t.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(GGUFValue.quoted(name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + bytes)]}"
      )
      offset += bytes
    }
    header += entries.joined(separator: ",") + "}"
    var headerBytes = Array(header.utf8)
    while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }

    var out = [UInt8]()
    out.reserveCapacity(8 + headerBytes.count + offset)
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
    out.append(contentsOf: headerBytes)
    for (_, t) in sorted {
      let values = t.data
      switch dtype {
      case .f32:
        values.withUnsafeBytes { out.append(contentsOf: $0) }
      case .f16:
        for v in values {
          withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { out.append(contentsOf: $0) }
        }
      case .bf16:
        for v in values {
          withUnsafeBytes(of: bfloat16Bits(v).littleEndian) { out.append(contentsOf: $0) }
        }
      }
    }
    try AtomicFile.write(out, to: url)
  }

  /// F32 to bfloat16 bits, rounding to nearest even (NaN stays a quiet NaN).
  static func bfloat16Bits(_ v: Float) -> UInt16 {
    if v.isNaN { return 0x7FC0 }
    let bits = v.bitPattern
    let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
    return UInt16(rounded >> 16)
  }
}
