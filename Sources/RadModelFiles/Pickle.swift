/// A value built by the pickle reader. Python objects the reader cannot construct stay symbolic:
/// a `global` names a class or function, `reduce` records a call of one on its arguments (so a
/// torch tensor is `reduce(global torch._utils._rebuild_tensor_v2, tuple(...))`) and `persistent`
/// wraps a persistent id (how torch refers to the storages kept outside the pickle).
public indirect enum PickleValue: Sendable, Equatable {
  case none
  case bool(Bool)
  case int(Int)
  /// An integer wider than 64 bits, as its little-endian two's-complement bytes.
  case largeInt([UInt8])
  case float(Double)
  case string(String)
  case bytes([UInt8])
  case tuple([PickleValue])
  case list([PickleValue])
  case dict([PickleEntry])
  case global(module: String, name: String)
  case reduce(callable: PickleValue, arguments: PickleValue)
  case persistent(PickleValue)
  /// An object with state set by BUILD (the state follows the object it was applied to).
  case built(PickleValue, state: PickleValue)

  /// The elements of a tuple or list.
  public var elements: [PickleValue]? {
    switch self {
    case .tuple(let values), .list(let values): return values
    default: return nil
    }
  }

  /// The integer value of an `int` (or a `bool` as 0/1).
  public var integer: Int? {
    switch self {
    case .int(let value): return value
    case .bool(let value): return value ? 1 : 0
    default: return nil
    }
  }
}

/// One key–value pair of a pickled dict, kept in insertion order.
public struct PickleEntry: Sendable, Equatable {
  public let key: PickleValue
  public let value: PickleValue
}

/// Reads one pickle (protocols 2–5) from `bytes` starting at `offset`, the subset of opcodes that
/// `torch.save` writes for state dicts: containers, numbers, strings, globals, REDUCE/BUILD calls
/// and persistent ids. It executes no Python: calls are recorded, not run. An opcode outside the
/// subset, a truncated stream or an inconsistent stack is a `ModelFileError` naming the byte.
struct PickleReader {
  let bytes: [UInt8]
  let file: String
  private(set) var offset: Int
  private var stack: [PickleValue] = []
  private var marks: [Int] = []
  private var memo: [Int: PickleValue] = [:]

  init(bytes: [UInt8], file: String, offset: Int = 0) {
    self.bytes = bytes
    self.file = file
    self.offset = offset
  }

  private func fail(_ reason: String, at position: Int) -> ModelFileError {
    .malformedHeader(file: file, reason: "pickle byte \(position): \(reason)")
  }

  private mutating func take(_ n: Int, _ what: String) throws -> ArraySlice<UInt8> {
    guard n >= 0, offset + n <= bytes.count else {
      throw ModelFileError.truncated(file: file, what: "pickle \(what)", needed: n, available: bytes.count - offset)
    }
    defer { offset += n }
    return bytes[offset..<(offset + n)]
  }

  private mutating func unsigned(_ n: Int, _ what: String) throws -> Int {
    let slice = try take(n, what)
    var value: UInt64 = 0
    for (shift, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
    guard value <= UInt64(Int.max) else { throw fail("\(what) too large", at: offset - n) }
    return Int(value)
  }

  private mutating func line(_ what: String) throws -> String {
    guard let end = bytes[offset...].firstIndex(of: 0x0A) else {
      throw ModelFileError.truncated(file: file, what: "pickle \(what) line", needed: 1, available: 0)
    }
    let text = String(decoding: bytes[offset..<end], as: UTF8.self)
    offset = end + 1
    return text
  }

  private mutating func utf8(_ n: Int, _ what: String) throws -> String {
    let start = offset
    let slice = try take(n, what)
    guard let text = String(validating: slice, as: UTF8.self) else {
      throw ModelFileError.invalidUTF8(file: file, offset: start)
    }
    return text
  }

  private mutating func pop(_ at: Int) throws -> PickleValue {
    guard let value = stack.popLast(), stack.count >= (marks.last ?? 0) else { throw fail("stack underflow", at: at) }
    return value
  }

  /// Values pushed since the last MARK, removing them and the mark.
  private mutating func popMark(_ at: Int) throws -> [PickleValue] {
    guard let mark = marks.popLast(), mark <= stack.count else { throw fail("no MARK on the stack", at: at) }
    let values = Array(stack[mark...])
    stack.removeSubrange(mark...)
    return values
  }

  private mutating func mutateTop(_ at: Int, _ body: (inout PickleValue) throws -> Void) throws {
    guard !stack.isEmpty else { throw fail("stack underflow", at: at) }
    try body(&stack[stack.count - 1])
  }

  private static func pairs(_ values: [PickleValue]) -> [PickleEntry] {
    stride(from: 0, to: values.count - 1, by: 2).map { PickleEntry(key: values[$0], value: values[$0 + 1]) }
  }

  /// Runs the machine to STOP and returns the value on top of the stack.
  mutating func read() throws -> PickleValue {
    while true {
      let at = offset
      let opcode = try take(1, "opcode").first!
      switch opcode {
      case 0x80: _ = try take(1, "protocol")  // PROTO
      case 0x95: _ = try take(8, "frame length")  // FRAME: frames are only a buffering hint
      case 0x2E:  // STOP
        guard let top = stack.last else { throw fail("STOP with an empty stack", at: at) }
        return top
      case 0x28: marks.append(stack.count)  // MARK
      case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
      case 0x5D: stack.append(.list([]))  // EMPTY_LIST
      case 0x7D: stack.append(.dict([]))  // EMPTY_DICT
      case 0x4E: stack.append(.none)  // NONE
      case 0x88: stack.append(.bool(true))  // NEWTRUE
      case 0x89: stack.append(.bool(false))  // NEWFALSE
      case 0x4B: stack.append(.int(try unsigned(1, "BININT1")))
      case 0x4D: stack.append(.int(try unsigned(2, "BININT2")))
      case 0x4A:  // BININT (signed 32-bit)
        stack.append(.int(Int(Int32(truncatingIfNeeded: try unsigned(4, "BININT")))))
      case 0x8A:  // LONG1: little-endian two's complement of n bytes
        let n = try unsigned(1, "LONG1 length")
        let slice = try take(n, "LONG1")
        if n > 8 {
          stack.append(.largeInt(Array(slice)))
          continue
        }
        var value: UInt64 = 0
        for (shift, byte) in slice.enumerated() { value |= UInt64(byte) << (8 * UInt64(shift)) }
        if n > 0, n < 8, slice.last! & 0x80 != 0 { value |= ~0 << (8 * UInt64(n)) }
        stack.append(.int(Int(Int64(bitPattern: value))))
      case 0x47:  // BINFLOAT, big-endian
        let slice = try take(8, "BINFLOAT")
        stack.append(.float(Double(bitPattern: slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))
      case 0x58: stack.append(.string(try utf8(try unsigned(4, "BINUNICODE length"), "BINUNICODE")))
      case 0x8C: stack.append(.string(try utf8(try unsigned(1, "SHORT_BINUNICODE length"), "SHORT_BINUNICODE")))
      case 0x8D: stack.append(.string(try utf8(try unsigned(8, "BINUNICODE8 length"), "BINUNICODE8")))
      case 0x42: stack.append(.bytes(Array(try take(try unsigned(4, "BINBYTES length"), "BINBYTES"))))
      case 0x43: stack.append(.bytes(Array(try take(try unsigned(1, "SHORT_BINBYTES length"), "SHORT_BINBYTES"))))
      case 0x63:  // GLOBAL "module\nname\n"
        let module = try line("GLOBAL module")
        let name = try line("GLOBAL name")
        stack.append(.global(module: module, name: name))
      case 0x93:  // STACK_GLOBAL
        let name = try pop(at)
        let module = try pop(at)
        guard case .string(let m) = module, case .string(let n) = name else {
          throw fail("STACK_GLOBAL needs two strings", at: at)
        }
        stack.append(.global(module: m, name: n))
      case 0x71: memo[try unsigned(1, "BINPUT")] = try top(at)  // BINPUT
      case 0x72: memo[try unsigned(4, "LONG_BINPUT")] = try top(at)  // LONG_BINPUT
      case 0x94: memo[memo.count] = try top(at)  // MEMOIZE
      case 0x68, 0x6A:  // BINGET, LONG_BINGET
        let key = try unsigned(opcode == 0x68 ? 1 : 4, "BINGET")
        guard let value = memo[key] else { throw fail("memo \(key) was never stored", at: at) }
        stack.append(value)
      case 0x30: _ = try pop(at)  // POP
      case 0x31: _ = try popMark(at)  // POP_MARK
      case 0x32: stack.append(try top(at))  // DUP
      case 0x74: stack.append(.tuple(try popMark(at)))  // TUPLE
      case 0x85: stack.append(.tuple([try pop(at)]))  // TUPLE1
      case 0x86:  // TUPLE2
        let b = try pop(at)
        let a = try pop(at)
        stack.append(.tuple([a, b]))
      case 0x87:  // TUPLE3
        let c = try pop(at)
        let b = try pop(at)
        let a = try pop(at)
        stack.append(.tuple([a, b, c]))
      case 0x6C: stack.append(.list(try popMark(at)))  // LIST
      case 0x64: stack.append(.dict(Self.pairs(try popMark(at))))  // DICT
      case 0x61:  // APPEND
        let value = try pop(at)
        let error = fail("APPEND to a non-list", at: at)
        try mutateTop(at) { try Self.append([value], to: &$0, fail: error) }
      case 0x65:  // APPENDS
        let values = try popMark(at)
        let error = fail("APPENDS to a non-list", at: at)
        try mutateTop(at) { try Self.append(values, to: &$0, fail: error) }
      case 0x73:  // SETITEM
        let value = try pop(at)
        let key = try pop(at)
        let error = fail("SETITEM on a non-dict", at: at)
        try mutateTop(at) { try Self.insert([key, value], into: &$0, fail: error) }
      case 0x75:  // SETITEMS
        let values = try popMark(at)
        let error = fail("SETITEMS on a non-dict", at: at)
        try mutateTop(at) { try Self.insert(values, into: &$0, fail: error) }
      case 0x52:  // REDUCE
        let arguments = try pop(at)
        let callable = try pop(at)
        stack.append(Self.call(callable, arguments))
      case 0x81:  // NEWOBJ
        let arguments = try pop(at)
        let cls = try pop(at)
        stack.append(Self.call(cls, arguments))
      case 0x62:  // BUILD
        let state = try pop(at)
        try mutateTop(at) { $0 = .built($0, state: state) }
      case 0x51:  // BINPERSID
        stack.append(.persistent(try pop(at)))
      default:
        throw fail(String(format: "opcode 0x%02X is not supported by RadLM's pickle reader", opcode), at: at)
      }
    }
  }

  private func top(_ at: Int) throws -> PickleValue {
    guard let value = stack.last else { throw fail("stack underflow", at: at) }
    return value
  }

  /// A call of `collections.OrderedDict()` is an empty dict (its items arrive by SETITEMS); every
  /// other call is kept symbolic.
  private static func call(_ callable: PickleValue, _ arguments: PickleValue) -> PickleValue {
    if case .global("collections", "OrderedDict") = callable, arguments == .tuple([]) { return .dict([]) }
    return .reduce(callable: callable, arguments: arguments)
  }

  private static func append(_ values: [PickleValue], to target: inout PickleValue, fail: ModelFileError) throws {
    guard case .list(var items) = target else { throw fail }
    items.append(contentsOf: values)
    target = .list(items)
  }

  private static func insert(_ values: [PickleValue], into target: inout PickleValue, fail: ModelFileError) throws {
    switch target {
    case .dict(var entries):
      entries.append(contentsOf: pairs(values))
      target = .dict(entries)
    case .built(var object, let state):
      try insert(values, into: &object, fail: fail)
      target = .built(object, state: state)
    default:
      throw fail
    }
  }
}
