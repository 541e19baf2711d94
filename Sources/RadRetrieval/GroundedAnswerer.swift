import Foundation
import RadInference
import RadTokenizers

/// Writes the answer text for a prompt made of a system message and a user message.
public protocol AnswerWriter: Sendable {
  func write(system: String, user: String) throws -> String
}

/// A language model RadLM runs (a `ModelBundle`: Hugging Face folder or GGUF) as an answer
/// writer: the chat template renders the messages, generation is greedy.
public final class LanguageModelAnswerWriter: AnswerWriter, @unchecked Sendable {
  // @unchecked: the bundle is only read; one answer is written at a time.
  public let bundle: ModelBundle
  public let maxTokens: Int

  public init(bundle: ModelBundle, maxTokens: Int = 200) {
    self.bundle = bundle
    self.maxTokens = maxTokens
  }

  public func write(system: String, user: String) throws -> String {
    let ids = try bundle.chatPromptIds([
      ChatMessage(role: "system", content: system), ChatMessage(role: "user", content: user),
    ])
    let generator = TextGenerator(model: bundle.model, tokenizer: bundle.tokenizer)
    let stops = bundle.chatTemplate?.endOfTurn.map { [$0] } ?? []
    let settings = GenerationSettings(maxTokens: maxTokens, stopStrings: stops, eosTokenIds: bundle.eosTokenIds)
    return try generator.generate(promptIds: ids, settings: settings).text.trimmingCharacters(
      in: .whitespacesAndNewlines)
  }
}

/// A cited source of an answer: its number in the prompt and the chunk it was.
public struct Citation: Sendable, Equatable {
  public var n: Int
  public var docId: String
  public var chunkId: String
}

/// An answer grounded in retrieved sources: the text, the sources it cites (only numbers that
/// were given to the model count), the sources it was given, and whether it refused because
/// nothing retrieved was relevant enough.
public struct GroundedAnswer: Sendable, Equatable {
  public var answer: String
  public var citations: [Citation]
  public var sources: [SearchResult]
  public var refused: Bool
}

/// Retrieval-augmented answering: retrieve the k best chunks by vector similarity; if the best
/// scores below `minimumScore`, say that the store holds nothing relevant instead of answering;
/// otherwise give the model the question with the chunks as numbered sources and the instruction
/// to answer only from them, citing them as [n].
public struct GroundedAnswerer: Sendable {
  public let retriever: Retriever
  public let writer: any AnswerWriter
  public let k: Int
  public let minimumScore: Double
  public let mode: SearchMode

  /// The similarity below which the best source counts as not relevant (cosine, MiniLM).
  public static let defaultMinimumScore = 0.3
  public static let refusal = "The indexed documents contain nothing relevant enough to answer this question."
  public static let systemPrompt = """
    You answer questions using only the numbered sources given. After each statement, cite the \
    source it comes from as [1], [2], and so on. If the sources do not answer the question, say so.
    """

  public init(
    retriever: Retriever, writer: any AnswerWriter, k: Int = 4, minimumScore: Double = defaultMinimumScore,
    mode: SearchMode = .exact
  ) {
    self.retriever = retriever
    self.writer = writer
    self.k = k
    self.minimumScore = minimumScore
    self.mode = mode
  }

  public func ask(_ question: String) throws -> GroundedAnswer {
    let sources = try retriever.search([question], k: k, mode: mode)[0]
    guard let best = sources.first, best.score >= minimumScore else {
      return GroundedAnswer(answer: Self.refusal, citations: [], sources: sources, refused: true)
    }
    let answer = try writer.write(
      system: Self.systemPrompt, user: Self.userPrompt(question: question, sources: sources))
    return GroundedAnswer(
      answer: answer, citations: Self.citations(in: answer, sources: sources), sources: sources, refused: false)
  }

  public static func userPrompt(question: String, sources: [SearchResult]) -> String {
    var text = "Sources:\n"
    for (i, source) in sources.enumerated() { text += "[\(i + 1)] \(source.text)\n" }
    return text + "\nQuestion: \(question)\nAnswer with citations:"
  }

  /// The distinct source numbers cited as [n] or [n, m] in `answer`, in order of first citation,
  /// keeping only numbers of given sources.
  public static func citations(in answer: String, sources: [SearchResult]) -> [Citation] {
    var numbers: [Int] = []
    let chars = Array(answer)
    var i = 0
    while i < chars.count {
      if chars[i] == "[", let close = chars[(i + 1)...].firstIndex(of: "]"), close - i <= 24 {
        let inside = String(chars[(i + 1)..<close])
        let parts = inside.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " })
        let values = parts.compactMap { Int($0) }
        if !values.isEmpty && values.count == parts.count {
          for n in values where !numbers.contains(n) { numbers.append(n) }
          i = close + 1
          continue
        }
      }
      i += 1
    }
    return numbers.filter { $0 >= 1 && $0 <= sources.count }.map {
      Citation(n: $0, docId: sources[$0 - 1].docId, chunkId: sources[$0 - 1].chunkId)
    }
  }
}
