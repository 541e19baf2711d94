/// Turns a data set's pixel data into `DicomPixels` the way pydicom's `pixel_array` does:
/// native samples of 1 to 64 bits in either byte order (8-bit OW in big endian swapped back),
/// RLE Lossless frames (PS3.5 Annex G), unused high bits cleared or sign-extended from Bits
/// Stored, planar configuration 1 made interleaved, YBR_FULL_422 expanded and YBR_FULL(_422)
/// converted to RGB with pydicom's rounding.
enum DicomPixelDecoder {
  static func decode(_ dataSet: DicomDataSet, syntax: DicomTransferSyntax) throws -> DicomPixels {
    let file = dataSet.file
    var layout = try DicomPixelLayout(dataSet)
    guard let element = dataSet[layout.pixelTag] else {
      throw ImageError.malformed(file: file, reason: "no Pixel Data (7FE0,0010)")
    }
    var values: [Double]
    switch syntax.pixelEncoding {
    case .undecodable:
      throw ImageError.unsupported(
        file: file, reason: "transfer syntax \(syntax.name) (\(syntax.uid)) is not decoded by RadLM")
    case .native:
      guard !element.undefinedLength else {
        throw ImageError.malformed(
          file: file, reason: "encapsulated pixel data in native transfer syntax \(syntax.name)")
      }
      values = try decodeNative(
        dataSet.buffer[element.offset..<(element.offset + element.length)], layout: &layout,
        littleEndian: dataSet.littleEndian, vr: element.vr, file: file)
    case .rle:
      guard element.undefinedLength else {
        throw ImageError.malformed(file: file, reason: "RLE Lossless pixel data is not encapsulated")
      }
      values = try decodeRLE(dataSet.buffer, fragments: element.fragments, layout: layout, file: file)
    }
    if layout.samples > 1 && layout.planarConfiguration == 1 && syntax.pixelEncoding == .native {
      values = interleave(values, layout: layout)
    }
    var photometric = layout.photometric
    if photometric == "YBR_FULL" || photometric == "YBR_FULL_422" {
      guard layout.bitsAllocated == 8, layout.samples == 3 else {
        throw ImageError.unsupported(file: file, reason: "\(photometric) with \(layout.bitsAllocated)-bit samples")
      }
      convertYBRToRGB(&values)
      photometric = "RGB"
    }
    return DicomPixels(
      frames: layout.frames, rows: layout.rows, columns: layout.columns, samples: layout.samples,
      values: values, isInteger: layout.pixelTag == .pixelData, photometric: photometric)
  }

  // MARK: Native

  static func decodeNative(
    _ data: ArraySlice<UInt8>, layout: inout DicomPixelLayout, littleEndian: Bool, vr: DicomVR, file: String
  ) throws -> [Double] {
    let perFrame = layout.samplesPerFrame
    let isYBR422 = layout.photometric == "YBR_FULL_422"
    if isYBR422 && layout.bitsAllocated != 8 {
      throw ImageError.unsupported(file: file, reason: "YBR_FULL_422 with \(layout.bitsAllocated)-bit samples")
    }
    // Bytes per frame; 1-bit frames are packed without padding, so they may end mid-byte.
    let frameBits = perFrame * layout.bitsAllocated / (isYBR422 ? 3 : 1) * (isYBR422 ? 2 : 1)
    var expectedBits = frameBits * layout.frames
    var expected = (expectedBits + 7) / 8
    let padded = expected + expected % 2
    if data.count < padded && data.count != expected {
      throw ImageError.truncated(
        file: file, reason: "pixel data has \(data.count) bytes, the image needs \(padded)")
    }
    if data.count > padded && !isYBR422 && frameBits % 8 == 0 {
      // pydicom reads the extra whole frames a too-small Number of Frames leaves out.
      let whole = data.count / (frameBits / 8)
      if whole > layout.frames {
        layout.frames = whole
        expectedBits = frameBits * whole
        expected = expectedBits / 8
      }
    }
    var bytes = data
    if !littleEndian && layout.bitsAllocated == 8 && vr == .ow {
      // 8-bit samples written as 16-bit words in big endian: swap each pair back.
      var swapped = [UInt8](data)
      if swapped.count % 2 == 1 { swapped.append(0) }
      for i in stride(from: 0, to: swapped.count - 1, by: 2) { swapped.swapAt(i, i + 1) }
      bytes = swapped[...]
    }
    if layout.bitsAllocated == 1 {
      let count = expectedBits
      var out = [Double](repeating: 0, count: count)
      bytes.withUnsafeBufferPointer { raw in
        for i in 0..<count { out[i] = Double((raw[i >> 3] >> UInt8(i & 7)) & 1) }
      }
      return out
    }
    let sampleCount = isYBR422 ? perFrame / 3 * 2 * layout.frames : perFrame * layout.frames
    var out: [Double]
    if layout.pixelTag == .floatPixelData || layout.pixelTag == .doubleFloatPixelData {
      out = readFloats(
        bytes, count: sampleCount, double: layout.pixelTag == .doubleFloatPixelData, littleEndian: littleEndian)
    } else {
      out = readIntegers(
        bytes, count: sampleCount, bytesPerSample: layout.bitsAllocated / 8, littleEndian: littleEndian,
        signed: layout.signed, bitsStored: layout.bitsStored)
    }
    if isYBR422 { out = expandYBR422(out) }
    return out
  }

  /// `count` integers of `bytesPerSample` bytes from `bytes`, sign-extended or masked from
  /// `bitsStored` bits (pydicom's left-then-right shift in the array's own integer type).
  static func readIntegers(
    _ bytes: ArraySlice<UInt8>, count: Int, bytesPerSample: Int, littleEndian: Bool, signed: Bool, bitsStored: Int
  ) -> [Double] {
    let bits = bytesPerSample * 8
    let shift = bits - bitsStored
    // Uninitialised storage: every element is written below (no zero-fill pass over the output).
    return [Double](unsafeUninitializedCapacity: count) { dst, initialized in
      bytes.withUnsafeBytes { raw in
        func run<T: FixedWidthInteger>(_ type: T.Type) {
          let s = T(truncatingIfNeeded: shift)
          for i in 0..<count {
            let word = raw.loadUnaligned(fromByteOffset: i * bytesPerSample, as: T.self)
            // Shifting left then right in the sample's own type masks (unsigned) or
            // sign-extends (signed) from Bits Stored, as pydicom does.
            dst[i] = Double(((littleEndian ? T(littleEndian: word) : T(bigEndian: word)) &<< s) &>> s)
          }
        }
        switch (bytesPerSample, signed) {
        case (1, false): run(UInt8.self)
        case (1, true): run(Int8.self)
        case (2, false): run(UInt16.self)
        case (2, true): run(Int16.self)
        case (4, false): run(UInt32.self)
        case (4, true): run(Int32.self)
        case (_, false): run(UInt64.self)
        case (_, true): run(Int64.self)
        }
      }
      initialized = count
    }
  }

  static func readFloats(_ bytes: ArraySlice<UInt8>, count: Int, double: Bool, littleEndian: Bool) -> [Double] {
    var out = [Double](repeating: 0, count: count)
    bytes.withUnsafeBytes { raw in
      for i in 0..<count {
        if double {
          let word = raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
          out[i] = Double(bitPattern: littleEndian ? UInt64(littleEndian: word) : UInt64(bigEndian: word))
        } else {
          let word = raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
          out[i] = Double(Float(bitPattern: littleEndian ? UInt32(littleEndian: word) : UInt32(bigEndian: word)))
        }
      }
    }
    return out
  }

  /// YBR_FULL_422 native samples Y1 Y2 Cb Cr → Y1 Cb Cr Y2 Cb Cr (PS3.3 C.7.6.3.1.2).
  static func expandYBR422(_ values: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: values.count / 2 * 3)
    for group in 0..<(values.count / 4) {
      let y1 = values[4 * group]
      let y2 = values[4 * group + 1]
      let cb = values[4 * group + 2]
      let cr = values[4 * group + 3]
      out.replaceSubrange((6 * group)..<(6 * group + 6), with: [y1, cb, cr, y2, cb, cr])
    }
    return out
  }

  /// Planar configuration 1 (all red, then all green, then all blue, per frame) → interleaved.
  static func interleave(_ values: [Double], layout: DicomPixelLayout) -> [Double] {
    var out = [Double](repeating: 0, count: values.count)
    let plane = layout.rows * layout.columns
    let frameSize = plane * layout.samples
    for frame in 0..<(values.count / frameSize) {
      let base = frame * frameSize
      for s in 0..<layout.samples {
        for p in 0..<plane { out[base + p * layout.samples + s] = values[base + s * plane + p] }
      }
    }
    return out
  }

  /// YBR_FULL → RGB in Float32 with pydicom's matrix and round-half-up, clipped to 0...255.
  static func convertYBRToRGB(_ values: inout [Double]) {
    let crToR = Float(1.402)
    let cbToG = Float(-0.114 * 1.772 / 0.587)
    let crToG = Float(-0.299 * 1.402 / 0.587)
    let cbToB = Float(1.772)
    for i in stride(from: 0, to: values.count - 2, by: 3) {
      let y = Float(values[i])
      let cb = Float(values[i + 1]) - 128
      let cr = Float(values[i + 2]) - 128
      let r = y + cb * 0 + cr * crToR
      let g = y + cb * cbToG + cr * crToG
      let b = y + cb * cbToB + cr * 0
      values[i] = Double(min(max((r + 0.5).rounded(.down), 0), 255))
      values[i + 1] = Double(min(max((g + 0.5).rounded(.down), 0), 255))
      values[i + 2] = Double(min(max((b + 0.5).rounded(.down), 0), 255))
    }
  }

  // MARK: RLE Lossless

  /// The frames of RLE Lossless pixel data, interleaved.
  static func decodeRLE(_ buffer: [UInt8], fragments: [Range<Int>], layout: DicomPixelLayout, file: String) throws
    -> [Double]
  {
    guard let table = fragments.first else {
      throw ImageError.malformed(file: file, reason: "RLE pixel data has no basic offset table item")
    }
    let data = Array(fragments.dropFirst())
    var frames: [[UInt8]] = []
    if layout.frames == 1 {
      frames = [data.flatMap { buffer[$0] }]
    } else if data.count == layout.frames {
      frames = data.map { Array(buffer[$0]) }
    } else if !table.isEmpty {
      // Offsets in the basic offset table count bytes of items (headers included).
      let offsets = stride(from: table.lowerBound, to: table.upperBound - 3, by: 4).map {
        Int(buffer[$0]) | Int(buffer[$0 + 1]) << 8 | Int(buffer[$0 + 2]) << 16 | Int(buffer[$0 + 3]) << 24
      }
      var starts: [Int] = []
      var position = 0
      for fragment in data {
        starts.append(position)
        position += fragment.count + 8
      }
      for (index, offset) in offsets.enumerated() {
        let next = index + 1 < offsets.count ? offsets[index + 1] : Int.max
        frames.append(zip(starts, data).filter { $0.0 >= offset && $0.0 < next }.flatMap { buffer[$0.1] })
      }
    } else {
      throw ImageError.malformed(
        file: file, reason: "\(data.count) RLE fragments for \(layout.frames) frames and no offset table")
    }
    guard frames.count >= layout.frames else {
      throw ImageError.truncated(file: file, reason: "\(frames.count) RLE frames, Number of Frames is \(layout.frames)")
    }
    guard layout.bitsAllocated % 8 == 0 else {
      throw ImageError.unsupported(file: file, reason: "RLE with Bits Allocated \(layout.bitsAllocated)")
    }
    let bytesPerSample = layout.bitsAllocated / 8
    let plane = layout.rows * layout.columns
    var out: [Double] = []
    out.reserveCapacity(layout.samplesPerFrame * layout.frames)
    for frame in frames.prefix(layout.frames) {
      let segments = try rleSegments(frame, expected: layout.samples * bytesPerSample, length: plane, file: file)
      // Reassemble each sample's bytes (most significant segment first) in file byte order.
      var raw = [UInt8](repeating: 0, count: plane * layout.samples * bytesPerSample)
      for p in 0..<plane {
        for s in 0..<layout.samples {
          for k in 0..<bytesPerSample {
            raw[(p * layout.samples + s) * bytesPerSample + k] = segments[s * bytesPerSample + k][p]
          }
        }
      }
      out += readIntegers(
        raw[...], count: plane * layout.samples, bytesPerSample: bytesPerSample, littleEndian: false,
        signed: layout.signed, bitsStored: layout.bitsStored)
    }
    return out
  }

  /// The decoded segments of one RLE frame, each exactly `length` bytes.
  static func rleSegments(_ frame: [UInt8], expected: Int, length: Int, file: String) throws -> [[UInt8]] {
    guard frame.count >= 64 else { throw ImageError.truncated(file: file, reason: "RLE frame header") }
    func u32(_ at: Int) -> Int {
      Int(frame[at]) | Int(frame[at + 1]) << 8 | Int(frame[at + 2]) << 16 | Int(frame[at + 3]) << 24
    }
    let count = u32(0)
    guard count == expected else {
      throw ImageError.malformed(file: file, reason: "RLE frame has \(count) segments, expected \(expected)")
    }
    let offsets = (0..<count).map { u32(4 + 4 * $0) }
    return try (0..<count).map { index in
      let start = offsets[index]
      let end = index + 1 < count ? offsets[index + 1] : frame.count
      guard start >= 64, start <= end, end <= frame.count else {
        throw ImageError.malformed(file: file, reason: "RLE segment \(index) offset \(start) is out of range")
      }
      // A run byte pair expands to at most 128 bytes, so a short segment cannot fill `length`.
      guard length <= 128 * (end - start) else {
        throw ImageError.truncated(file: file, reason: "RLE segment \(index) is too short for \(length) bytes")
      }
      var out: [UInt8] = []
      out.reserveCapacity(length)
      var i = start
      while i < end && out.count < length {
        let header = Int(Int8(bitPattern: frame[i]))
        i += 1
        if header >= 0 {
          let n = header + 1
          guard i + n <= end else {
            throw ImageError.truncated(file: file, reason: "RLE literal run in segment \(index)")
          }
          out += frame[i..<(i + n)]
          i += n
        } else if header != -128 {
          guard i < end else { throw ImageError.truncated(file: file, reason: "RLE repeat run in segment \(index)") }
          out += repeatElement(frame[i], count: 1 - header)
          i += 1
        }
      }
      guard out.count >= length else {
        throw ImageError.truncated(
          file: file, reason: "RLE segment \(index) decodes to \(out.count) of \(length) bytes")
      }
      return Array(out.prefix(length))
    }
  }
}
