import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal HTTP/1.1 client over a plain loopback socket, so tests can send exactly the bytes
/// they want (malformed JSON, wrong headers, oversized bodies), read chunked replies, and hang
/// up in the middle of a response.
struct RawHTTP {
  struct Reply {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
      guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
        throw RawHTTPError.malformed("body is not a JSON object: \(text)")
      }
      return object
    }

    /// The OpenAI error object's fields.
    func error() throws -> [String: Any] {
      guard let error = try json()["error"] as? [String: Any] else {
        throw RawHTTPError.malformed("no error in \(text)")
      }
      return error
    }
  }

  enum RawHTTPError: Error { case connect(Int32), malformed(String) }

  let port: Int

  /// Sends `method path` with `body` and `headers`; reads the whole reply (Connection: close).
  func send(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]) async throws -> Reply
  {
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    var all = headers
    if all["Content-Type"] == nil, !body.isEmpty { all["Content-Type"] = "application/json" }
    if all["Content-Length"] == nil, all["Transfer-Encoding"] == nil, method != "GET" {
      all["Content-Length"] = String(body.count)
    }
    for (key, value) in all.sorted(by: { $0.key < $1.key }) { head += "\(key): \(value)\r\n" }
    let request = Array((head + "\r\n").utf8) + body
    let bytes = try await Self.blocking { try Self.exchange(port: port, request, hangUpAfter: nil) }
    return try Self.parse(bytes)
  }

  func post(_ path: String, json: String, headers: [String: String] = [:]) async throws -> Reply {
    try await send("POST", path, body: Array(json.utf8), headers: headers)
  }

  func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
    try await send("GET", path, headers: headers)
  }

  /// Sends a request, reads `bytes` bytes of the reply (with 0: none, after a second), then
  /// closes the connection without reading the rest.
  func postAndHangUp(_ path: String, json: String, after bytes: Int) async throws {
    let body = Array(json.utf8)
    let head =
      "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
    _ = try await Self.blocking { try Self.exchange(port: port, Array(head.utf8) + body, hangUpAfter: bytes) }
  }

  static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
  }

  static func exchange(port: Int, _ request: [UInt8], hangUpAfter: Int?) throws -> [UInt8] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw RawHTTPError.connect(errno) }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw RawHTTPError.connect(errno) }
    var sent = 0
    while sent < request.count {
      let n = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
      if n <= 0 { break }  // the server may close early (413) before reading everything
      sent += n
    }
    if hangUpAfter == 0 {
      // Hang up before any reply: give the server a moment to start generating first.
      Thread.sleep(forTimeInterval: 1)
      return []
    }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
      if n <= 0 { break }
      reply += buffer[0..<n]
      if let limit = hangUpAfter, reply.count >= limit { break }
    }
    return reply
  }

  static func parse(_ bytes: [UInt8]) throws -> Reply {
    guard let split = find([13, 10, 13, 10], in: bytes, from: 0) else { throw RawHTTPError.malformed("no header end") }
    let lines = String(decoding: bytes[0..<split], as: UTF8.self).components(separatedBy: "\r\n")
    let statusParts = lines[0].split(separator: " ")
    guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw RawHTTPError.malformed(lines[0]) }
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    var body = Array(bytes[(split + 4)...])
    if headers["transfer-encoding"]?.lowercased() == "chunked" { body = try dechunk(body) }
    return Reply(status: status, headers: headers, body: body)
  }

  static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var index = 0
    while let lineEnd = find([13, 10], in: bytes, from: index) {
      let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
      guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
        throw RawHTTPError.malformed("bad chunk size")
      }
      if size == 0 { break }
      out += bytes[(lineEnd + 2)..<min(bytes.count, lineEnd + 2 + size)]
      index = lineEnd + 2 + size + 2
    }
    return out
  }

  static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
    guard haystack.count >= needle.count else { return nil }
    var i = start
    while i + needle.count <= haystack.count {
      if Array(haystack[i..<(i + needle.count)]) == needle { return i }
      i += 1
    }
    return nil
  }
}
