/// Where a partial document stands in a `JSONGrammar`: a set of alternative parser stacks (more
/// than one while anyOf branches or literal prefixes are undecided), advanced one byte at a time.
/// It knows which bytes may come next, whether the document may end here, and the fewest bytes
/// that complete it, which is what lets decoding promise a finished document within a budget.
public struct JSONGrammarState: Sendable, Hashable {
  /// One open construct on a parser stack; frames below the top wait for it to finish.
  enum Frame: Hashable, Sendable {
    /// Before the first byte of a value of this node.
    case value(node: Int)
    case literal(node: Int, alive: [Int], matched: Int)
    case string(maxLength: Int, characters: Int, pending: StringPending)
    case number(integer: Bool, phase: NumberPhase, digits: Int)
    case object(node: Int, seen: UInt64, phase: ObjectPhase)
    case array(node: Int, count: Int, phase: ArrayPhase)
  }

  /// An unfinished character inside a string.
  enum StringPending: Hashable, Sendable {
    case none
    /// A multi-byte UTF-8 character: continuation bytes still due, and the range the next one may take.
    case utf8(remaining: Int, low: UInt8, high: UInt8)
    case escape
    case hex(count: Int, value: Int)
  }

  enum NumberPhase: Hashable, Sendable {
    case minus, zero, integer, dot, fraction, exponent, exponentSign, exponentDigits
  }

  enum ObjectPhase: Hashable, Sendable {
    case open(spaced: Bool)
    case key(alive: [Int], matched: Int)
    case afterKey(property: Int)
    case colon(property: Int, spaced: Bool)
    case afterValue(spaced: Bool)
    case comma(spaced: Bool)
  }

  enum ArrayPhase: Hashable, Sendable {
    case open(spaced: Bool)
    case afterValue(spaced: Bool)
    case comma(spaced: Bool)
  }

  typealias Stack = [Frame]

  private(set) var stacks: [Stack]

  /// The state before the first byte of a document of `grammar`.
  public init(grammar: JSONGrammar) {
    stacks = grammar.root.map { [.value(node: $0)] }
  }

  init(stacks: [Stack]) { self.stacks = stacks }

  /// True when no continuation exists (a rejected byte was fed).
  public var isDead: Bool { stacks.isEmpty }

  /// The state after `bytes`, or nil if they cannot continue a valid document.
  public func advanced<S: Sequence>(by bytes: S, in grammar: JSONGrammar) -> JSONGrammarState?
  where S.Element == UInt8 {
    var current = stacks
    for byte in bytes {
      var next: [Stack] = []
      for stack in current { Self.advance(stack, byte, grammar, &next) }
      if next.isEmpty { return nil }
      if next.count > 1 { next = Array(Set(next)) }
      current = next
    }
    return JSONGrammarState(stacks: current)
  }

  /// Whether `byte` can come next.
  public func accepts(_ byte: UInt8, in grammar: JSONGrammar) -> Bool {
    var next: [Stack] = []
    for stack in stacks {
      Self.advance(stack, byte, grammar, &next)
      if !next.isEmpty { return true }
    }
    return false
  }

  /// The fewest bytes that complete the document (0: it is complete and may end here).
  public func bytesToComplete(in grammar: JSONGrammar) -> Int {
    stacks.map { Self.cost($0, grammar) }.min() ?? Int.max
  }

  public func isComplete(in grammar: JSONGrammar) -> Bool { bytesToComplete(in: grammar) == 0 }

  // MARK: - One byte

  static func advance(_ stack: Stack, _ b: UInt8, _ g: JSONGrammar, _ out: inout [Stack]) {
    guard let top = stack.last else { return }  // the document is finished: nothing may follow
    var base: Stack { Array(stack.dropLast()) }
    func replaced(_ frame: Frame) -> Stack {
      var next = stack
      next[next.count - 1] = frame
      return next
    }
    switch top {
    case .value(let node):
      start(node, b, base, g, &out)
    case .literal(let node, let alive, let matched):
      guard case .literals(let list) = g.nodes[node] else { return }
      let next = alive.filter { list[$0].count > matched && list[$0][matched] == b }
      if !next.isEmpty { out.append(replaced(.literal(node: node, alive: next, matched: matched + 1))) }
      if alive.contains(where: { list[$0].count == matched }) { advance(base, b, g, &out) }
    case .string(let maxLength, let characters, let pending):
      if let frame = stringStep(maxLength, characters, pending, b) {
        out.append(replaced(frame))
      } else if pending == .none && b == UInt8(ascii: "\"") {
        out.append(base)
      }
    case .number(let integer, let phase, let digits):
      if let frame = numberStep(integer, phase, digits, b) { out.append(replaced(frame)) }
      if numberIsComplete(phase) { advance(base, b, g, &out) }
    case .object(let node, let seen, let phase):
      objectStep(node, seen, phase, b, stack, g, &out)
    case .array(let node, let count, let phase):
      arrayStep(node, count, phase, b, stack, g, &out)
    }
  }

  /// The first byte of a value of `node`.
  static func start(_ node: Int, _ b: UInt8, _ base: Stack, _ g: JSONGrammar, _ out: inout [Stack]) {
    switch g.nodes[node] {
    case .literals(let list):
      let alive = list.indices.filter { !list[$0].isEmpty && list[$0][0] == b }
      if !alive.isEmpty { out.append(base + [.literal(node: node, alive: alive, matched: 1)]) }
    case .string(let maxLength):
      if b == UInt8(ascii: "\"") {
        out.append(base + [.string(maxLength: maxLength ?? Int.max, characters: 0, pending: .none)])
      }
    case .number(let integer):
      switch b {
      case UInt8(ascii: "-"): out.append(base + [.number(integer: integer, phase: .minus, digits: 0)])
      case UInt8(ascii: "0"): out.append(base + [.number(integer: integer, phase: .zero, digits: 1)])
      case UInt8(ascii: "1")...UInt8(ascii: "9"):
        out.append(base + [.number(integer: integer, phase: .integer, digits: 1)])
      default: break
      }
    case .object, .freeObject:
      if b == UInt8(ascii: "{") { out.append(base + [.object(node: node, seen: 0, phase: .open(spaced: false))]) }
    case .array:
      if b == UInt8(ascii: "[") { out.append(base + [.array(node: node, count: 0, phase: .open(spaced: false))]) }
    }
  }

  static func stringStep(_ maxLength: Int, _ characters: Int, _ pending: StringPending, _ b: UInt8) -> Frame? {
    func frame(_ count: Int, _ next: StringPending) -> Frame? {
      count <= maxLength ? .string(maxLength: maxLength, characters: count, pending: next) : nil
    }
    switch pending {
    case .none:
      switch b {
      case UInt8(ascii: "\""), 0..<0x20: return nil
      case UInt8(ascii: "\\"): return frame(characters + 1, .escape)
      case 0x20..<0x80: return frame(characters + 1, .none)
      case 0xC2...0xDF: return frame(characters + 1, .utf8(remaining: 1, low: 0x80, high: 0xBF))
      case 0xE0: return frame(characters + 1, .utf8(remaining: 2, low: 0xA0, high: 0xBF))
      case 0xED: return frame(characters + 1, .utf8(remaining: 2, low: 0x80, high: 0x9F))
      case 0xE1...0xEF: return frame(characters + 1, .utf8(remaining: 2, low: 0x80, high: 0xBF))
      case 0xF0: return frame(characters + 1, .utf8(remaining: 3, low: 0x90, high: 0xBF))
      case 0xF1...0xF3: return frame(characters + 1, .utf8(remaining: 3, low: 0x80, high: 0xBF))
      case 0xF4: return frame(characters + 1, .utf8(remaining: 3, low: 0x80, high: 0x8F))
      default: return nil
      }
    case .utf8(let remaining, let low, let high):
      guard b >= low && b <= high else { return nil }
      return frame(characters, remaining == 1 ? .none : .utf8(remaining: remaining - 1, low: 0x80, high: 0xBF))
    case .escape:
      if Array(#""\/bfnrt"#.utf8).contains(b) { return frame(characters, .none) }
      return b == UInt8(ascii: "u") ? frame(characters, .hex(count: 0, value: 0)) : nil
    case .hex(let count, let value):
      guard let digit = hexDigit(b) else { return nil }
      let next = value * 16 + digit
      // Surrogate escapes (\uD800–\uDFFF) are refused at their second digit: no dead ends.
      if count == 1 && (0xD8...0xDF).contains(next) { return nil }
      return frame(characters, count == 3 ? .none : .hex(count: count + 1, value: next))
    }
  }

  static func hexDigit(_ b: UInt8) -> Int? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(b - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(b - UInt8(ascii: "a")) + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(b - UInt8(ascii: "A")) + 10
    default: return nil
    }
  }

  static func numberIsComplete(_ phase: NumberPhase) -> Bool {
    switch phase {
    case .zero, .integer, .fraction, .exponentDigits: return true
    case .minus, .dot, .exponent, .exponentSign: return false
    }
  }

  static func numberStep(_ integer: Bool, _ phase: NumberPhase, _ digits: Int, _ b: UInt8) -> Frame? {
    let isDigit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    func frame(_ p: NumberPhase, _ d: Int) -> Frame { .number(integer: integer, phase: p, digits: d) }
    let isExponent = !integer && (b == UInt8(ascii: "e") || b == UInt8(ascii: "E"))
    switch phase {
    case .minus:
      if b == UInt8(ascii: "0") { return frame(.zero, 1) }
      return isDigit ? frame(.integer, 1) : nil
    case .zero, .integer:
      if phase == .integer && isDigit && digits < JSONGrammar.numberDigits { return frame(.integer, digits + 1) }
      if !integer && b == UInt8(ascii: ".") { return frame(.dot, 0) }
      return isExponent ? frame(.exponent, 0) : nil
    case .dot:
      return isDigit ? frame(.fraction, 1) : nil
    case .fraction:
      if isDigit && digits < JSONGrammar.numberDigits { return frame(.fraction, digits + 1) }
      return isExponent ? frame(.exponent, 0) : nil
    case .exponent:
      if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") { return frame(.exponentSign, 0) }
      return isDigit ? frame(.exponentDigits, 1) : nil
    case .exponentSign:
      return isDigit ? frame(.exponentDigits, 1) : nil
    case .exponentDigits:
      return isDigit && digits < JSONGrammar.exponentDigits ? frame(.exponentDigits, digits + 1) : nil
    }
  }

  static func objectStep(
    _ node: Int, _ seen: UInt64, _ phase: ObjectPhase, _ b: UInt8, _ stack: Stack, _ g: JSONGrammar,
    _ out: inout [Stack]
  ) {
    if case .freeObject(let values) = g.nodes[node] {
      return freeObjectStep(node, values, phase, b, stack, g, &out)
    }
    guard case .object(let rule) = g.nodes[node] else { return }
    var base: Stack { Array(stack.dropLast()) }
    func push(_ p: ObjectPhase) {
      var next = stack
      next[next.count - 1] = .object(node: node, seen: seen, phase: p)
      out.append(next)
    }
    let unseen = rule.properties.indices.filter { seen & (1 << UInt64($0)) == 0 }
    let isSpace = b == UInt8(ascii: " ")
    switch phase {
    case .open(let spaced):
      if isSpace && !spaced { push(.open(spaced: true)) }
      if b == UInt8(ascii: "}") && rule.requiredMask == 0 { out.append(base) }
      if b == UInt8(ascii: "\"") && !unseen.isEmpty { push(.key(alive: unseen, matched: 0)) }
    case .key(let alive, let matched):
      if b == UInt8(ascii: "\""), let done = alive.first(where: { rule.properties[$0].key.count == matched }) {
        push(.afterKey(property: done))
      }
      let next = alive.filter { rule.properties[$0].key.count > matched && rule.properties[$0].key[matched] == b }
      if !next.isEmpty { push(.key(alive: next, matched: matched + 1)) }
    case .afterKey(let property):
      if b == UInt8(ascii: ":") { push(.colon(property: property, spaced: false)) }
    case .colon(let property, let spaced):
      if isSpace && !spaced {
        push(.colon(property: property, spaced: true))
        return
      }
      var parent = stack
      parent[parent.count - 1] = .object(
        node: node, seen: seen | (1 << UInt64(property)), phase: .afterValue(spaced: false))
      for choice in rule.properties[property].choices { start(choice, b, parent, g, &out) }
    case .afterValue(let spaced):
      if isSpace && !spaced { push(.afterValue(spaced: true)) }
      if b == UInt8(ascii: ",") && !unseen.isEmpty { push(.comma(spaced: false)) }
      if b == UInt8(ascii: "}") && seen & rule.requiredMask == rule.requiredMask { out.append(base) }
    case .comma(let spaced):
      if isSpace && !spaced { push(.comma(spaced: true)) }
      if b == UInt8(ascii: "\"") { push(.key(alive: unseen, matched: 0)) }
    }
  }

  /// An object with any keys: a key is an ordinary string frame pushed above the object frame,
  /// which waits in `afterKey(property: -1)` until the string closes.
  static func freeObjectStep(
    _ node: Int, _ values: [Int], _ phase: ObjectPhase, _ b: UInt8, _ stack: Stack, _ g: JSONGrammar,
    _ out: inout [Stack]
  ) {
    func with(_ p: ObjectPhase) -> Stack {
      var next = stack
      next[next.count - 1] = .object(node: node, seen: 0, phase: p)
      return next
    }
    let isSpace = b == UInt8(ascii: " ")
    let key = Frame.string(maxLength: Int.max, characters: 0, pending: .none)
    switch phase {
    case .open(let spaced):
      if isSpace && !spaced { out.append(with(.open(spaced: true))) }
      if b == UInt8(ascii: "}") { out.append(Array(stack.dropLast())) }
      if b == UInt8(ascii: "\"") { out.append(with(.afterKey(property: -1)) + [key]) }
    case .key:
      return
    case .afterKey:
      if b == UInt8(ascii: ":") { out.append(with(.colon(property: -1, spaced: false))) }
    case .colon(_, let spaced):
      if isSpace && !spaced {
        out.append(with(.colon(property: -1, spaced: true)))
        return
      }
      let parent = with(.afterValue(spaced: false))
      for choice in values { start(choice, b, parent, g, &out) }
    case .afterValue(let spaced):
      if isSpace && !spaced { out.append(with(.afterValue(spaced: true))) }
      if b == UInt8(ascii: ",") { out.append(with(.comma(spaced: false))) }
      if b == UInt8(ascii: "}") { out.append(Array(stack.dropLast())) }
    case .comma(let spaced):
      if isSpace && !spaced { out.append(with(.comma(spaced: true))) }
      if b == UInt8(ascii: "\"") { out.append(with(.afterKey(property: -1)) + [key]) }
    }
  }

  static func arrayStep(
    _ node: Int, _ count: Int, _ phase: ArrayPhase, _ b: UInt8, _ stack: Stack, _ g: JSONGrammar,
    _ out: inout [Stack]
  ) {
    guard case .array(let items, let minItems, let maxItems) = g.nodes[node] else { return }
    var base: Stack { Array(stack.dropLast()) }
    func push(_ c: Int, _ p: ArrayPhase) {
      var next = stack
      next[next.count - 1] = .array(node: node, count: c, phase: p)
      out.append(next)
    }
    let isSpace = b == UInt8(ascii: " ")
    func item() {
      var parent = stack
      parent[parent.count - 1] = .array(node: node, count: count + 1, phase: .afterValue(spaced: false))
      for choice in items { start(choice, b, parent, g, &out) }
    }
    switch phase {
    case .open(let spaced):
      if isSpace && !spaced { push(count, .open(spaced: true)) }
      if b == UInt8(ascii: "]") && minItems == 0 { out.append(base) }
      if maxItems.map({ $0 > 0 }) ?? true { item() }
    case .afterValue(let spaced):
      if isSpace && !spaced { push(count, .afterValue(spaced: true)) }
      if b == UInt8(ascii: ",") && maxItems.map({ count < $0 }) ?? true { push(count, .comma(spaced: false)) }
      if b == UInt8(ascii: "]") && count >= minItems { out.append(base) }
    case .comma(let spaced):
      if isSpace && !spaced { push(count, .comma(spaced: true)) }
      item()
    }
  }

  // MARK: - Shortest completion

  static func cost(_ stack: Stack, _ g: JSONGrammar) -> Int {
    var total = 0
    for frame in stack { total += cost(frame, g) }
    return total
  }

  static func cost(_ frame: Frame, _ g: JSONGrammar) -> Int {
    switch frame {
    case .value(let node): return g.minBytes[node]
    case .literal(let node, let alive, let matched):
      guard case .literals(let list) = g.nodes[node] else { return 0 }
      return alive.map { list[$0].count - matched }.min() ?? 0
    case .string(_, _, let pending):
      switch pending {
      case .none: return 1
      case .utf8(let remaining, _, _): return 1 + remaining
      case .escape: return 2
      case .hex(let count, _): return 1 + 4 - count
      }
    case .number(_, let phase, _): return numberIsComplete(phase) ? 0 : 1
    case .object(let node, _, let phase) where g.isFreeObject(node):
      let value = g.minBytes(of: g.freeObjectValues(node))
      switch phase {
      case .open, .afterValue, .key: return 1
      case .afterKey: return 1 + value + 1
      case .colon: return value + 1
      case .comma: return 2 + 1 + value + 1
      }
    case .object(let node, let seen, let phase):
      guard case .object(let rule) = g.nodes[node] else { return 0 }
      let missing = rule.requiredMask & ~seen
      func membersCost(_ mask: UInt64) -> Int {
        var sum = 0
        for (i, p) in rule.properties.enumerated() where mask & (1 << UInt64(i)) != 0 { sum += p.memberBytes + 1 }
        return sum
      }
      func without(_ p: Int) -> UInt64 { missing & ~(1 << UInt64(p)) }
      switch phase {
      case .open, .comma:
        if missing != 0 { return membersCost(missing) }
        if case .open = phase { return 1 }
        let unseen = rule.properties.indices.filter { seen & (1 << UInt64($0)) == 0 }
        return (unseen.map { rule.properties[$0].memberBytes }.min() ?? 0) + 1
      case .afterValue: return membersCost(missing) + 1
      case .key(let alive, let matched):
        return alive.map { p in
          rule.properties[p].key.count - matched + 2 + rule.properties[p].minBytes + membersCost(without(p)) + 1
        }.min() ?? 1
      case .afterKey(let p): return 1 + rule.properties[p].minBytes + membersCost(without(p)) + 1
      case .colon(let p, _): return rule.properties[p].minBytes + membersCost(without(p)) + 1
      }
    case .array(let node, let count, let phase):
      guard case .array(let items, let minItems, _) = g.nodes[node] else { return 0 }
      let m = g.minBytes(of: items)
      switch phase {
      case .open: return minItems == 0 ? 1 : minItems * m + minItems
      case .afterValue: return max(0, minItems - count) * (1 + m) + 1
      case .comma: return m + (max(1, minItems - count) - 1) * (1 + m) + 1
      }
    }
  }
}
