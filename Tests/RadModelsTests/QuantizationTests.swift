import Foundation
import RadModelFiles
import RadModels
import RadTensor
import Testing

/// Q8_0 / Q4_1 blocks: our quantiser against gguf-py's, and the SIMD kernels against F32 GEMMs
/// on the dequantised matrix.
@Suite("Quantised weights")
struct QuantizationTests {
  static func fixture() throws -> [String: Any] {
    let url = ModelFixture.root.appendingPathComponent("quantization.json")
    return try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
  }

  static func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      out.append(UInt8(hex[index..<next], radix: 16)!)
      index = next
    }
    return out
  }

  @Test(arguments: [("q8_0", QuantizedMatrix.Format.q8_0, GGMLType.q8_0), ("q4_1", .q4_1, .q4_1)])
  func quantiserAndKernelsMatchGGUFPy(_ key: String, _ format: QuantizedMatrix.Format, _ type: GGMLType) throws {
    let fixture = try Self.fixture()
    let shape = fixture["shape"] as! [Int]
    let weights = Tensor(shape: shape, data: (fixture["weights"] as! [NSNumber]).map { $0.floatValue })
    let reference = fixture[key] as! [String: Any]
    let expected = (reference["dequantized"] as! [NSNumber]).map { $0.floatValue }
    // Blocks as gguf-py wrote them, read by our unpacker.
    let raw = Self.bytes(hex: reference["bytes_hex"] as! String)
    let fromGGUF = try raw.withUnsafeBytes {
      try QuantizedMatrix(ggufBlocks: $0, type: type, rows: shape[0], columns: shape[1])
    }
    #expect(fromGGUF.dequantized().data == expected)
    // Our quantiser reproduces gguf-py's blocks exactly.
    let ours = try QuantizedMatrix(quantizing: weights, format: format)
    #expect(ours.dequantized().data == expected)
    // Kernels: one row and three rows of activations. The kernels quantise x to int8 blocks, so
    // they equal the F32 product of the dequantised weights with the dequantised activations, and
    // differ from the exact F32 product by at most Σ_j |w_j|·d_b/2 (each x_j moves ≤ half a step).
    var random = SeededRandom(seed: 3)
    for rows in [1, 3] {
      let x = Tensor.normal([rows, shape[1]], using: &random)
      let product = fromGGUF.apply(x, bias: nil)
      let activations = QuantizedActivations(x.data, rows: rows, columns: shape[1], withSums: false)
      let xq = Tensor(shape: x.shape, data: activations.q.enumerated().map { Float($1) * activations.scales[$0 / 32] })
      let w = fromGGUF.dequantized()
      #expect(maxAbsDifference(product, xq.matmul(w, transposeOther: true)) <= 1e-4)
      let bound = Tensor(shape: xq.shape, data: activations.q.indices.map { activations.scales[$0 / 32] / 2 })
        .matmul(Tensor(shape: w.shape, data: w.data.map { Swift.abs($0) }), transposeOther: true)
      let exact = x.matmul(w, transposeOther: true)
      for (i, (y, e)) in zip(product.data, exact.data).enumerated() { #expect(abs(y - e) <= bound.data[i] + 1e-4) }
    }
  }

  @Test func quantisedTinyLlamaDecodesLikeF32() throws {
    let fixture = try ModelFixture("llama")
    let model = try LlamaParityTests.load(fixture)
    let ids = [5, 9, 17, 3, 44]
    func greedy() throws -> [Int] {
      try Autograd.inferenceMode {
        let cache = model.makeCache(capacity: 20)
        var next = try model.lastLogits(TokenBatch(ids), cache: cache).argmax(axis: -1)[0]
        var out = [next]
        for _ in 0..<8 {
          next = try model.lastLogits(TokenBatch([next]), cache: cache).argmax(axis: -1)[0]
          out.append(next)
        }
        return out
      }
    }
    let f32 = try greedy()
    let stats = try ModelQuantizer.quantize(model, to: .q8)
    #expect(stats.matrices == 13)  // 6 per layer (down_proj has 48 columns: stays F32) + the untied head
    let q8Logits = try Autograd.inferenceMode { try model.lastLogits(TokenBatch([5]), cache: nil) }
    try ModelQuantizer.quantize(model, to: .f32)
    let f32Logits = try Autograd.inferenceMode { try model.lastLogits(TokenBatch([5]), cache: nil) }
    // Q8_0 error is about 0.5% of the weights' range: logits move, but only a little.
    #expect(maxAbsDifference(q8Logits, f32Logits) <= 0.05)
    #expect(q8Logits.data != f32Logits.data)
    #expect(try greedy() == f32)
  }
}

@Suite("Sinusoidal positions")
struct SinusoidalPositionTests {
  @Test func tableMatchesTransformersMarian() throws {
    let url = ModelFixture.root.appendingPathComponent("sinusoidal_positions.json")
    let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    let table = SinusoidalPositions.table(positions: fixture["positions"] as! Int, width: fixture["width"] as! Int)
    let expected = (fixture["table"] as! [NSNumber]).map { $0.floatValue }
    #expect(maxAbsDifference(table, Tensor(shape: table.shape, data: expected)) <= 1e-6)
  }
}
