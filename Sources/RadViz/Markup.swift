/// What every SVG picture and HTML report in RadLM shares: both are written as text, so one
/// function decides how text from models and data (tokens, titles, report words) is made safe
/// inside elements and attribute values.
public enum Markup {
  /// Escapes `&`, `<`, `>` and `"`, which makes text safe between tags and inside double-quoted
  /// attributes (RadLM writes every attribute in double quotes).
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      default: out.append(character)
      }
    }
    return out
  }
}
