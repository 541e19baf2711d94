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
#endif
