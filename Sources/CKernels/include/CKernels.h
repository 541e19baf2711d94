#ifndef RADLM_CKERNELS_H
#define RADLM_CKERNELS_H
// Transcendental element-wise kernels compiled for AVX2+FMA when the CPU has it (chosen at load
// time by __builtin_cpu_supports), with a baseline SSE2 fallback. Swift code is built for baseline
// x86-64 (SSE2, no FMA) because SwiftPM packages may not pass -mcpu flags; these functions give
// the hot kernels 8-wide FMA arithmetic without any unsafe flags.
#include <stddef.h>

/// y[i] = x[i] * Φ(x[i]) with Φ through erf (PyTorch gelu, approximate="none").
void radlm_gelu_erf(const float *x, float *y, ptrdiff_t count);
/// y[i] = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))) (PyTorch gelu, approximate="tanh").
void radlm_gelu_tanh(const float *x, float *y, ptrdiff_t count);
/// Softmax of each row of a [rows, columns] row-major matrix.
void radlm_softmax_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns);
/// out[r] = Σ_b d[r,b] Σ_j q[r,b,j] x[b,j] for `rows` Q8_0 rows (32 int8 per block) — RadModels'
/// quantised decoding (QuantizedDot.c).
void radlm_q8_0_rows(const unsigned char *values, const float *scales, const float *x, ptrdiff_t rows,
                     ptrdiff_t blocks, float *out);
/// out[r] = Σ_b (d[r,b] Σ_j q[r,b,j] x[b,j] + m[r,b] Σ_j x[b,j]) for `rows` Q4_1 rows (16 bytes of
/// nibbles per block, low nibbles = weights 0–15); block_sums[b] = Σ_j x[b,j].
void radlm_q4_1_rows(const unsigned char *values, const float *scales, const float *minimums, const float *x,
                     const float *block_sums, ptrdiff_t rows, ptrdiff_t blocks, float *out);
#endif
