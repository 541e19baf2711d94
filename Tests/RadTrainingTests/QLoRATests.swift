import Foundation
import RadModelFiles
import RadModels
import RadTensor
import RadTraining
import Testing

/// QLoRA: LoRA on a frozen base kept in Q4_1/Q8_0 blocks (no resident F32 copy) gives the same
/// loss and LoRA gradients as LoRA on the F32 weights those blocks decode to.
@Suite("QLoRA over quantised blocks")
struct QLoRATests {
  static func tinyLlama() -> LlamaModel {
    LlamaModel(
      config: LlamaConfiguration(vocabularySize: 96, width: 64, intermediateWidth: 96, layers: 2, heads: 4, kvHeads: 2),
      seed: 17)
  }

  static func attachAdapters(_ model: LlamaModel) throws -> LoRAAdapterSet {
    let adapters = try LoRAAdapterSet(
      attachingTo: model.parameters,
      configuration: LoRAConfiguration(rank: 4, alpha: 8, targetModules: ["q_proj", "v_proj", "down_proj"]), seed: 5)
    var random = SeededRandom(seed: 6)
    for adapter in adapters.adapters { adapter.b.update { $0 = $0.map { _ in (random.nextUniform() - 0.5) * 0.2 } } }
    return adapters
  }

  static func lossAndGradients(_ model: LlamaModel, _ rows: [[Int]]) throws -> (Float, [String: [Float]]) {
    let loss = try model.languageModelingLoss(TokenBatch(rows: rows))
    loss.backward()
    var gradients: [String: [Float]] = [:]
    for parameter in model.parameters.trainable { gradients[parameter.name] = parameter.gradient }
    return (loss.item, gradients)
  }

  /// Attaches the same adapters to both models and compares loss and LoRA gradients (1e-5 relative).
  static func expectSameLossAndGradients(_ quantised: LlamaModel, _ reference: LlamaModel, _ rows: [[Int]]) throws {
    let adapters = try attachAdapters(quantised)
    _ = try attachAdapters(reference)
    let (loss, gradients) = try lossAndGradients(quantised, rows)
    let (referenceLoss, referenceGradients) = try lossAndGradients(reference, rows)
    #expect(abs(loss - referenceLoss) <= 1e-5 * abs(referenceLoss), "loss \(loss) vs \(referenceLoss)")
    #expect(gradients.count == adapters.adapters.count * 2)
    #expect(Set(gradients.keys) == Set(referenceGradients.keys))
    for (name, reference) in referenceGradients {
      let gradient = try #require(gradients[name])
      let scale = reference.map(abs).max() ?? 0
      let worst = zip(gradient, reference).map { abs($0 - $1) }.max() ?? 0
      #expect(scale > 0, "\(name) gets a gradient")
      #expect(worst <= 1e-5 * scale, "\(name): max difference \(worst) at scale \(scale)")
    }
  }

  /// The frozen bases of a model, by layer name.
  static func frozenBases(_ model: LlamaModel) -> [String: QuantizedFrozenBase] {
    var bases: [String: QuantizedFrozenBase] = [:]
    for case (let name, let slot as LinearAdapterSlot) in model.parameters.attachments {
      if let base = slot.frozenBase as? QuantizedFrozenBase { bases[name] = base }
    }
    return bases
  }

  static let rows = [[3, 17, 42, 8, 91, 23, 5, 60, 11, 77], [9, 2, 33, 64, 70, 12, 45, 1, 88, 30]]

  /// A GGUF file as llama.cpp writes SmolLM2 (Q4_1 projections with permuted q/k rows, Q8_0
  /// embedding): QLoRA keeps the file's blocks, and trains exactly like LoRA on the F32 model
  /// the loader dequantises from the same file.
  @Test func ggufBlocksTrainLikeTheDequantisedModel() throws {
    let url = TrainingFixtures.folder.appendingPathComponent("tiny_llama_q4_1.gguf")
    let quantised = try GGUFLlamaLoader.load(url: url)
    let summary = try QuantizedLoRABase.freeze(quantised, dtype: .q4, gguf: try GGUFFile(url: url))
    #expect(summary.matrices == 14)
    let reference = try GGUFLlamaLoader.load(url: url)
    let bases = Self.frozenBases(quantised)
    #expect(bases.count == 14)
    for (name, base) in bases {
      #expect(base.matrix.format == .q4_1, "\(name) keeps the file's Q4_1 blocks")
      #expect(quantised.parameters[name + ".weight"]?.value.count == 0, "\(name) keeps an F32 copy")
      let weight = try #require(reference.parameters[name + ".weight"])
      #expect(base.matrix.dequantized().data == weight.value.data, "\(name): blocks decode to the loader's F32 weights")
    }
    try Self.expectSameLossAndGradients(quantised, reference, Self.rows)
  }

  /// `QuantizedLoRABase.load` reads the file's blocks without dequantising them first and ends
  /// with exactly the model `GGUFLlamaLoader.load` + `freeze` gives: same F32 parameters, same
  /// blocks, same summary, same loss and LoRA gradients. (q8 from this Q4_1 file quantises the
  /// projections from F32, so both routes are covered.)
  @Test(arguments: [WeightDType.q4, .q8])
  func loadingStraightIntoBlocksEqualsLoadingThenFreezing(_ dtype: WeightDType) throws {
    let url = TrainingFixtures.folder.appendingPathComponent("tiny_llama_q4_1.gguf")
    let (direct, summary) = try QuantizedLoRABase.load(try GGUFFile(url: url), dtype: dtype)
    let reference = try GGUFLlamaLoader.load(url: url)
    let expectedSummary = try QuantizedLoRABase.freeze(reference, dtype: dtype, gguf: try GGUFFile(url: url))
    #expect(summary == expectedSummary)
    #expect(direct.parameters.names == reference.parameters.names)
    for name in reference.parameters.names {
      #expect(direct.parameters[name]?.value.data == reference.parameters[name]?.value.data, "\(name)")
      #expect(direct.parameters[name]?.isTrainable == reference.parameters[name]?.isTrainable, "\(name)")
    }
    let bases = Self.frozenBases(direct), expectedBases = Self.frozenBases(reference)
    #expect(bases.count == 14 && Set(bases.keys) == Set(expectedBases.keys))
    for (name, base) in bases {
      let expected = try #require(expectedBases[name])
      #expect(base.matrix.format == expected.matrix.format, "\(name)")
      #expect(base.matrix.dequantized().data == expected.matrix.dequantized().data, "\(name)")
    }
    try Self.expectSameLossAndGradients(direct, reference, Self.rows)
  }

  @Test(arguments: [WeightDType.q4, .q8], [rows, [[4, 50, 6]]])
  func lossAndLoRAGradientsEqualTheDequantisedBase(_ dtype: WeightDType, _ rows: [[Int]]) throws {
    let quantised = Self.tinyLlama()
    let summary = try QuantizedLoRABase.freeze(quantised, dtype: dtype)
    // Every projection of both layers (7 each) and the untied LM head are in blocks, and their
    // F32 copies are gone.
    #expect(summary.matrices == 15)
    let frozen = Self.frozenBases(quantised)
    #expect(frozen.count == 15 && frozen["lm_head"] != nil)
    for (name, base) in frozen {
      #expect(quantised.parameters[name + ".weight"]?.value.count == 0, "\(name) keeps an F32 copy")
      #expect(base.matrix.format == (dtype == .q4 ? .q4_1 : .q8_0))
    }
    #expect(summary.quantizedBytes * (dtype == .q4 ? 5 : 3) < summary.releasedBytes)

    // The reference: plain F32 weights equal to what the blocks decode to.
    let dequantised = Self.tinyLlama()
    for (name, base) in frozen {
      let weight = try #require(dequantised.parameters[name + ".weight"])
      weight.update { $0 = base.matrix.dequantized().data }
    }

    try Self.expectSameLossAndGradients(quantised, dequantised, rows)
  }

  /// Big matrices are multiplied a chunk of decoded rows at a time; with small chunks (ragged
  /// last chunk included) the product and the input gradient equal those of the whole
  /// dequantised matrix.
  @Test(arguments: [WeightDType.q4, .q8], [1, 5, 16, 37])
  func chunkedProductAndGradientEqualTheDequantisedMatrix(_ dtype: WeightDType, _ chunkRows: Int) throws {
    var random = SeededRandom(seed: 21)
    let matrix = try QuantizedMatrix(
      quantizing: Tensor.normal([37, 64], using: &random), format: dtype == .q4 ? .q4_1 : .q8_0)
    let base = QuantizedFrozenBase(matrix: matrix, chunkRows: chunkRows)
    #expect(base.chunkRows == chunkRows)
    let input = Tensor.normal([2, 3, 64], using: &random)
    let seed = Tensor.normal([2, 3, 37], using: &random)

    let x = input.requiringGrad()
    let y = base.product(x)
    y.backward(gradient: seed)
    let reference = input.requiringGrad()
    let expected = reference.matmul(matrix.dequantized(), transposeOther: true)
    expected.backward(gradient: seed)

    func expectClose(_ values: [Float], _ expected: [Float], _ what: String) {
      let scale = expected.map(abs).max() ?? 0
      let worst = zip(values, expected).map { abs($0 - $1) }.max() ?? 0
      #expect(
        values.count == expected.count && scale > 0 && worst <= 1e-5 * scale, "\(what): \(worst) at scale \(scale)")
    }
    #expect(y.shape == [2, 3, 37])
    expectClose(y.data, expected.data, "product")
    expectClose(try #require(x.grad).data, try #require(reference.grad).data, "input gradient")
  }
}
