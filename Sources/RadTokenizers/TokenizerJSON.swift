import Foundation
import RadModelFiles
import RadTensor

/// Reads and writes Hugging Face `tokenizer.json` files. Every component is parsed into the
/// matching RadTokenizers type; a component type that is not implemented is reported as
/// `TokenizerError.unknownComponent` naming it, and a field of the wrong shape as
/// `.malformedJSON` naming the field.
public enum TokenizerJSON {
  /// Loads a `tokenizer.json` file.
  public static func load(path: String) throws(TokenizerError) -> Tokenizer {
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw .io(path: path, message: "cannot read: \(error.localizedDescription)")
    }
    return try load(data: data, source: path)
  }

  /// Parses `tokenizer.json` content.
  public static func load(data: Data, source: String = "tokenizer.json") throws(TokenizerError) -> Tokenizer {
    let obj: Any
    do { obj = try FastJSON.parse(data) } catch {
      throw .malformedJSON(source: source, field: "", message: "not valid JSON (\(error))")
    }
    guard let root = obj as? JSONObject else {
      throw .malformedJSON(source: source, field: "", message: "expected an object")
    }
    let r = Reader(source: source)
    guard let modelObj = root["model"] as? JSONObject else {
      throw .malformedJSON(source: source, field: "model", message: "missing")
    }
    var added: [AddedToken] = []
    if let list = root["added_tokens"], !(list is NSNull) {
      guard let arr = list as? [Any] else {
        throw .malformedJSON(source: source, field: "added_tokens", message: "expected a list of objects")
      }
      for (i, x) in arr.enumerated() {
        let f = "added_tokens[\(i)]"
        guard let t = x as? JSONObject else {
          throw .malformedJSON(source: source, field: f, message: "expected an object")
        }
        added.append(
          AddedToken(
            id: Int32(try r.int(t, "id", f)), content: try r.string(t, "content", f),
            singleWord: r.bool(t, "single_word", false), lstrip: r.bool(t, "lstrip", false),
            rstrip: r.bool(t, "rstrip", false),
            normalized: r.bool(t, "normalized", false), special: r.bool(t, "special", false)))
      }
    }
    let model = try r.model(modelObj, added: added)
    let normalizer = try r.optional(root["normalizer"]) { o throws(TokenizerError) in try r.normalizer(o, "normalizer")
    }
    let pre = try r.optional(root["pre_tokenizer"]) { o throws(TokenizerError) in try r.preTokenizer(o, "pre_tokenizer")
    }
    let post = try r.optional(root["post_processor"]) { o throws(TokenizerError) in
      try r.postProcessor(o, "post_processor")
    }
    let dec = try r.optional(root["decoder"]) { o throws(TokenizerError) in try r.decoder(o, "decoder") }
    let trunc = try r.optional(root["truncation"]) { o throws(TokenizerError) in try r.truncation(o) }
    let pad = try r.optional(root["padding"]) { o throws(TokenizerError) in try r.padding(o) }
    return Tokenizer(
      model: model, normalizer: normalizer, preTokenizer: pre, postProcessor: post, decoder: dec,
      addedTokens: added, truncation: trunc, padding: pad)
  }

  /// Serializes a tokenizer as `tokenizer.json` text that Hugging Face `tokenizers` loads.
  public static func data(for t: Tokenizer) -> Data {
    let w = Writer()
    var root: [String: Any] = ["version": "1.0"]
    root["truncation"] = t.truncation.map(w.truncation) ?? NSNull()
    root["padding"] = t.padding.map(w.padding) ?? NSNull()
    root["added_tokens"] = t.addedTokens.map { a in
      [
        "id": Int(a.id), "content": a.content, "single_word": a.singleWord, "lstrip": a.lstrip, "rstrip": a.rstrip,
        "normalized": a.normalized, "special": a.special,
      ] as [String: Any]
    }
    root["normalizer"] = t.normalizer.map(w.normalizer) ?? NSNull()
    root["pre_tokenizer"] = t.preTokenizer.map(w.preTokenizer) ?? NSNull()
    root["post_processor"] = t.postProcessor.map(w.postProcessor) ?? NSNull()
    root["decoder"] = t.decoder.map(w.decoder) ?? NSNull()
    root["model"] = w.model(t.model)
    // JSONSerialization cannot fail on these plain values.
    return
      (try? JSONSerialization.data(
        withJSONObject: root, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
  }

  /// Writes `tokenizer.json` atomically (temporary file, then rename).
  public static func save(_ t: Tokenizer, path: String) throws(TokenizerError) {
    do {
      try AtomicFile.write([UInt8](data(for: t)), to: URL(fileURLWithPath: path))
    } catch {
      throw .io(path: path, message: "cannot write: \(error)")
    }
  }
}

private struct Reader {
  let source: String

  func fail(_ field: String, _ m: String) -> TokenizerError { .malformedJSON(source: source, field: field, message: m) }

  func optional<T>(_ v: Any?, _ f: (Any) throws(TokenizerError) -> T) throws(TokenizerError) -> T? {
    guard let v, !(v is NSNull) else { return nil }
    return try f(v)
  }

  func obj(_ v: Any, _ field: String) throws(TokenizerError) -> JSONObject {
    guard let o = v as? JSONObject else { throw fail(field, "expected an object") }
    return o
  }

  func type(_ o: JSONObject, _ field: String) throws(TokenizerError) -> String {
    guard let t = o["type"] as? String else { throw fail("\(field).type", "missing or not a string") }
    return t
  }

  func string(_ o: JSONObject, _ k: String, _ field: String) throws(TokenizerError) -> String {
    guard let s = o[k] as? String else { throw fail("\(field).\(k)", "missing or not a string") }
    return s
  }

  func int(_ o: JSONObject, _ k: String, _ field: String) throws(TokenizerError) -> Int {
    guard let n = JSONNumber.int(o[k]) else { throw fail("\(field).\(k)", "missing or not an integer") }
    return n
  }

  func bool(_ o: JSONObject, _ k: String, _ def: Bool) -> Bool { (o[k] as? Bool) ?? def }

  func optString(_ o: JSONObject, _ k: String) -> String? { o[k] as? String }

  func list(_ o: JSONObject, _ k: String, _ field: String) throws(TokenizerError) -> [Any] {
    guard let l = o[k] as? [Any] else { throw fail("\(field).\(k)", "missing or not a list") }
    return l
  }

  func behavior(_ o: JSONObject, _ field: String, _ def: SplitBehavior) throws(TokenizerError) -> SplitBehavior {
    guard let s = o["behavior"] as? String else { return def }
    guard let b = SplitBehavior(rawValue: s) else { throw .unknownComponent(kind: "split behavior", type: s) }
    return b
  }

  func replacement(_ o: JSONObject, _ field: String) throws(TokenizerError) -> UInt32 {
    let s = (o["replacement"] as? String) ?? "\u{2581}"
    guard s.unicodeScalars.count == 1, let c = s.unicodeScalars.first else {
      throw fail("\(field).replacement", "must be one character")
    }
    return c.value
  }

  func prependScheme(_ o: JSONObject) throws(TokenizerError) -> PrependScheme {
    if let s = o["prepend_scheme"] as? String {
      guard let p = PrependScheme(rawValue: s) else {
        throw .unknownComponent(kind: "Metaspace prepend_scheme", type: s)
      }
      return p
    }
    return bool(o, "add_prefix_space", true) ? .always : .never
  }

  func normalizer(_ v: Any, _ field: String) throws(TokenizerError) -> Normalizer {
    let o = try obj(v, field)
    switch try type(o, field) {
    case "BertNormalizer":
      return .bert(
        cleanText: bool(o, "clean_text", true), handleChineseChars: bool(o, "handle_chinese_chars", true),
        stripAccents: o["strip_accents"] as? Bool, lowercase: bool(o, "lowercase", true))
    case "NFC": return .nfc
    case "NFD": return .nfd
    case "NFKC": return .nfkc
    case "NFKD": return .nfkd
    case "Lowercase": return .lowercase
    case "StripAccents": return .stripAccents
    case "Strip": return .strip(left: bool(o, "strip_left", true), right: bool(o, "strip_right", true))
    case "Prepend": return .prepend(try string(o, "prepend", field))
    case "Replace":
      let p = try obj(o["pattern"] as Any, "\(field).pattern")
      guard let s = p["String"] as? String else {
        throw .unknownComponent(kind: "normalizer", type: "Replace with a Regex pattern")
      }
      return .replace(pattern: s, content: try string(o, "content", field))
    case "Sequence":
      let l = try list(o, "normalizers", field)
      var out: [Normalizer] = []
      for (i, x) in l.enumerated() { out.append(try normalizer(x, "\(field).normalizers[\(i)]")) }
      return .sequence(out)
    case let t: throw .unknownComponent(kind: "normalizer", type: t)
    }
  }

  func preTokenizer(_ v: Any, _ field: String) throws(TokenizerError) -> PreTokenizer {
    let o = try obj(v, field)
    switch try type(o, field) {
    case "ByteLevel":
      return .byteLevel(
        addPrefixSpace: bool(o, "add_prefix_space", true), useRegex: bool(o, "use_regex", true),
        trimOffsets: bool(o, "trim_offsets", true))
    case "BertPreTokenizer": return .bert
    case "Whitespace": return .whitespace
    case "WhitespaceSplit": return .whitespaceSplit
    case "Digits": return .digits(individual: bool(o, "individual_digits", false))
    case "Punctuation": return .punctuation(try behavior(o, field, .isolated))
    case "Metaspace":
      return .metaspace(
        replacement: try replacement(o, field), prependScheme: try prependScheme(o), split: bool(o, "split", true))
    case "Split":
      let p = try obj(o["pattern"] as Any, "\(field).pattern")
      let pattern: SplitPattern
      if let s = p["String"] as? String {
        pattern = SplitPattern(string: s)
      } else if let s = p["Regex"] as? String {
        pattern = try SplitPattern(regex: s)
      } else {
        throw fail("\(field).pattern", "expected String or Regex")
      }
      return .split(pattern: pattern, behavior: try behavior(o, field, .isolated), invert: bool(o, "invert", false))
    case "Sequence":
      let l = try list(o, "pretokenizers", field)
      var out: [PreTokenizer] = []
      for (i, x) in l.enumerated() { out.append(try preTokenizer(x, "\(field).pretokenizers[\(i)]")) }
      return .sequence(out)
    case let t: throw .unknownComponent(kind: "pre-tokenizer", type: t)
    }
  }

  func tokenAndId(_ o: JSONObject, _ k: String, _ field: String) throws(TokenizerError) -> (String, Int32) {
    guard let l = o[k] as? [Any], l.count == 2, let s = l[0] as? String, let n = JSONNumber.int(l[1]) else {
      throw fail("\(field).\(k)", "expected [token, id]")
    }
    return (s, Int32(truncatingIfNeeded: n))
  }

  func postProcessor(_ v: Any, _ field: String) throws(TokenizerError) -> PostProcessor {
    let o = try obj(v, field)
    switch try type(o, field) {
    case "TemplateProcessing":
      func pieces(_ k: String) throws(TokenizerError) -> [TemplatePiece] {
        var out: [TemplatePiece] = []
        for (i, x) in try list(o, k, field).enumerated() {
          let f = "\(field).\(k)[\(i)]"
          let e = try obj(x, f)
          if let s = e["Sequence"] as? JSONObject {
            out.append(.sequence(id: try string(s, "id", f), typeId: try int(s, "type_id", f)))
          } else if let s = e["SpecialToken"] as? JSONObject {
            out.append(.specialToken(id: try string(s, "id", f), typeId: try int(s, "type_id", f)))
          } else {
            throw fail(f, "expected Sequence or SpecialToken")
          }
        }
        return out
      }
      var specials: [TemplateSpecialToken] = []
      if let st = o["special_tokens"] as? JSONObject {
        for key in st.keys.sorted() {
          let f = "\(field).special_tokens.\(key)"
          let e = try obj(st[key] as Any, f)
          guard let rawIds = e["ids"] as? [Any], let toks = e["tokens"] as? [String] else {
            throw fail(f, "expected ids and tokens")
          }
          var ids: [Int32] = []
          for x in rawIds {
            guard let n = JSONNumber.int(x) else { throw fail("\(f).ids", "not an integer") }
            ids.append(Int32(truncatingIfNeeded: n))
          }
          specials.append(TemplateSpecialToken(id: try string(e, "id", f), ids: ids, tokens: toks))
        }
      }
      return .template(single: try pieces("single"), pair: try pieces("pair"), specialTokens: specials)
    case "BertProcessing":
      let s = try tokenAndId(o, "sep", field), c = try tokenAndId(o, "cls", field)
      return .bert(sep: s.0, sepId: s.1, cls: c.0, clsId: c.1)
    case "RobertaProcessing":
      let s = try tokenAndId(o, "sep", field), c = try tokenAndId(o, "cls", field)
      return .roberta(
        sep: s.0, sepId: s.1, cls: c.0, clsId: c.1, trimOffsets: bool(o, "trim_offsets", true),
        addPrefixSpace: bool(o, "add_prefix_space", true))
    case "ByteLevel":
      return .byteLevel(trimOffsets: bool(o, "trim_offsets", true), addPrefixSpace: bool(o, "add_prefix_space", true))
    case "Sequence":
      var out: [PostProcessor] = []
      for (i, x) in try list(o, "processors", field).enumerated() {
        out.append(try postProcessor(x, "\(field).processors[\(i)]"))
      }
      return .sequence(out)
    case let t: throw .unknownComponent(kind: "post-processor", type: t)
    }
  }

  func decoder(_ v: Any, _ field: String) throws(TokenizerError) -> Decoder {
    let o = try obj(v, field)
    switch try type(o, field) {
    case "ByteLevel": return .byteLevel
    case "WordPiece": return .wordPiece(prefix: optString(o, "prefix") ?? "##", cleanup: bool(o, "cleanup", true))
    case "BPEDecoder": return .bpe(suffix: optString(o, "suffix") ?? "</w>")
    case "Metaspace": return .metaspace(replacement: try replacement(o, field), prependScheme: try prependScheme(o))
    case "ByteFallback": return .byteFallback
    case "Fuse": return .fuse
    case "Replace":
      let p = try obj(o["pattern"] as Any, "\(field).pattern")
      guard let s = p["String"] as? String else {
        throw .unknownComponent(kind: "decoder", type: "Replace with a Regex pattern")
      }
      return .replace(pattern: s, content: try string(o, "content", field))
    case "Strip":
      return .strip(
        content: try string(o, "content", field), start: try int(o, "start", field), stop: try int(o, "stop", field))
    case "Sequence":
      var out: [Decoder] = []
      for (i, x) in try list(o, "decoders", field).enumerated() {
        out.append(try decoder(x, "\(field).decoders[\(i)]"))
      }
      return .sequence(out)
    case let t: throw .unknownComponent(kind: "decoder", type: t)
    }
  }

  /// The vocabulary object as tokens listed by id; throws on a gap or a non-integer id.
  func idToToken(_ o: JSONObject, _ field: String) throws(TokenizerError) -> [String] {
    guard let v = o["vocab"] as? JSONObject else { throw fail("\(field).vocab", "missing or not an object") }
    var out = [String?](repeating: nil, count: v.count)
    for k in 0..<v.count {
      guard let n = v.values[k] as? Int ?? JSONNumber.int(v.values[k]), n >= 0 else {
        throw fail("\(field).vocab.\(v.keys[k])", "id is not a number")
      }
      guard n < v.count, out[n] == nil else {
        throw .vocabularyGap(
          source: "\(source): \(field).vocab", missingId: Self.firstGap(v.values.compactMap { JSONNumber.int($0) }))
      }
      out[n] = v.keys[k]
    }
    return out.map { $0! }
  }

  static func firstGap(_ ids: [Int]) -> Int {
    let set = Set(ids)
    var i = 0
    while set.contains(i) { i += 1 }
    return i
  }

  func vocab(_ o: JSONObject, _ field: String) throws(TokenizerError) -> [String: Int32] {
    var out: [String: Int32] = [:]
    for (i, t) in try idToToken(o, field).enumerated() { out[t] = Int32(i) }
    return out
  }

  func model(_ o: JSONObject, added: [AddedToken]) throws(TokenizerError) -> TokenizerModel {
    let field = "model"
    let t =
      (o["type"] as? String) ?? (o["merges"] != nil ? "BPE" : o["continuing_subword_prefix"] != nil ? "WordPiece" : "")
    switch t {
    case "BPE":
      let tokens = try idToToken(o, field)
      let rawMerges = (o["merges"] as? [Any]) ?? []
      var merges: [(String, String)] = []
      merges.reserveCapacity(rawMerges.count)
      for (i, m) in rawMerges.enumerated() {
        if let s = m as? String {
          let parts = ScalarText.split(s, on: " ")
          guard parts.count == 2 else {
            throw fail("model.merges[\(i)]", "expected two tokens separated by one space: '\(s)'")
          }
          merges.append((String(parts[0]), String(parts[1])))
        } else if let p = m as? [Any], p.count == 2, let x = p[0] as? String, let y = p[1] as? String {
          merges.append((x, y))
        } else {
          throw fail("model.merges[\(i)]", "expected \"a b\" or [a, b]")
        }
      }
      return .bpe(
        try BPEModel(
          idToToken: tokens, merges: merges, unkToken: optString(o, "unk_token"),
          byteFallback: bool(o, "byte_fallback", false),
          fuseUnk: bool(o, "fuse_unk", false), ignoreMerges: bool(o, "ignore_merges", false),
          continuingSubwordPrefix: optString(o, "continuing_subword_prefix").flatMap { $0.isEmpty ? nil : $0 },
          endOfWordSuffix: optString(o, "end_of_word_suffix").flatMap { $0.isEmpty ? nil : $0 },
          dropout: JSONNumber.double(o["dropout"]), source: "\(source): model"))
    case "WordPiece":
      return .wordPiece(
        try WordPieceModel(
          vocab: try vocab(o, field), unkToken: optString(o, "unk_token") ?? "[UNK]",
          continuingSubwordPrefix: optString(o, "continuing_subword_prefix") ?? "##",
          maxInputCharsPerWord: JSONNumber.int(o["max_input_chars_per_word"]) ?? 100, source: "\(source): model"))
    case "": throw fail("model.type", "missing")
    default: throw .unknownComponent(kind: "model", type: t)
    }
  }

  func truncation(_ v: Any) throws(TokenizerError) -> TruncationSettings {
    let o = try obj(v, "truncation")
    var t = TruncationSettings(maxLength: try int(o, "max_length", "truncation"))
    if let s = o["strategy"] as? String {
      guard let st = TruncationSettings.Strategy(rawValue: s) else {
        throw .unknownComponent(kind: "truncation strategy", type: s)
      }
      t.strategy = st
    }
    t.stride = JSONNumber.int(o["stride"]) ?? 0
    t.fromLeft = (o["direction"] as? String) == "Left"
    return t
  }

  func padding(_ v: Any) throws(TokenizerError) -> PaddingSettings {
    let o = try obj(v, "padding")
    var p = PaddingSettings()
    if let s = o["strategy"] as? JSONObject, let n = JSONNumber.int(s["Fixed"]) { p.fixedLength = n }
    p.padLeft = (o["direction"] as? String) == "Left"
    p.padToMultipleOf = JSONNumber.int(o["pad_to_multiple_of"])
    p.padId = JSONNumber.int(o["pad_id"]) ?? 0
    p.padTypeId = JSONNumber.int(o["pad_type_id"]) ?? 0
    p.padToken = (o["pad_token"] as? String) ?? "[PAD]"
    return p
  }
}

private struct Writer {
  func scalarString(_ c: UInt32) -> String { Unicode.Scalar(c).map { String(Character($0)) } ?? "" }

  func normalizer(_ n: Normalizer) -> [String: Any] {
    switch n {
    case .bert(let c, let h, let s, let l):
      return [
        "type": "BertNormalizer", "clean_text": c, "handle_chinese_chars": h,
        "strip_accents": s.map { $0 as Any } ?? NSNull(), "lowercase": l,
      ]
    case .nfc: return ["type": "NFC"]
    case .nfd: return ["type": "NFD"]
    case .nfkc: return ["type": "NFKC"]
    case .nfkd: return ["type": "NFKD"]
    case .lowercase: return ["type": "Lowercase"]
    case .stripAccents: return ["type": "StripAccents"]
    case .strip(let l, let r): return ["type": "Strip", "strip_left": l, "strip_right": r]
    case .prepend(let p): return ["type": "Prepend", "prepend": p]
    case .replace(let p, let c): return ["type": "Replace", "pattern": ["String": p], "content": c]
    case .sequence(let l): return ["type": "Sequence", "normalizers": l.map(normalizer)]
    }
  }

  func preTokenizer(_ p: PreTokenizer) -> [String: Any] {
    switch p {
    case .byteLevel(let a, let u, let t):
      return ["type": "ByteLevel", "add_prefix_space": a, "use_regex": u, "trim_offsets": t]
    case .bert: return ["type": "BertPreTokenizer"]
    case .whitespace: return ["type": "Whitespace"]
    case .whitespaceSplit: return ["type": "WhitespaceSplit"]
    case .digits(let i): return ["type": "Digits", "individual_digits": i]
    case .punctuation(let b): return ["type": "Punctuation", "behavior": b.rawValue]
    case .metaspace(let r, let s, let sp):
      return ["type": "Metaspace", "replacement": scalarString(r), "prepend_scheme": s.rawValue, "split": sp]
    case .split(let pat, let b, let inv):
      return [
        "type": "Split", "pattern": [pat.isRegex ? "Regex" : "String": pat.text], "behavior": b.rawValue, "invert": inv,
      ]
    case .sequence(let l): return ["type": "Sequence", "pretokenizers": l.map(preTokenizer)]
    }
  }

  func postProcessor(_ p: PostProcessor) -> [String: Any] {
    func piece(_ t: TemplatePiece) -> [String: Any] {
      switch t {
      case .sequence(let id, let ty): return ["Sequence": ["id": id, "type_id": ty]]
      case .specialToken(let id, let ty): return ["SpecialToken": ["id": id, "type_id": ty]]
      }
    }
    switch p {
    case .template(let s, let pr, let sp):
      var d: [String: Any] = [:]
      for x in sp { d[x.id] = ["id": x.id, "ids": x.ids.map { Int($0) }, "tokens": x.tokens] }
      return ["type": "TemplateProcessing", "single": s.map(piece), "pair": pr.map(piece), "special_tokens": d]
    case .bert(let s, let si, let c, let ci):
      return ["type": "BertProcessing", "sep": [s, Int(si)], "cls": [c, Int(ci)]]
    case .roberta(let s, let si, let c, let ci, let t, let a):
      return [
        "type": "RobertaProcessing", "sep": [s, Int(si)], "cls": [c, Int(ci)], "trim_offsets": t, "add_prefix_space": a,
      ]
    case .byteLevel(let t, let a):
      return ["type": "ByteLevel", "trim_offsets": t, "add_prefix_space": a, "use_regex": true]
    case .sequence(let l): return ["type": "Sequence", "processors": l.map(postProcessor)]
    }
  }

  func decoder(_ d: Decoder) -> [String: Any] {
    switch d {
    case .byteLevel: return ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true]
    case .wordPiece(let p, let c): return ["type": "WordPiece", "prefix": p, "cleanup": c]
    case .bpe(let suffix): return ["type": "BPEDecoder", "suffix": suffix]
    case .metaspace(let r, let s):
      return ["type": "Metaspace", "replacement": scalarString(r), "prepend_scheme": s.rawValue, "split": true]
    case .byteFallback: return ["type": "ByteFallback"]
    case .fuse: return ["type": "Fuse"]
    case .replace(let p, let c): return ["type": "Replace", "pattern": ["String": p], "content": c]
    case .strip(let c, let s, let e): return ["type": "Strip", "content": c, "start": s, "stop": e]
    case .sequence(let l): return ["type": "Sequence", "decoders": l.map(decoder)]
    }
  }

  func model(_ m: TokenizerModel) -> [String: Any] {
    switch m {
    case .bpe(let b):
      var vocab: [String: Any] = [:]
      for (k, v) in b.vocab { vocab[k] = Int(v) }
      return [
        "type": "BPE", "dropout": b.dropout.map { $0 as Any } ?? NSNull(),
        "unk_token": b.unkToken.map { $0 as Any } ?? NSNull(),
        "continuing_subword_prefix": b.continuingSubwordPrefix.map { $0 as Any } ?? NSNull(),
        "end_of_word_suffix": b.endOfWordSuffix.map { $0 as Any } ?? NSNull(), "fuse_unk": b.fuseUnk,
        "byte_fallback": b.byteFallback, "ignore_merges": b.ignoreMerges, "vocab": vocab,
        "merges": b.merges.map { [b.idToToken[Int($0.0)], b.idToToken[Int($0.1)]] },
      ]
    case .wordPiece(let w):
      var vocab: [String: Any] = [:]
      for (k, v) in w.vocab { vocab[k] = Int(v) }
      return [
        "type": "WordPiece", "unk_token": w.unkToken, "continuing_subword_prefix": w.continuingSubwordPrefix,
        "max_input_chars_per_word": w.maxInputCharsPerWord, "vocab": vocab,
      ]
    }
  }

  func truncation(_ t: TruncationSettings) -> [String: Any] {
    [
      "max_length": t.maxLength, "strategy": t.strategy.rawValue, "stride": t.stride,
      "direction": t.fromLeft ? "Left" : "Right",
    ]
  }

  func padding(_ p: PaddingSettings) -> [String: Any] {
    [
      "strategy": p.fixedLength.map { ["Fixed": $0] as Any } ?? "BatchLongest",
      "direction": p.padLeft ? "Left" : "Right",
      "pad_to_multiple_of": p.padToMultipleOf.map { $0 as Any } ?? NSNull(), "pad_id": p.padId,
      "pad_type_id": p.padTypeId,
      "pad_token": p.padToken,
    ]
  }
}
