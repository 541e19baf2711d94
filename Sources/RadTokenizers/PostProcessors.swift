/// One item of a `TemplateProcessing` template: a sequence (A or B) or a special token.
public enum TemplatePiece: Sendable, Equatable {
  case sequence(id: String, typeId: Int)
  case specialToken(id: String, typeId: Int)
}

/// A special token a template refers to, with the ids and token strings it expands to.
public struct TemplateSpecialToken: Sendable, Equatable {
  public var id: String
  public var ids: [Int32]
  public var tokens: [String]
  public init(id: String, ids: [Int32], tokens: [String]) { self.id = id; self.ids = ids; self.tokens = tokens }
}

/// A post-processor from `tokenizer.json`: after tokenization it adds the special tokens a model
/// expects around its input (BERT's `[CLS] … [SEP]`, RoBERTa's `<s> … </s>`), sets type ids, or
/// trims byte-level offsets.
public indirect enum PostProcessor: Sendable, Equatable {
  case template(single: [TemplatePiece], pair: [TemplatePiece], specialTokens: [TemplateSpecialToken])
  case bert(sep: String, sepId: Int32, cls: String, clsId: Int32)
  case roberta(sep: String, sepId: Int32, cls: String, clsId: Int32, trimOffsets: Bool, addPrefixSpace: Bool)
  case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
  case sequence([PostProcessor])

  /// Number of special tokens added to a single sequence (for truncation).
  func addedTokens(pair: Bool) -> Int {
    switch self {
    case .template(let single, let pairT, let specials):
      return (pair ? pairT : single).reduce(0) { acc, p in
        if case .specialToken(let id, _) = p { return acc + (specials.first { $0.id == id }?.ids.count ?? 0) }
        return acc
      }
    case .bert, .roberta: return pair ? (self.isRoberta ? 4 : 3) : 2
    case .byteLevel: return 0
    case .sequence(let l): return l.reduce(0) { $0 + $1.addedTokens(pair: pair) }
    }
  }

  var isRoberta: Bool { if case .roberta = self { return true } else { return false } }

  /// Applies the processor to encodings A (and B), returning one merged encoding.
  func process(_ a: Encoding, _ b: Encoding?, addSpecialTokens: Bool) -> Encoding {
    switch self {
    case .sequence(let list):
      var x = a
      var y = b
      for (k, p) in list.enumerated() {
        if k == list.count - 1 { return p.process(x, y, addSpecialTokens: addSpecialTokens) }
        if case .byteLevel = p {
          x = p.process(x, nil, addSpecialTokens: addSpecialTokens);
          y = y.map { p.process($0, nil, addSpecialTokens: addSpecialTokens) }
        }
      }
      return Encoding.concat(x, y)
    case .byteLevel(let trim, let prefix):
      var x = a
      if trim { x.trimByteLevelOffsets(addPrefixSpace: prefix) }
      if let b {
        var y = b
        if trim { y.trimByteLevelOffsets(addPrefixSpace: prefix) }
        return Encoding.concat(x, y)
      }
      return x
    case .roberta(let sep, let sepId, let cls, let clsId, let trim, let prefix):
      var x = a
      var y = b
      if trim { x.trimByteLevelOffsets(addPrefixSpace: prefix); y?.trimByteLevelOffsets(addPrefixSpace: prefix) }
      guard addSpecialTokens else { return Encoding.concat(x, y) }
      let c = TemplateSpecialToken(id: cls, ids: [clsId], tokens: [cls])
      let s = TemplateSpecialToken(id: sep, ids: [sepId], tokens: [sep])
      let single: [TemplatePiece] = [
        .specialToken(id: cls, typeId: 0), .sequence(id: "A", typeId: 0), .specialToken(id: sep, typeId: 0),
      ]
      let pairT =
        single + [.specialToken(id: sep, typeId: 0), .sequence(id: "B", typeId: 0), .specialToken(id: sep, typeId: 0)]
      return Self.applyTemplate(y == nil ? single : pairT, [c, s], x, y)
    case .bert(let sep, let sepId, let cls, let clsId):
      guard addSpecialTokens else { return Encoding.concat(a, b) }
      let c = TemplateSpecialToken(id: cls, ids: [clsId], tokens: [cls])
      let s = TemplateSpecialToken(id: sep, ids: [sepId], tokens: [sep])
      let single: [TemplatePiece] = [
        .specialToken(id: cls, typeId: 0), .sequence(id: "A", typeId: 0), .specialToken(id: sep, typeId: 0),
      ]
      let pairT = single + [.sequence(id: "B", typeId: 1), .specialToken(id: sep, typeId: 1)]
      return Self.applyTemplate(b == nil ? single : pairT, [c, s], a, b)
    case .template(let single, let pairT, let specials):
      guard addSpecialTokens else { return Encoding.concat(a, b) }
      return Self.applyTemplate(b == nil ? single : pairT, specials, a, b)
    }
  }

  static func applyTemplate(_ t: [TemplatePiece], _ specials: [TemplateSpecialToken], _ a: Encoding, _ b: Encoding?)
    -> Encoding
  {
    var out = Encoding()
    for p in t {
      switch p {
      case .sequence(let id, let typeId):
        guard var e = (id == "A" ? a : b) else { continue }
        e.typeIds = [Int](repeating: typeId, count: e.ids.count)
        out.append(e)
      case .specialToken(let id, let typeId):
        guard let s = specials.first(where: { $0.id == id }) else { continue }
        for (k, i) in s.ids.enumerated() {
          out.ids.append(Int(i)); out.tokens.append(k < s.tokens.count ? s.tokens[k] : id)
          out.offsets.append(TokenSpan(start: 0, end: 0)); out.typeIds.append(typeId)
          out.specialTokensMask.append(1); out.attentionMask.append(1)
        }
      }
    }
    return out
  }
}
