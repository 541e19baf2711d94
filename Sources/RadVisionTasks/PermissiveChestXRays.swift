import Foundation

/// The permissively licensed chest X-rays of `../shared/data/images/cxr_permissive/`
/// (`metadata.csv`: patient, finding, view, clinical notes, licence and source URL per image)
/// turned into image–text pairs for CLIP: the text is the finding and view, followed by the
/// image's clinical note when it has one. Every pair keeps its licence and source so the
/// attribution travels with any derived file.
public struct PermissiveChestXRay: Sendable, Equatable {
  public var patient: String
  public var image: String
  public var text: String
  public var license: String
  public var source: String

  /// Reads `metadata.csv`; image paths are `folder/filename` beside it. A row whose image is
  /// missing or whose columns do not fit is an error naming its line.
  public static func read(metadata url: URL) throws -> [PermissiveChestXRay] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw LinearProbeError.invalidInput("cannot read \(url.path)")
    }
    let records = parseCSV(String(decoding: data, as: UTF8.self))
    guard let header = records.first?.fields else { throw LinearProbeError.invalidInput("\(url.path) is empty") }
    func column(_ name: String) throws -> Int {
      guard let index = header.firstIndex(of: name) else {
        throw LinearProbeError.invalidInput("\(url.path) has no column \"\(name)\"")
      }
      return index
    }
    let patient = try column("patientid")
    let finding = try column("finding")
    let view = try column("view")
    let folder = try column("folder")
    let filename = try column("filename")
    let license = try column("license")
    let source = try column("url")
    let notes = try column("clinical_notes")
    let base = url.deletingLastPathComponent()
    return try records.dropFirst().map { record in
      let f = record.fields
      guard f.count == header.count else {
        throw LinearProbeError.invalidInput("\(url.path):\(record.line): \(f.count) fields, expected \(header.count)")
      }
      let path = base.appendingPathComponent(f[folder]).appendingPathComponent(f[filename]).path
      guard FileManager.default.fileExists(atPath: path) else {
        throw LinearProbeError.invalidInput("\(url.path):\(record.line): image \(path) does not exist")
      }
      var text = "\(f[finding]) chest x-ray, \(f[view]) view."
      let note = f[notes].trimmingCharacters(in: .whitespacesAndNewlines)
      if !note.isEmpty { text += " " + note }
      return PermissiveChestXRay(
        patient: f[patient], image: path, text: text, license: f[license], source: f[source])
    }
  }

  /// Train/test by patient (all of a patient's images on one side): patient number mod 5 = 0 is test.
  public var isTest: Bool { (Int(patient) ?? 0) % 5 == 0 }

  /// One JSON line for a pairs file, with the attribution fields.
  public var jsonLine: String {
    let object: [String: Any] = ["image": image, "text": text, "license": license, "source": source]
    let data =
      (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
  public static func parseCSV(_ text: String) -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field = ""
    var quoted = false
    var line = 1
    var recordLine = 1
    var characters = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
    if characters.first == "\u{FEFF}" { characters.removeFirst() }
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if quoted {
        if c == "\"" {
          if i + 1 < characters.count && characters[i + 1] == "\"" {
            field.append("\"")
            i += 1
          } else {
            quoted = false
          }
        } else {
          if c == "\n" { line += 1 }
          field.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        fields.append(field)
        field = ""
      } else if c == "\n" {
        fields.append(field)
        records.append((recordLine, fields))
        fields = []
        field = ""
        line += 1
        recordLine = line
      } else {
        field.append(c)
      }
      i += 1
    }
    if !field.isEmpty || !fields.isEmpty {
      fields.append(field)
      records.append((recordLine, fields))
    }
    return records
  }
}
