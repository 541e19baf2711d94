import Foundation

/// The model at the heart of a tokenizer pipeline.
public enum TokenizerModel: Sendable {
  case bpe(BPEModel)
  case wordPiece(WordPieceModel)

  public var vocabularySize: Int {
    switch self {
    case .bpe(let m): return m.vocabularySize
    case .wordPiece(let m): return m.idToToken.count
    }
  }

  func token(_ id: Int32) -> String? {
    let i = Int(id)
    switch self {
    case .bpe(let m): return i >= 0 && i < m.idToToken.count ? m.idToToken[i] : nil
    case .wordPiece(let m): return i >= 0 && i < m.idToToken.count ? m.idToToken[i] : nil
    }
  }

  func id(_ token: String) -> Int32? {
    switch self {
    case .bpe(let m): return m.id(of: token)
    case .wordPiece(let m): return m.tokens.lookup(token)
    }
  }
}

/// How inputs longer than a model accepts are cut (Hugging Face `truncation`).
public struct TruncationSettings: Sendable, Equatable {
  public enum Strategy: String, Sendable {
    case longestFirst = "LongestFirst", onlyFirst = "OnlyFirst", onlySecond = "OnlySecond"
  }
  public var maxLength: Int
  public var strategy: Strategy = .longestFirst
  public var stride: Int = 0
  /// Cut from the left instead of the right.
  public var fromLeft: Bool = false
  public init(maxLength: Int, strategy: Strategy = .longestFirst, stride: Int = 0, fromLeft: Bool = false) {
    self.maxLength = maxLength; self.strategy = strategy; self.stride = stride; self.fromLeft = fromLeft
  }
}

/// How encodings are padded to a common length (Hugging Face `padding`).
public struct PaddingSettings: Sendable, Equatable {
  /// nil pads a batch to its longest member; a number pads every encoding to that length.
  public var fixedLength: Int?
  public var padLeft: Bool = false
  public var padToMultipleOf: Int?
  public var padId: Int = 0
  public var padTypeId: Int = 0
  public var padToken: String = "[PAD]"
  public init(
    fixedLength: Int? = nil, padLeft: Bool = false, padToMultipleOf: Int? = nil, padId: Int = 0,
    padTypeId: Int = 0, padToken: String = "[PAD]"
  ) {
    self.fixedLength = fixedLength; self.padLeft = padLeft; self.padToMultipleOf = padToMultipleOf
    self.padId = padId; self.padTypeId = padTypeId; self.padToken = padToken
  }
}

/// A complete tokenizer as Hugging Face `tokenizers` defines one: added tokens are cut out
/// first, the rest is normalized, pre-tokenized into words and run through the model; a
/// post-processor adds special tokens and a decoder turns ids back into text. Byte-level BPE
/// inputs without a normalizer take a fast path that scans the UTF-8 directly and caches words.
public final class Tokenizer: Sendable {
  public let normalizer: Normalizer?
  public let preTokenizer: PreTokenizer?
  public let model: TokenizerModel
  public let postProcessor: PostProcessor?
  public let decoder: Decoder?
  public let addedTokens: [AddedToken]
  public let truncation: TruncationSettings?
  public let padding: PaddingSettings?

  let rawMatcher: AddedTokenMatcher
  let normalizedMatcher: AddedTokenMatcher
  let addedById: [Int32: AddedToken]
  let addedByContent: [String: Int32]
  let byteLevel: Bool
  let fastScanner: RegexScanner?
  let fastDigitsFirst: Bool
  let workers = WorkerPool()

  public init(
    model: TokenizerModel, normalizer: Normalizer? = nil, preTokenizer: PreTokenizer? = nil,
    postProcessor: PostProcessor? = nil, decoder: Decoder? = nil, addedTokens: [AddedToken] = [],
    truncation: TruncationSettings? = nil, padding: PaddingSettings? = nil
  ) {
    self.model = model
    self.normalizer = normalizer
    self.preTokenizer = preTokenizer
    self.postProcessor = postProcessor
    self.decoder = decoder
    self.addedTokens = addedTokens
    self.truncation = truncation
    self.padding = padding
    rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized })
    normalizedMatcher = AddedTokenMatcher(addedTokens.filter { $0.normalized })
    var byId: [Int32: AddedToken] = [:]
    var byContent: [String: Int32] = [:]
    for t in addedTokens { byId[t.id] = t; byContent[t.content] = t.id }
    addedById = byId
    addedByContent = byContent
    byteLevel = preTokenizer?.isByteLevel ?? false
    var scanner: RegexScanner? = nil
    var digits = false
    if normalizer == nil, normalizedMatcher.isEmpty, case .bpe(let m) = model, !m.ignoreMerges,
      m.dropout == nil || m.dropout == 0
    {
      switch preTokenizer {
      case .byteLevel(false, true, _)?: scanner = .gpt2
      case .sequence(let l)? where l.count == 2:
        if case .split(let p, .isolated, false) = l[0], let s = p.scanner, case .byteLevel(false, false, _) = l[1] {
          scanner = s
        }
        if case .digits(true) = l[0], case .byteLevel(false, true, _) = l[1] { scanner = .gpt2; digits = true }
      default: break
      }
    }
    fastScanner = scanner
    fastDigitsFirst = digits
  }

  /// A copy with other truncation and padding settings (nil turns them off).
  public func with(truncation: TruncationSettings?, padding: PaddingSettings?) -> Tokenizer {
    Tokenizer(
      model: model, normalizer: normalizer, preTokenizer: preTokenizer, postProcessor: postProcessor,
      decoder: decoder, addedTokens: addedTokens, truncation: truncation, padding: padding)
  }

  /// Vocabulary size including added tokens beyond the model's vocabulary.
  public var vocabularySize: Int {
    max(model.vocabularySize, (addedTokens.map { Int($0.id) }.max() ?? -1) + 1)
  }

  public func tokenToId(_ token: String) -> Int? {
    if let id = addedByContent[token] { return Int(id) }
    return model.id(token).map { Int($0) }
  }

  public func idToToken(_ id: Int) -> String? {
    guard id >= 0 && id <= Int(Int32.max) else { return nil }
    if let t = addedById[Int32(id)] { return t.content }
    return model.token(Int32(id))
  }

  public func isSpecial(_ id: Int) -> Bool {
    guard id >= 0 && id <= Int(Int32.max) else { return false }
    return addedById[Int32(id)]?.special ?? false
  }

  // MARK: - Encoding

  /// Token ids of `text` (no offsets or strings: the fastest path).
  public func encodeIds(_ text: String, addSpecialTokens: Bool = false) -> [Int] {
    if !addSpecialTokens || postProcessor == nil, truncation == nil, padding == nil {
      let w = workers.take()
      defer { workers.give(w) }
      var ids: [Int32] = []
      var spans: [TokenSpan]? = nil
      run(text, worker: w, ids: &ids, spans: &spans)
      return ids.map { Int($0) }
    }
    return encode(text, addSpecialTokens: addSpecialTokens).ids
  }

  /// Tokenizes one text (and optionally a second one, for pair inputs).
  public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) -> Encoding {
    let w = workers.take()
    defer { workers.give(w) }
    return encode(text, pair: pair, addSpecialTokens: addSpecialTokens, worker: w, pad: true)
  }

  func encode(_ text: String, pair: String?, addSpecialTokens: Bool, worker: Worker, pad: Bool) -> Encoding {
    var a = rawEncoding(text, worker: worker)
    var b = pair.map { rawEncoding($0, worker: worker) }
    var extra: [Encoding] = []
    if let t = truncation {
      let budget = max(0, t.maxLength - (addSpecialTokens ? (postProcessor?.addedTokens(pair: b != nil) ?? 0) : 0))
      if var bb = b {
        switch t.strategy {
        case .onlyFirst: a.truncate(to: max(0, budget - bb.count), fromLeft: t.fromLeft)
        case .onlySecond: bb.truncate(to: max(0, budget - a.count), fromLeft: t.fromLeft)
        case .longestFirst:
          var na = a.count, nb = bb.count
          while na + nb > budget { if na >= nb { na -= 1 } else { nb -= 1 } }
          a.truncate(to: na, fromLeft: t.fromLeft); bb.truncate(to: nb, fromLeft: t.fromLeft)
        }
        b = bb
      } else {
        let parts = a.windows(budget, stride: t.stride, fromLeft: t.fromLeft)
        a = parts[0]
        extra = Array(parts.dropFirst())
      }
    }
    func finish(_ x: Encoding, _ y: Encoding?) -> Encoding {
      var e: Encoding
      if let p = postProcessor {
        e = p.process(x, y, addSpecialTokens: addSpecialTokens)
      } else {
        e = Encoding.concat(x, y)
      }
      if pad, let p = padding, var n = p.fixedLength {
        if let m = p.padToMultipleOf, m > 0, n % m != 0 { n += m - n % m }
        e.pad(to: n, padId: p.padId, padToken: p.padToken, padTypeId: p.padTypeId, left: p.padLeft)
      }
      return e
    }
    var e = finish(a, b)
    e.overflowing = extra.map { finish($0, nil) }
    return e
  }

  /// Tokenizes many texts on all cores; pads to the longest when padding is set to batch-longest.
  public func encodeBatch(
    _ texts: [String], addSpecialTokens: Bool = true, threads: Int = ProcessInfo.processInfo.activeProcessorCount
  ) -> [Encoding] {
    var out = [Encoding](repeating: Encoding(), count: texts.count)
    let n = max(1, min(threads, texts.count))
    out.withUnsafeMutableBufferPointer { buf in
      let base = UnsafeSendableBuffer(buf)
      DispatchQueue.concurrentPerform(iterations: n) { t in
        let w = workers.take()
        defer { workers.give(w) }
        var i = t
        while i < texts.count {
          base.buffer[i] = encode(texts[i], pair: nil, addSpecialTokens: addSpecialTokens, worker: w, pad: true)
          i += n
        }
      }
    }
    if let p = padding, p.fixedLength == nil {
      var n = out.map { $0.count }.max() ?? 0
      if let m = p.padToMultipleOf, m > 0, n % m != 0 { n += m - n % m }
      for i in 0..<out.count {
        out[i].pad(to: n, padId: p.padId, padToken: p.padToken, padTypeId: p.padTypeId, left: p.padLeft)
      }
    }
    return out
  }

  /// Token ids for many texts on `threads` threads (no special tokens).
  public func encodeIdsBatch(_ texts: [String], threads: Int = ProcessInfo.processInfo.activeProcessorCount)
    -> [[Int32]]
  {
    var out = [[Int32]](repeating: [], count: texts.count)
    let n = max(1, min(threads, texts.count))
    out.withUnsafeMutableBufferPointer { buf in
      let base = UnsafeSendableBuffer(buf)
      DispatchQueue.concurrentPerform(iterations: n) { t in
        let w = workers.take()
        defer { workers.give(w) }
        let chunk = (texts.count + n - 1) / n
        let lo = t * chunk, hi = min(texts.count, lo + chunk)
        guard lo < hi else { return }
        for i in lo..<hi {
          var ids: [Int32] = []
          var spans: [TokenSpan]? = nil
          run(texts[i], worker: w, ids: &ids, spans: &spans)
          base.buffer[i] = ids
        }
      }
    }
    return out
  }

  /// Encoding of one text before post-processing (no special tokens, no truncation).
  func rawEncoding(_ text: String, worker: Worker) -> Encoding {
    var ids: [Int32] = []
    var spans: [TokenSpan]? = []
    worker.addedTexts.removeAll(keepingCapacity: true)
    run(text, worker: worker, ids: &ids, spans: &spans)
    var e = Encoding()
    e.ids = ids.map { Int($0) }
    e.tokens = ids.map { idToToken(Int($0)) ?? "" }
    // An added token's string is the text it matched, white space taken by lstrip/rstrip included.
    for (k, t) in worker.addedTexts where k < e.tokens.count { e.tokens[k] = t }
    e.offsets = spans ?? []
    e.typeIds = [Int](repeating: 0, count: ids.count)
    e.attentionMask = [Int](repeating: 1, count: ids.count)
    e.specialTokensMask = [Int](repeating: 0, count: ids.count)
    return e
  }

  /// The pipeline: added tokens, normalizer, pre-tokenizer, model. Appends ids and (when
  /// `spans` is non-nil) each token's code-point span in `text`.
  func run(_ text: String, worker: Worker, ids: inout [Int32], spans: inout [TokenSpan]?) {
    var text = text
    text.withUTF8 { utf8 in
      let (chars, byteStarts) = Self.decodeWithByteOffsets(utf8)
      // Segments between raw added tokens.
      var segments: [(Int, Int, AddedToken?)] = []
      var cur = 0
      for (s, e, tok) in rawMatcher.find(chars, 0, chars.count) {
        if s > cur { segments.append((cur, s, nil)) }
        segments.append((s, e, tok))
        cur = e
      }
      if cur < chars.count { segments.append((cur, chars.count, nil)) }
      for (k, (lo, hi, tok)) in segments.enumerated() {
        if let tok {
          ids.append(tok.id)
          if spans != nil {
            spans!.append(TokenSpan(start: lo, end: hi))
            if tok.lstrip || tok.rstrip { worker.addedTexts.append((ids.count - 1, UTF8Codec.string(chars[lo..<hi]))) }
          }
          continue
        }
        if let scanner = fastScanner, case .bpe(let m) = model {
          fastByteLevel(m, scanner, chars, byteStarts, utf8, lo, hi, worker, &ids, &spans)
        } else {
          general(chars, lo, hi, isFirst: k == 0, worker, &ids, &spans)
        }
      }
    }
  }

  static func decodeWithByteOffsets(_ u: UnsafeBufferPointer<UInt8>) -> ([UInt32], [Int32]) {
    var chars = [UInt32]()
    var starts = [Int32]()
    chars.reserveCapacity(u.count)
    starts.reserveCapacity(u.count + 1)
    var i = 0
    let n = u.count
    while i < n {
      let b0 = UInt32(u[i])
      starts.append(Int32(i))
      if b0 < 0x80 {
        chars.append(b0); i += 1
      } else if b0 < 0xE0 {
        chars.append((b0 & 0x1F) << 6 | UInt32(u[i + 1] & 0x3F)); i += 2
      } else if b0 < 0xF0 {
        chars.append((b0 & 0x0F) << 12 | UInt32(u[i + 1] & 0x3F) << 6 | UInt32(u[i + 2] & 0x3F)); i += 3
      } else {
        chars.append(
          (b0 & 0x07) << 18 | UInt32(u[i + 1] & 0x3F) << 12 | UInt32(u[i + 2] & 0x3F) << 6 | UInt32(u[i + 3] & 0x3F))
        i += 4
      }
    }
    starts.append(Int32(n))
    return (chars, starts)
  }

  /// Byte-level BPE without a normalizer: pieces come straight from the scanner and their
  /// bytes straight from the input's UTF-8.
  @inline(__always)
  func fastByteLevel(
    _ m: BPEModel, _ scanner: RegexScanner, _ chars: [UInt32], _ byteStarts: [Int32],
    _ utf8: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ w: Worker,
    _ ids: inout [Int32], _ spans: inout [TokenSpan]?
  ) {
    w.ends.removeAll(keepingCapacity: true)
    chars.withUnsafeBufferPointer { cb in
      if fastDigitsFirst {
        var i = lo
        while i < hi {
          if ScalarClass.of(cb[i]).contains(.number) { w.ends.append(Int32(i + 1)); i += 1; continue }
          var j = i + 1
          while j < hi && !ScalarClass.of(cb[j]).contains(.number) { j += 1 }
          scanner.split(cb, i, j, into: &w.ends)
          i = j
        }
      } else {
        scanner.split(cb, lo, hi, into: &w.ends)
      }
    }
    var start = lo
    let base = utf8.baseAddress!
    for e32 in w.ends {
      let end = Int(e32)
      let b0 = Int(byteStarts[start]), b1 = Int(byteStarts[end])
      let piece = UnsafeBufferPointer(start: base + b0, count: b1 - b0)
      let firstToken = ids.count
      if spans == nil {
        var none: [Int32]? = nil
        if piece.count <= WordCache.maxKeyLength {
          let h = WordCache.hash(piece)
          if !w.cache.lookup(piece, hash: h, outIds: &ids, outLens: &none) {
            w.lens.removeAll(keepingCapacity: true)
            w.scratch.dropped = false
            m.encodeBytes(piece, ids: &ids, lens: &w.lens, scratch: &w.scratch)
            if !w.scratch.dropped { w.cache.insert(piece, hash: h, ids: ids[firstToken...], lens: w.lens[...]) }
          }
        } else {
          w.lens.removeAll(keepingCapacity: true)
          m.encodeBytes(piece, ids: &ids, lens: &w.lens, scratch: &w.scratch)
        }
      } else {
        var lens: [Int32]? = []
        var leads: [Int32]? = nil
        if piece.count <= WordCache.maxKeyLength {
          let h = WordCache.hash(piece)
          if !w.cache.lookup(piece, hash: h, outIds: &ids, outLens: &lens) {
            w.lens.removeAll(keepingCapacity: true)
            w.scratch.dropped = false
            m.encodeBytes(piece, ids: &ids, lens: &w.lens, scratch: &w.scratch)
            if w.scratch.dropped {
              leads = w.scratch.lead
            } else {
              w.cache.insert(piece, hash: h, ids: ids[firstToken...], lens: w.lens[...])
            }
            lens = w.lens
          }
        } else {
          w.lens.removeAll(keepingCapacity: true)
          w.scratch.dropped = false
          m.encodeBytes(piece, ids: &ids, lens: &w.lens, scratch: &w.scratch)
          if w.scratch.dropped { leads = w.scratch.lead }
          lens = w.lens
        }
        // Byte spans to character spans: a token covering part of a character gets all of it.
        var b = b0
        var c = start
        for (q, l) in lens!.enumerated() {
          if let leads { b += Int(leads[q]) }
          let tb0 = b, tb1 = b + Int(l)
          while c < end && Int(byteStarts[c + 1]) <= tb0 { c += 1 }
          var ce = c
          while ce < end && Int(byteStarts[ce]) < tb1 { ce += 1 }
          spans!.append(TokenSpan(start: c, end: ce))
          b = tb1
        }
      }
      start = end
    }
  }

  /// Any pipeline: works on a NormalizedText with per-character spans.
  func general(
    _ chars: [UInt32], _ lo: Int, _ hi: Int, isFirst: Bool, _ w: Worker,
    _ ids: inout [Int32], _ spans: inout [TokenSpan]?
  ) {
    var t = NormalizedText(identity: Array(chars[lo..<hi]), base: lo)
    if let n = normalizer { t = n.apply(t) }
    // Added tokens that match normalized text.
    var segs: [(Int, Int, AddedToken?)] = []
    var cur = 0
    for (s, e, tok) in normalizedMatcher.find(t.chars, 0, t.count) {
      if s > cur { segs.append((cur, s, nil)) }
      segs.append((s, e, tok)); cur = e
    }
    if cur < t.count { segs.append((cur, t.count, nil)) }
    for (slo, shi, tok) in segs {
      if let tok {
        ids.append(tok.id)
        if spans != nil {
          spans!.append(TokenSpan(start: Int(t.starts[slo]), end: Int(t.ends[shi - 1])))
          if tok.lstrip || tok.rstrip { w.addedTexts.append((ids.count - 1, UTF8Codec.string(t.chars[slo..<shi]))) }
        }
        continue
      }
      var st = NormalizedText(
        chars: Array(t.chars[slo..<shi]), starts: Array(t.starts[slo..<shi]), ends: Array(t.ends[slo..<shi]))
      var pieces: [(Int, Int)] = [(0, st.count)]
      if let p = preTokenizer { p.apply(&st, &pieces, isFirstSegment: isFirst && slo == 0) }
      for (plo, phi) in pieces where phi > plo {
        let first = ids.count
        w.lens.removeAll(keepingCapacity: true)
        w.scratch.dropped = false
        var unitToChar: [Int] = []
        switch model {
        case .wordPiece(let m):
          m.encode(st.chars[plo..<phi], ids: &ids, lens: &w.lens)
        case .bpe(let m):
          if byteLevel {
            var bytes: [UInt8] = []
            for k in plo..<phi {
              let before = bytes.count
              UTF8Codec.append(st.chars[k], to: &bytes)
              for _ in before..<bytes.count { unitToChar.append(k) }
            }
            bytes.withUnsafeBufferPointer { m.encodeBytes($0, ids: &ids, lens: &w.lens, scratch: &w.scratch) }
          } else {
            m.encodeChars(st.chars[plo..<phi], ids: &ids, lens: &w.lens, scratch: &w.scratch)
          }
        }
        guard spans != nil else { continue }
        var u = 0
        let leads: [Int32]? = w.scratch.dropped ? w.scratch.lead : nil
        for k in first..<ids.count {
          if let leads { u += Int(leads[k - first]) }
          let l = Int(w.lens[k - first])
          let a: Int, b: Int
          if byteLevel, case .bpe = model {
            a = unitToChar[min(u, unitToChar.count - 1)]; b = unitToChar[min(u + max(l, 1) - 1, unitToChar.count - 1)]
          } else if l == 0 {
            // A byte-fallback token after the first byte of its character.
            a = plo + max(u - 1, 0); b = a
          } else {
            a = plo + u; b = plo + u + l - 1
          }
          let ca = min(a, phi - 1), cb = min(b, phi - 1)
          spans!.append(TokenSpan(start: Int(st.starts[ca]), end: Int(st.ends[cb])))
          u += l
        }
      }
    }
  }

  // MARK: - Decoding

  /// Text for token ids. Throws for an id outside the vocabulary.
  public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) throws(TokenizerError) -> String {
    var toks: [String] = []
    toks.reserveCapacity(ids.count)
    for id in ids {
      guard let t = idToToken(id) else { throw .idOutOfRange(id: id, vocabularySize: vocabularySize) }
      if skipSpecialTokens && isSpecial(id) { continue }
      toks.append(t)
    }
    return decodeTokens(toks)
  }

  /// Text for token strings (the decoder applied, or tokens joined by spaces without one).
  public func decodeTokens(_ toks: [String]) -> String {
    guard let d = decoder else { return toks.joined(separator: " ") }
    // Added tokens are not byte-level text: decode the runs between them separately.
    return d.decode(toks)
  }
}

/// Per-thread encoding state: the word cache and scratch buffers.
final class Worker {
  let cache = WordCache()
  var scratch = BPEScratch()
  var lens: [Int32] = []
  var ends: [Int32] = []
  var addedTexts: [(Int, String)] = []
}

/// Hands out workers so each thread encodes with its own cache.
final class WorkerPool: @unchecked Sendable {
  private let lock = NSLock()
  private var free: [Worker] = []

  func take() -> Worker {
    lock.lock()
    defer { lock.unlock() }
    return free.popLast() ?? Worker()
  }

  func give(_ w: Worker) {
    lock.lock()
    if free.count < 8 { free.append(w) }
    lock.unlock()
  }
}

/// Lets concurrentPerform workers write disjoint elements of one buffer.
struct UnsafeSendableBuffer<T>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<T>
  init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}
