import RadModels
import RadTensor
import Testing

/// `AttentionMask.isCausal` decides when attention may skip hidden keys instead of adding the
/// mask, so it must accept exactly the masks `make` builds for causal attention without padding.
@Suite("Attention masks")
struct AttentionMaskTests {
  @Test(arguments: [(queries: 5, keys: 5), (queries: 3, keys: 8), (queries: 70, keys: 70)])
  func causalMasksAreRecognised(_ sizes: (queries: Int, keys: Int)) throws {
    let mask = try #require(
      AttentionMask.make(
        batch: 2, queries: sizes.queries, keys: sizes.keys, offset: sizes.keys - sizes.queries, causal: true,
        keyMask: nil))
    #expect(AttentionMask.isCausal(mask, queries: sizes.queries, keys: sizes.keys))
    var altered = mask
    altered.data[sizes.keys - 1] = 0  // the first query may now see the last key
    #expect(!AttentionMask.isCausal(altered, queries: sizes.queries, keys: sizes.keys))
  }

  @Test func paddingMasksAreNotCausal() throws {
    let padded = try #require(
      AttentionMask.make(
        batch: 2, queries: 4, keys: 4, offset: 0, causal: true, keyMask: [[1, 1, 1, 1], [0, 1, 1, 1]]))
    #expect(!AttentionMask.isCausal(padded, queries: 4, keys: 4))
    let bidirectional = try #require(
      AttentionMask.make(batch: 1, queries: 4, keys: 4, offset: 0, causal: false, keyMask: [[1, 1, 1, 0]]))
    #expect(!AttentionMask.isCausal(bidirectional, queries: 4, keys: 4))
  }
}
