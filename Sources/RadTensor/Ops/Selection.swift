import Foundation

/// Picking one entry per row: `selectLastAxis` returns, for each row of the last dimension, the
/// value at a given column (the log-probability of the chosen token, the score of a label). Rows
/// whose index is `ignoreIndex` give 0 and receive no gradient.
extension Tensor {
  public func selectLastAxis(_ indices: [Int], ignoreIndex: Int = -100) -> Tensor {
    let columns = shape.last ?? 1
    let rows = count / Swift.max(columns, 1)
    precondition(indices.count == rows, "selectLastAxis: \(indices.count) indices for \(rows) rows")
    var values = [Float](repeating: 0, count: rows)
    for (row, column) in indices.enumerated() where column != ignoreIndex {
      precondition(column >= 0 && column < columns, "index \(column) outside \(columns) columns")
      values[row] = data[row * columns + column]
    }
    return Tensor.result(shape: Array(shape.dropLast()), data: values, inputs: [self]) { gradient, _ in
      var spread = [Float](repeating: 0, count: rows * columns)
      for (row, column) in indices.enumerated() where column != ignoreIndex {
        spread[row * columns + column] = gradient[row]
      }
      return [spread]
    }
  }

  /// softplus(x) = log(1 + eˣ), computed without overflow; its derivative is σ(x). The DPO and
  /// reward-model losses are softplus of a margin (−log σ(m) = softplus(−m)).
  public func softplus() -> Tensor {
    unary({ x in
      // max(x, 0) + log1p(exp(−|x|)), with log1p from the vector exp: log(1 + e) for e ≤ 1.
      let e = simdExp(-simdAbs(x))
      var result = Float16Lanes(repeating: 0)
      for lane in 0..<16 { result[lane] = Swift.max(x[lane], 0) + Float.log1pSafe(e[lane]) }
      return result
    }) { x, _ in 1 / (1 + simdExp(-x)) }
  }
}

extension Float {
  @inline(__always)
  static func log1pSafe(_ x: Float) -> Float {
    // log1p via the classic correction: u = 1 + x; log(u) · x / (u − 1) keeps precision for small x.
    let u = 1 + x
    if u == 1 { return x }
    return Float(Foundation.log(Double(u))) * x / (u - 1)
  }
}
