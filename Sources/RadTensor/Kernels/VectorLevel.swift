import CKernels

/// The vector instruction set RadTensor's C kernels (softmax, layer and RMS norm, GELU) run with.
/// By default it is the widest the CPU supports, detected at run time; setting a lower level runs
/// the narrower code paths, so that tests and benchmarks can check each of them on one machine.
public enum VectorLevel: Int, Comparable, CaseIterable, Sendable {
  /// SSE2 on x86-64 (NEON on arm64): 4 lanes, no fused multiply-add.
  case baseline = 0
  /// AVX2 with FMA: 8 lanes.
  case avx2 = 1
  /// AVX-512 (F, DQ, VL): 16 lanes.
  case avx512 = 2

  /// The level in use on this thread. Setting it caps the level at the given one (a level the CPU
  /// lacks leaves the widest it has) for the calling thread and the work it hands to the worker
  /// pool (`Parallel`), so that checking a narrower path never changes other threads' numbers.
  public static var current: VectorLevel {
    get { VectorLevel(rawValue: Int(radlm_vector_level())) ?? .baseline }
    set { radlm_set_vector_level(Int32(newValue.rawValue)) }
  }

  public static func < (lhs: VectorLevel, rhs: VectorLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
