import Foundation
import Synchronization

/// The server's counters in Prometheus' text exposition format (version 0.0.4): requests by
/// route and status, prompt and completion tokens, request latency histograms by route, the
/// queue (waiting and active requests) and how many sequences each decoding step carried.
/// Written by hand: a handful of series do not need a metrics framework.
public final class ServerMetrics: Sendable {
  static let latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

  struct Histogram {
    var counts: [Int]
    var sum = 0.0
    var count = 0

    init(buckets: Int) { counts = Array(repeating: 0, count: buckets) }

    mutating func observe(_ value: Double, bounds: [Double]) {
      for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
      sum += value
      count += 1
    }
  }

  struct State {
    var requests: [String: Int] = [:]  // "route\u{0}status"
    var latency: [String: Histogram] = [:]
    var promptTokens = 0
    var completionTokens = 0
    var waiting = 0
    var active = 0
    var batch: Histogram
    var maxBatch: Int
  }

  private let state: Mutex<State>
  private let batchBounds: [Double]

  public init(maxBatch: Int) {
    batchBounds = (1...max(1, maxBatch)).map(Double.init)
    state = Mutex(State(batch: Histogram(buckets: max(1, maxBatch)), maxBatch: maxBatch))
  }

  func record(route: String, status: Int, seconds: Double) {
    state.withLock { s in
      s.requests["\(route)\u{0}\(status)", default: 0] += 1
      s.latency[route, default: Histogram(buckets: Self.latencyBuckets.count)].observe(
        seconds, bounds: Self.latencyBuckets)
    }
  }

  func countTokens(prompt: Int, completion: Int) {
    state.withLock { s in
      s.promptTokens += prompt
      s.completionTokens += completion
    }
  }

  func setQueue(waiting: Int, active: Int) {
    state.withLock { s in (s.waiting, s.active) = (waiting, active) }
  }

  func observeBatch(size: Int) {
    let bounds = batchBounds
    state.withLock { s in s.batch.observe(Double(size), bounds: bounds) }
  }

  /// Requests counted for `route` with `status` (tests read it).
  public func requests(route: String, status: Int) -> Int {
    state.withLock { $0.requests["\(route)\u{0}\(status)"] ?? 0 }
  }

  /// The exposition text.
  public func render() -> String {
    let s = state.withLock { $0 }
    var out = ""
    out += "# HELP radlm_http_requests_total HTTP requests by route and status.\n"
    out += "# TYPE radlm_http_requests_total counter\n"
    for key in s.requests.keys.sorted() {
      let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
      out += "radlm_http_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(s.requests[key]!)\n"
    }
    out += "# HELP radlm_http_request_duration_seconds Time from request to the end of the response.\n"
    out += "# TYPE radlm_http_request_duration_seconds histogram\n"
    for route in s.latency.keys.sorted() {
      out += Self.histogram(
        "radlm_http_request_duration_seconds", label: "route=\"\(route)\"", s.latency[route]!,
        bounds: Self.latencyBuckets)
    }
    out += "# HELP radlm_prompt_tokens_total Prompt tokens of finished generations.\n"
    out += "# TYPE radlm_prompt_tokens_total counter\nradlm_prompt_tokens_total \(s.promptTokens)\n"
    out += "# HELP radlm_completion_tokens_total Generated tokens of finished generations.\n"
    out += "# TYPE radlm_completion_tokens_total counter\nradlm_completion_tokens_total \(s.completionTokens)\n"
    out += "# HELP radlm_queue_waiting Generation requests waiting to join the batch.\n"
    out += "# TYPE radlm_queue_waiting gauge\nradlm_queue_waiting \(s.waiting)\n"
    out += "# HELP radlm_batch_active Sequences in the decoding batch.\n"
    out += "# TYPE radlm_batch_active gauge\nradlm_batch_active \(s.active)\n"
    out += "# HELP radlm_batch_occupancy Sequences per decoding step (at most --max-batch = \(s.maxBatch)).\n"
    out += "# TYPE radlm_batch_occupancy histogram\n"
    out += Self.histogram("radlm_batch_occupancy", label: nil, s.batch, bounds: batchBounds)
    return out
  }

  static func histogram(_ name: String, label: String?, _ h: Histogram, bounds: [Double]) -> String {
    let prefix = label.map { $0 + "," } ?? ""
    var out = ""
    for (bound, count) in zip(bounds, h.counts) {
      out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(count)\n"
    }
    out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
    let braces = label.map { "{\($0)}" } ?? ""
    out += "\(name)_sum\(braces) \(h.sum)\n\(name)_count\(braces) \(h.count)\n"
    return out
  }
}
