import RadTokenizers

/// A JSON grammar bound to a vocabulary: what generation settings carry to constrain decoding
/// (`GenerationSettings.jsonSchema`). Building it checks that every byte a shortest completion may
/// need exists as a one-byte token, which is what lets decoding always finish a document in time.
public final class JSONTokenGrammar: Sendable {
  public let grammar: JSONGrammar
  public let table: TokenByteTable

  public init(grammar: JSONGrammar, table: TokenByteTable) throws(JSONSchemaError) {
    for byte in grammar.witnessBytes.sorted() where table.singleByteToken[Int(byte)] == nil {
      throw JSONSchemaError(
        path: "", message: "the vocabulary has no single-byte token for byte 0x\(String(byte, radix: 16))")
    }
    self.grammar = grammar
    self.table = table
  }

  public convenience init(schema: JSONSchema, tokenizer: Tokenizer) throws(JSONSchemaError) {
    try self.init(grammar: JSONGrammar(schema: schema), table: TokenByteTable(tokenizer: tokenizer))
  }
}

/// The logit processor of schema-constrained decoding: before each token it masks (sets to −∞)
/// every token whose bytes cannot continue a document of the grammar, or after which the
/// document could no longer be finished within the remaining token budget. End-of-sequence is
/// allowed only once the document is complete, and is the only choice when nothing may follow.
public struct JSONSchemaConstraint: LogitProcessor {
  public let compiled: JSONTokenGrammar
  public let eosTokenIds: Set<Int>
  /// Tokens the whole generation may use.
  public let maxTokens: Int
  public private(set) var state: JSONGrammarState
  private var promptLength: Int?
  private(set) var consumed = 0

  public init(_ compiled: JSONTokenGrammar, eosTokenIds: Set<Int>, maxTokens: Int) {
    self.compiled = compiled
    self.eosTokenIds = eosTokenIds
    self.maxTokens = maxTokens
    state = JSONGrammarState(grammar: compiled.grammar)
  }

  var grammar: JSONGrammar { compiled.grammar }
  var table: TokenByteTable { compiled.table }

  public mutating func process(logits: inout [Float], history: [Int]) {
    if promptLength == nil { promptLength = history.count }
    while (promptLength ?? 0) + consumed < history.count {
      accept(history[(promptLength ?? 0) + consumed])
    }
    let allowed = allowedTokens(vocabularySize: logits.count)
    for i in logits.indices where !allowed[i] { logits[i] = -.infinity }
  }

  /// Moves the state past a generated token (EOS and unknown tokens leave it dead).
  public mutating func accept(_ token: Int) {
    consumed += 1
    guard token >= 0, token < table.count, let bytes = table.bytes[token],
      let next = state.advanced(by: bytes, in: grammar)
    else {
      state = JSONGrammarState(stacks: [])
      return
    }
    state = next
  }

  /// Marks the tokens under trie `node` that `state` accepts and can still complete in `budget`.
  func walk(_ trie: TokenTrie, _ node: Int, _ state: JSONGrammarState, _ budget: Int, _ allowed: inout [Bool]) {
    for (byte, child) in trie.children[node] {
      guard let next = state.advanced(by: CollectionOfOne(byte), in: grammar) else { continue }
      var fits: Bool?
      for id in trie.tokens[child] where id < allowed.count && !allowed[id] {
        if fits == nil { fits = next.bytesToComplete(in: grammar) <= budget }
        if fits == true { allowed[id] = true }
      }
      if !trie.children[child].isEmpty { walk(trie, child, next, budget, &allowed) }
    }
  }

  /// Which tokens may come next, given the tokens still available.
  public func allowedTokens(vocabularySize: Int) -> [Bool] {
    var allowed = [Bool](repeating: false, count: vocabularySize)
    let remaining = maxTokens - consumed
    guard remaining > 0, !state.isDead else { return allowed }
    let budget = remaining - 1  // bytes (at most one per token) that may follow this token
    if state.isComplete(in: grammar) {
      for id in eosTokenIds where id < vocabularySize { allowed[id] = true }
    }
    var stringStacks: [JSONGrammarState.Stack] = []
    var otherStacks: [JSONGrammarState.Stack] = []
    for stack in state.stacks {
      // Inside a string, ordinary text tokens leave the completion cost unchanged: decided in bulk.
      guard case .string(let maxLength, let characters, .none)? = stack.last else {
        otherStacks.append(stack)
        continue
      }
      stringStacks.append(stack)
      if JSONGrammarState.cost(stack, grammar) <= budget {
        let room = maxLength - characters
        for id in table.plainTokens where id < vocabularySize && Int(table.plainCharacters[id]) <= room {
          allowed[id] = true
        }
      }
    }
    if !otherStacks.isEmpty {
      walk(table.allTokens, 0, JSONGrammarState(stacks: otherStacks), budget, &allowed)
    }
    if !stringStacks.isEmpty {
      walk(table.otherTokens, 0, JSONGrammarState(stacks: stringStacks), budget, &allowed)
    }
    return allowed
  }
}
