import ArgumentParser
import Foundation
import RadModelFiles
import RadTokenizers

/// `radlm tokenize`: tokenizes text (one input per stdin line, or `--text`) with any supported
/// tokenizer and prints one JSON object per input; `--decode` reverses it, reading one JSON id
/// array per line and printing the text.
struct TokenizeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenize",
    abstract: "Tokenize text (or decode ids) with a tokenizer.json, model directory, GGUF file or vocab.json."
  )

  @Option(help: "A tokenizer.json, a model directory, a GGUF file, a vocab.json (merges.txt beside it) or a vocab.txt.")
  var tokenizer: String

  @Flag(name: .customLong("add-special-tokens"), help: "Add the model's special tokens (e.g. [CLS] … [SEP]).")
  var addSpecialTokens = false

  @Flag(help: "Also print each token's [start, end) code-point offsets in the input.")
  var offsets = false

  @Option(help: "Tokenize this text instead of reading stdin.")
  var text: String?

  @Flag(help: "Decode: read one JSON array of ids per line and print the text.")
  var decode = false

  @Flag(name: .customLong("keep-special-tokens"), help: "When decoding, keep special tokens in the text.")
  var keepSpecialTokens = false

  func validate() throws { try OptionCheck.exists(tokenizer, "--tokenizer") }

  func run() throws {
    let tok = try TokenizerFiles.load(path: tokenizer).with(truncation: nil, padding: nil)
    let out = BufferedOutput()
    defer { out.flush() }
    if decode {
      let lines = try text.map { [$0] } ?? StdinLines.read()
      for (i, line) in lines.enumerated() {
        let ids = try Self.parseIds(line, line: i + 1)
        out.write(try tok.decode(ids, skipSpecialTokens: !keepSpecialTokens))
        out.write("\n")
      }
      return
    }
    let inputs = try text.map { [$0] } ?? StdinLines.read()
    let chunk = 4096
    var start = 0
    while start < inputs.count {
      let part = Array(inputs[start..<min(inputs.count, start + chunk)])
      for e in tok.encodeBatch(part, addSpecialTokens: addSpecialTokens) {
        out.write("{\"ids\":[")
        out.write(e.ids.map(String.init).joined(separator: ","))
        out.write("],\"tokens\":[")
        out.write(e.tokens.map(JSONText.quoted).joined(separator: ","))
        out.write("]")
        if offsets {
          out.write(",\"offsets\":[")
          out.write(e.offsets.map { "[\($0.start),\($0.end)]" }.joined(separator: ","))
          out.write("]")
        }
        out.write("}\n")
      }
      start += chunk
    }
  }

  static func parseIds(_ line: String, line n: Int) throws -> [Int] {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]),
      let arr = obj as? [Any]
    else {
      throw TokenizerError.malformedJSON(
        source: "stdin line \(n)", field: "", message: "expected a JSON array of token ids")
    }
    return try arr.enumerated().map { k, x in
      guard let num = x as? NSNumber, String(cString: num.objCType) != "c",
        num.doubleValue == num.doubleValue.rounded(), abs(num.doubleValue) < 1e12
      else {
        throw TokenizerError.malformedJSON(source: "stdin line \(n)", field: "[\(k)]", message: "not an integer id")
      }
      return num.intValue
    }
  }
}

/// Stdin split into lines (without their "\n" or "\r\n"), each checked to be valid UTF-8.
enum StdinLines {
  static func read() throws -> [String] {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    let bytes = [UInt8](data)
    var lines: [String] = []
    var start = 0
    var lineNo = 1
    func take(_ end: Int) throws {
      var e = end
      if e > start && bytes[e - 1] == 0x0D { e -= 1 }
      lines.append(try StrictUTF8.string(Array(bytes[start..<e]), source: "stdin line \(lineNo)"))
      lineNo += 1
    }
    for (i, b) in bytes.enumerated() where b == 0x0A { try take(i); start = i + 1 }
    if start < bytes.count { try take(bytes.count) }
    return lines
  }
}

/// JSON string quoting for token strings.
enum JSONText {
  static func quoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 || u.value == 0x7F {
          out += String(format: "\\u%04x", u.value)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}

/// Collects output and writes it to stdout in large blocks.
final class BufferedOutput {
  private var buffer: [UInt8] = []

  func write(_ s: String) {
    buffer.append(contentsOf: s.utf8)
    if buffer.count > 1 << 20 { flush() }
  }

  func flush() {
    if buffer.isEmpty { return }
    FileHandle.standardOutput.write(Data(buffer))
    buffer.removeAll(keepingCapacity: true)
  }
}
