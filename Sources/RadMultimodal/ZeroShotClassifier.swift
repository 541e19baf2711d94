import RadTensor

/// Zero-shot classification with a contrastive model: each class is described by several prompts
/// ("a chest X-ray showing pneumonia", "pneumonia"), whose normalised text embeddings are averaged
/// and renormalised (CLIP's prompt ensembling); an image's class probabilities are the softmax of
/// the scaled cosine similarities to these class vectors.
public struct ZeroShotClassifier: Sendable {
  public let labels: [String]
  /// [classes, projection], unit rows.
  public let classEmbeddings: Tensor
  public let logitScale: Float

  /// `prompts[c]` holds the token ids of every prompt for class `c`.
  public init(model: ContrastiveModel, labels: [String], prompts: [[[Int]]], padId: Int = 0) throws {
    precondition(labels.count == prompts.count && !labels.isEmpty, "one prompt list per label")
    var rows: [Tensor] = []
    try Autograd.inferenceMode {
      for classPrompts in prompts {
        precondition(!classPrompts.isEmpty, "every class needs at least one prompt")
        let (ids, mask) = ContrastiveObjective.collate(classPrompts, padId: padId)
        let embeddings = try model.textEmbeddings(ids: ids, attentionMask: mask)
        let mean = embeddings.mean(axis: 0, keepDims: true)
        rows.append(mean / (mean * mean).sum().sqrt())
      }
    }
    self.labels = labels
    classEmbeddings = Tensor.concatenate(rows, axis: 0)
    logitScale = model.logitScale.value.exp().item
  }

  /// Class probabilities [images, classes] for normalised image embeddings [images, projection].
  public func probabilities(imageEmbeddings: Tensor) -> Tensor {
    Autograd.inferenceMode {
      (imageEmbeddings.matmul(classEmbeddings, transposeOther: true) * logitScale).softmax()
    }
  }
}

/// Recall@K of cross-modal retrieval: for each query (an image, or a text) the items of the other
/// modality are ranked by similarity, and R@K is the fraction of queries whose matching item is
/// among the first K.
public enum RetrievalMetrics {
  /// `similarity` [queries, items]; `relevant[q]` is the index of query q's matching item.
  /// Ties rank the matching item after the others (a pessimistic count).
  public static func recall(similarity: Tensor, relevant: [Int], ks: [Int] = [1, 5, 10]) -> [Int: Double] {
    precondition(similarity.rank == 2 && similarity.shape[0] == relevant.count, "one relevant item per query")
    let items = similarity.shape[1]
    var hits = [Int: Int]()
    for (query, target) in relevant.enumerated() {
      let row = similarity.data[(query * items)..<((query + 1) * items)]
      let score = row[row.startIndex + target]
      let rank = row.filter { $0 >= score }.count  // 1-based, ties counted ahead of the match
      for k in ks where rank <= k { hits[k, default: 0] += 1 }
    }
    return Dictionary(
      uniqueKeysWithValues: ks.map { ($0, Double(hits[$0] ?? 0) / Double(Swift.max(relevant.count, 1))) })
  }
}
