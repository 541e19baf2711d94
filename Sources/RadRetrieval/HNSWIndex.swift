import CVectorKernels
import Foundation

/// Approximate nearest neighbours by a hierarchical navigable small-world graph (Malkov and
/// Yashunin): each vector is a node linked to near neighbours on the bottom layer and, with
/// geometrically falling probability, on sparser upper layers. A search walks greedily down the
/// upper layers, then keeps `efSearch` candidates on the bottom one. Neighbours are chosen with
/// the diversity heuristic, so links reach in several directions rather than into one cluster.
public final class HNSWIndex: @unchecked Sendable {
  // @unchecked: the graph is only mutated by `add` (one writer, before any search); searches only
  // read it and keep their own scratch state.
  public let parameters: HNSWParameters
  public let dimension: Int
  /// Row-major vectors (normalised for cosine), in node order.
  public internal(set) var vectors: [Float]
  public internal(set) var count = 0
  var levels: [UInt8] = []
  /// Bottom-layer links: `maxLinks0` slots per node; `level0Counts` says how many are used.
  var level0: [Int32] = []
  var level0Counts: [Int32] = []
  /// Upper-layer links of each node: `upper[node][layer - 1]`.
  var upper: [[[Int32]]] = []
  var entryPoint: Int32 = -1
  var maxLevel = -1

  var maxLinks0: Int { 2 * parameters.m }
  var levelScale: Double { 1 / log(Double(Swift.max(parameters.m, 2))) }

  public init(dimension: Int, parameters: HNSWParameters) {
    self.dimension = dimension
    self.parameters = parameters
    vectors = []
  }

  /// Builds the graph over row-major `vectors` (inserted in row order).
  public convenience init(vectors: [Float], dimension: Int, parameters: HNSWParameters) {
    self.init(dimension: dimension, parameters: parameters)
    add(vectors)
  }

  /// Inserts row-major vectors after the existing nodes; `progress` gets the node count now and then.
  public func add(_ newVectors: [Float], progress: ((Int) -> Void)? = nil) {
    let added = newVectors.count / dimension
    guard added > 0 else { return }
    vectors += parameters.metric.prepared(newVectors, dimension: dimension)
    level0 += [Int32](repeating: -1, count: added * maxLinks0)
    level0Counts += [Int32](repeating: 0, count: added)
    var scratch = SearchScratch(capacity: count + added)
    for _ in 0..<added {
      let node = count
      count += 1
      levels.append(level(of: node))
      upper.append([[Int32]](repeating: [], count: Int(levels[node])))
      insert(Int32(node), scratch: &scratch)
      if let progress, count % 5000 == 0 { progress(count) }
    }
  }

  /// The node's top layer, drawn from the seed and the node number alone (not from a running
  /// generator), so a restored index grows exactly as the original would.
  func level(of node: Int) -> UInt8 {
    var random = SplitMix64(state: parameters.seed ^ (UInt64(node) &* 0xd1b5_4a32_d192_ed03))
    return UInt8(Swift.min(Int(-log(random.unit()) * levelScale), 31))
  }

  // MARK: - Search

  /// Per-search working memory: visit marks (a generation counter avoids clearing them) and buffers.
  struct SearchScratch {
    var visited: [UInt32]
    var tag: UInt32 = 0
    var ids: [Int32] = []
    var distances: [Float] = []

    init(capacity: Int) { visited = [UInt32](repeating: 0, count: capacity) }

    mutating func newSearch(nodes: Int) {
      if visited.count < nodes { visited += [UInt32](repeating: 0, count: nodes - visited.count) }
      tag &+= 1
      if tag == 0 {
        for i in visited.indices { visited[i] = 0 }
        tag = 1
      }
    }
  }

  @inline(__always) func distance(_ q: UnsafePointer<Float>, _ node: Int32) -> Float {
    var row = node
    var out: Float = 0
    vectors.withUnsafeBufferPointer { v in
      radlm_gather_distances(q, v.baseAddress, dimension, &row, 1, parameters.metric.distanceKind, &out)
    }
    return out
  }

  /// Calls `body` with the links of `node` on `layer`.
  @inline(__always) func withLinks<R>(_ node: Int32, layer: Int, _ body: (UnsafeBufferPointer<Int32>) -> R) -> R {
    if layer == 0 {
      let n = Int(node)
      return level0.withUnsafeBufferPointer { p in
        body(UnsafeBufferPointer(rebasing: p[(n * maxLinks0)..<(n * maxLinks0 + Int(level0Counts[n]))]))
      }
    }
    return upper[Int(node)][layer - 1].withUnsafeBufferPointer(body)
  }

  /// Greedy descent on one layer: moves to a closer neighbour until none is closer.
  func greedy(_ q: UnsafePointer<Float>, from start: Int32, distance startDistance: Float, layer: Int,
              scratch: inout SearchScratch) -> (Int32, Float) {
    var current = start
    var best = startDistance
    var changed = true
    while changed {
      changed = false
      let n = withLinks(current, layer: layer) { links -> Int in
        scratch.ids.removeAll(keepingCapacity: true)
        scratch.ids.append(contentsOf: links)
        return links.count
      }
      if n == 0 { break }
      if scratch.distances.count < n { scratch.distances = [Float](repeating: 0, count: n) }
      vectors.withUnsafeBufferPointer { v in
        scratch.ids.withUnsafeBufferPointer { ids in
          scratch.distances.withUnsafeMutableBufferPointer { d in
            radlm_gather_distances(q, v.baseAddress, dimension, ids.baseAddress, n, parameters.metric.distanceKind,
                                   d.baseAddress)
          }
        }
      }
      for i in 0..<n where scratch.distances[i] < best {
        best = scratch.distances[i]
        current = scratch.ids[i]
        changed = true
      }
    }
    return (current, best)
  }

  /// The `ef` closest nodes found on `layer` from `entry`, closest first. With `allowed`, only
  /// allowed nodes are returned (all nodes are still walked through).
  func searchLayer(
    _ q: UnsafePointer<Float>, entry: Int32, entryDistance: Float, ef: Int, layer: Int,
    scratch: inout SearchScratch, allowed: UnsafeBufferPointer<Bool>? = nil
  ) -> [(distance: Float, node: Int32)] {
    scratch.newSearch(nodes: count)
    let tag = scratch.tag
    var candidates = NodeHeap()  // nearest first (distances negated in a max-heap)
    var results = NodeHeap()  // farthest first
    scratch.visited[Int(entry)] = tag
    candidates.push(-entryDistance, entry)
    if allowed == nil || allowed![Int(entry)] { results.push(entryDistance, entry) }
    while let (negated, node) = candidates.top {
      if results.count >= ef, -negated > results.top!.0 { break }
      candidates.pop()
      var n = 0
      withLinks(node, layer: layer) { links in
        scratch.ids.removeAll(keepingCapacity: true)
        for next in links where scratch.visited[Int(next)] != tag {
          scratch.visited[Int(next)] = tag
          scratch.ids.append(next)
        }
        n = scratch.ids.count
      }
      if n == 0 { continue }
      if scratch.distances.count < n { scratch.distances = [Float](repeating: 0, count: Swift.max(n, 64)) }
      vectors.withUnsafeBufferPointer { v in
        scratch.ids.withUnsafeBufferPointer { ids in
          scratch.distances.withUnsafeMutableBufferPointer { d in
            radlm_gather_distances(q, v.baseAddress, dimension, ids.baseAddress, n, parameters.metric.distanceKind,
                                   d.baseAddress)
          }
        }
      }
      for i in 0..<n {
        let d = scratch.distances[i]
        let next = scratch.ids[i]
        if results.count < ef || d < results.top!.0 {
          candidates.push(-d, next)
          if allowed == nil || allowed![Int(next)] {
            results.push(d, next)
            if results.count > ef { results.pop() }
          }
        }
      }
    }
    return results.drainAscending()
  }

  /// The k nearest nodes to `query` (its metric's preparation is applied here), best first.
  public func search(_ query: [Float], k: Int, efSearch: Int? = nil, allowed: [Bool]? = nil) -> [VectorHit] {
    var scratch = SearchScratch(capacity: count)
    return search(query, k: k, efSearch: efSearch, allowed: allowed, scratch: &scratch)
  }

  func search(_ query: [Float], k: Int, efSearch: Int?, allowed: [Bool]?, scratch: inout SearchScratch) -> [VectorHit] {
    guard count > 0, k > 0 else { return [] }
    let q = parameters.metric.prepared(query, dimension: dimension)
    let ef = Swift.max(efSearch ?? parameters.efSearch, k)
    return q.withUnsafeBufferPointer { qp -> [VectorHit] in
      let qb = qp.baseAddress!
      var current = entryPoint
      var best = distance(qb, current)
      if maxLevel > 0 {
        for layer in stride(from: maxLevel, through: 1, by: -1) {
          (current, best) = greedy(qb, from: current, distance: best, layer: layer, scratch: &scratch)
        }
      }
      let found: [(distance: Float, node: Int32)]
      if let allowed {
        found = allowed.withUnsafeBufferPointer { a in
          searchLayer(qb, entry: current, entryDistance: best, ef: ef, layer: 0, scratch: &scratch, allowed: a)
        }
      } else {
        found = searchLayer(qb, entry: current, entryDistance: best, ef: ef, layer: 0, scratch: &scratch)
      }
      return found.prefix(k).map { VectorHit(row: Int($0.node), score: -$0.distance) }
    }
  }

  /// Searches many queries (row-major), split over `threads` threads, each with its own scratch.
  public func search(queries: [Float], k: Int, efSearch: Int? = nil, threads: Int = 1) -> [[VectorHit]] {
    let nq = queries.count / dimension
    let workers = Swift.max(1, Swift.min(threads, nq))
    let slots = ResultSlots<[VectorHit]>(count: nq)
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var scratch = SearchScratch(capacity: count)
      var i = w
      while i < nq {
        let query = Array(queries[(i * dimension)..<((i + 1) * dimension)])
        slots.set(i, search(query, k: k, efSearch: efSearch, allowed: nil, scratch: &scratch))
        i += workers
      }
    }
    return slots.values.map { $0 ?? [] }
  }

  // MARK: - Insertion

  private func insert(_ node: Int32, scratch: inout SearchScratch) {
    let level = Int(levels[Int(node)])
    if entryPoint < 0 {
      entryPoint = node
      maxLevel = level
      return
    }
    let start = Int(node) * dimension
    // Copy the query: `vectors` may not be borrowed while links are written.
    let query = Array(vectors[start..<(start + dimension)])
    query.withUnsafeBufferPointer { qp in
      let q = qp.baseAddress!
      var current = entryPoint
      var best = distance(q, current)
      if maxLevel > level {
        for layer in stride(from: maxLevel, to: level, by: -1) {
          (current, best) = greedy(q, from: current, distance: best, layer: layer, scratch: &scratch)
        }
      }
      for layer in stride(from: Swift.min(level, maxLevel), through: 0, by: -1) {
        let found = searchLayer(q, entry: current, entryDistance: best, ef: parameters.efConstruction, layer: layer,
                                scratch: &scratch)
        let chosen = selectNeighbors(found, limit: parameters.m)
        setLinks(node, layer: layer, chosen.map(\.node))
        for neighbor in chosen { connect(neighbor.node, to: node, distance: neighbor.distance, layer: layer) }
        if let nearest = found.first { (best, current) = (nearest.distance, nearest.node) }
      }
    }
    if level > maxLevel {
      maxLevel = level
      entryPoint = node
    }
  }

  /// The diversity heuristic: walking candidates from nearest, keep one only if it is closer to
  /// the base node than to every neighbour already kept.
  private func selectNeighbors(_ candidates: [(distance: Float, node: Int32)], limit: Int)
    -> [(distance: Float, node: Int32)]
  {
    if candidates.count <= limit { return candidates }
    var kept: [(distance: Float, node: Int32)] = []
    var keptIds: [Int32] = []
    var between = [Float](repeating: 0, count: limit)
    for candidate in candidates {
      if kept.count >= limit { break }
      var diverse = true
      if !kept.isEmpty {
        let start = Int(candidate.node) * dimension
        vectors.withUnsafeBufferPointer { v in
          keptIds.withUnsafeBufferPointer { ids in
            between.withUnsafeMutableBufferPointer { d in
              radlm_gather_distances(v.baseAddress! + start, v.baseAddress, dimension, ids.baseAddress, ids.count,
                                     parameters.metric.distanceKind, d.baseAddress)
            }
          }
        }
        for i in 0..<kept.count where between[i] < candidate.distance {
          diverse = false
          break
        }
      }
      if diverse {
        kept.append(candidate)
        keptIds.append(candidate.node)
      }
    }
    return kept
  }

  private func setLinks(_ node: Int32, layer: Int, _ ids: [Int32]) {
    if layer == 0 {
      let base = Int(node) * maxLinks0
      for (i, id) in ids.prefix(maxLinks0).enumerated() { level0[base + i] = id }
      level0Counts[Int(node)] = Int32(Swift.min(ids.count, maxLinks0))
    } else {
      upper[Int(node)][layer - 1] = ids
    }
  }

  /// Adds a link from `node` back to `newNode`; a full list is re-chosen by the heuristic.
  private func connect(_ node: Int32, to newNode: Int32, distance: Float, layer: Int) {
    let limit = layer == 0 ? maxLinks0 : parameters.m
    var current = withLinks(node, layer: layer) { Array($0) }
    if current.count < limit {
      current.append(newNode)
      setLinks(node, layer: layer, current)
      return
    }
    current.append(newNode)
    let start = Int(node) * dimension
    var distances = [Float](repeating: 0, count: current.count)
    vectors.withUnsafeBufferPointer { v in
      current.withUnsafeBufferPointer { ids in
        distances.withUnsafeMutableBufferPointer { d in
          radlm_gather_distances(v.baseAddress! + start, v.baseAddress, dimension, ids.baseAddress, ids.count,
                                 parameters.metric.distanceKind, d.baseAddress)
        }
      }
    }
    let candidates = zip(distances, current).map { (distance: $0, node: $1) }.sorted { $0.distance < $1.distance }
    setLinks(node, layer: layer, selectNeighbors(candidates, limit: limit).map(\.node))
  }
}

/// A binary max-heap of (distance, node) pairs: the farthest result on top, or, with negated
/// distances, the nearest candidate.
struct NodeHeap {
  private(set) var keys: [Float] = []
  private(set) var nodes: [Int32] = []

  var count: Int { keys.count }
  var top: (Float, Int32)? { keys.isEmpty ? nil : (keys[0], nodes[0]) }

  mutating func push(_ key: Float, _ node: Int32) {
    keys.append(key)
    nodes.append(node)
    var i = keys.count - 1
    while i > 0 {
      let parent = (i - 1) >> 1
      if keys[parent] >= keys[i] { break }
      keys.swapAt(parent, i)
      nodes.swapAt(parent, i)
      i = parent
    }
  }

  mutating func pop() {
    let last = keys.count - 1
    keys.swapAt(0, last)
    nodes.swapAt(0, last)
    keys.removeLast()
    nodes.removeLast()
    var i = 0
    let n = keys.count
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var m = i
      if l < n && keys[l] > keys[m] { m = l }
      if r < n && keys[r] > keys[m] { m = r }
      if m == i { break }
      keys.swapAt(i, m)
      nodes.swapAt(i, m)
      i = m
    }
  }

  /// All entries by ascending key (the heap is emptied).
  mutating func drainAscending() -> [(distance: Float, node: Int32)] {
    var out: [(distance: Float, node: Int32)] = []
    out.reserveCapacity(count)
    while let (key, node) = top {
      out.append((key, node))
      pop()
    }
    return out.reversed()
  }
}

/// Results written by concurrent workers, each into its own slot, behind a lock.
final class ResultSlots<Value>: @unchecked Sendable {
  // @unchecked: every access to `storage` holds `lock`.
  private var storage: [Value?]
  private let lock = NSLock()

  init(count: Int) { storage = [Value?](repeating: nil, count: count) }

  func set(_ index: Int, _ value: Value) {
    lock.lock()
    storage[index] = value
    lock.unlock()
  }

  var values: [Value?] {
    lock.lock()
    defer { lock.unlock() }
    return storage
  }
}
