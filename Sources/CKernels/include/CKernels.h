#ifndef RADLM_CKERNELS_H
#define RADLM_CKERNELS_H
// Element-wise and row kernels compiled for AVX-512 and for AVX2+FMA (chosen at run time by
// __builtin_cpu_supports), with a baseline SSE2 fallback. Swift code is built for baseline
// x86-64 (SSE2, no FMA) because SwiftPM packages may not pass -mcpu flags; these functions give
// the hot kernels 16- or 8-wide FMA arithmetic without any unsafe flags.
#include <stddef.h>

/// Vector instruction levels of the kernels below.
enum { RADLM_VECTOR_BASELINE = 0, RADLM_VECTOR_AVX2 = 1, RADLM_VECTOR_AVX512 = 2 };
/// The level the kernels run at: the widest the CPU supports, capped by radlm_set_vector_level.
int radlm_vector_level(void);
/// Caps the level (tests and benchmarks run every code path on one machine); returns the level now used.
int radlm_set_vector_level(int level);
/// The calling thread's raw cap (-1 when none was set), and setting it: how a pool hands the
/// caller's level to the threads that run the caller's work.
int radlm_thread_vector_cap(void);
void radlm_set_thread_vector_cap(int cap);

/// y[i] = x[i] * Φ(x[i]) with Φ through erf (PyTorch gelu, approximate="none").
void radlm_gelu_erf(const float *x, float *y, ptrdiff_t count);
/// y[i] = 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))) (PyTorch gelu, approximate="tanh").
void radlm_gelu_tanh(const float *x, float *y, ptrdiff_t count);
/// dx[i] = gradient[i] · GELU'(x[i]) for the erf form and the tanh form.
void radlm_gelu_erf_backward(const float *x, const float *gradient, float *dx, ptrdiff_t count);
void radlm_gelu_tanh_backward(const float *x, const float *gradient, float *dx, ptrdiff_t count);
/// Softmax of each row of a [rows, columns] row-major matrix.
void radlm_softmax_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns);
/// Layer norm (centred != 0) or RMS norm (centred == 0) of each row of a [rows, columns] matrix:
/// y = (x − mean) / sqrt(var + eps) · gamma + beta, mean = 0 for RMS norm; gamma and beta may be
/// NULL. When statistics is not NULL it receives (mean, 1/sqrt(var + eps)) per row.
void radlm_norm_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns, const float *gamma,
                     const float *beta, float eps, int centred, float *statistics);
/// Backward of radlm_norm_rows from its statistics: dx (may be NULL) for each row, and the row sums
/// of gradient·x̂ and gradient added into dgamma and dbeta (either may be NULL); gamma may be NULL.
void radlm_norm_backward_rows(const float *gradient, const float *x, const float *statistics, const float *gamma,
                              ptrdiff_t rows, ptrdiff_t columns, int centred, float *dx, float *dgamma, float *dbeta);
/// The single-row product y[n] = alpha · a·B + beta · y (y is not read when beta == 0), B row-major
/// with leading dimension ldb: B is [k, n] (y[j] = Σ_i a[i] B[i][j]) or, when b_is_n_by_k, [n, k]
/// (y[j] = Σ_i B[j][i] a[i]). Split over `threads` threads of the worker pool.
void radlm_gemv(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t n, int b_is_n_by_k, float alpha,
                float beta, float *y, ptrdiff_t threads);
/// Keys per panel of radlm_attention_pack_keys.
enum { RADLM_ATTENTION_PANEL = 32 };
/// Whether radlm_attention_rows handles this head dimension (a multiple of 4; it runs at the
/// widest vector level whose width, 16, 8 or 4 floats, divides the head dimension).
int radlm_attention_supported(ptrdiff_t head_dim);
/// Packs keys [keys, head_dim] (row stride ldk) transposed into panels of RADLM_ATTENTION_PANEL
/// keys: key s, dimension d lands at packed[(s / 32) · head_dim · 32 + d · 32 + s % 32]; the last
/// panel is padded with zeros. `packed` holds ceil(keys / 32) · head_dim · 32 floats.
void radlm_attention_pack_keys(const float *k, ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t head_dim, float *packed);
/// Attention of one block of `rows` query rows of one head (single-threaded; the caller spreads
/// blocks over cores): p[r][s] = softmax_s(scale · q_r·k_s + mask[r][s]) over the keys row r sees
/// (first_visible + r of them when causal, else all `keys`), zero beyond them up to `keys`; then
/// out[r] = Σ_s p[r][s] · v_s. q, v, mask, p and out are row-major with the given row strides
/// (ldp >= keys); mask may be NULL; keys come packed by radlm_attention_pack_keys.
void radlm_attention_rows(const float *q, ptrdiff_t ldq, const float *packed_keys, const float *v, ptrdiff_t ldv,
                          ptrdiff_t rows, ptrdiff_t keys, ptrdiff_t head_dim, ptrdiff_t first_visible, int causal,
                          float scale, const float *mask, ptrdiff_t ldmask, float *p, ptrdiff_t ldp, float *out,
                          ptrdiff_t ldo);
/// A piece of parallel work: task(context, piece) for piece in 0..<pieces.
typedef void (*radlm_task)(void *context, ptrdiff_t piece);
/// Runs task(context, piece) for every piece, spread over the caller and up to threads − 1
/// persistent helper threads (WorkerPool.c); returns when all pieces are done. Returns 0 without
/// running anything when the pool is busy with another caller's job (run the pieces some other
/// way then), 1 otherwise.
int radlm_parallel_run(ptrdiff_t pieces, ptrdiff_t threads, radlm_task task, void *context);
// Quantised dot products (QuantizedDot.c), declared in their own header.
#include "QuantizedDot.h"
#endif
