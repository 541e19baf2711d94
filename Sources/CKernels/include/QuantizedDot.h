#ifndef RADLM_QUANTIZED_DOT_H
#define RADLM_QUANTIZED_DOT_H
// Integer dot-product kernels for single-token decoding on llama.cpp block formats (RadModels'
// QuantizedMatrix), as llama.cpp computes them: the activation vector is quantised once per
// matrix product to int8 blocks of 32 (scale d = max|x|/127, like Q8_0; plus s = d·Σq, like
// Q8_1, for Q4_1 weights' minimum term), and each weight block meets its activation block in an
// integer dot product (AVX2 vpmaddubsw, or AVX-512 VNNI vpdpbusd), scaled once per block.
// Every kernel takes a `level` (RADLM_QUANT_GENERIC, _AVX2 or _VNNI) so that callers and tests
// can run each path; radlm_quant_best_level() is the fastest the CPU supports.
#include <stddef.h>
#include <stdint.h>

enum { RADLM_QUANT_GENERIC = 0, RADLM_QUANT_AVX2 = 1, RADLM_QUANT_VNNI = 2 };

/// The fastest level this CPU supports (checked once with __builtin_cpu_supports).
int radlm_quant_best_level(void);

/// Quantises x[blocks·32] to int8 blocks the way gguf-py's Q8_0 does (d = max|x|/127, q =
/// x·(1/d) rounded half away from zero), keeping d in F32. With `sums` non-null also writes
/// sums[b] = d[b]·Σ_j q[b,j] (llama.cpp's Q8_1 `s`).
void radlm_quantize_q8_blocks(int level, const float *x, ptrdiff_t blocks, int8_t *q, float *d, float *sums);

/// out[r] = Σ_b w_d[r,b]·x_d[b]·Σ_j w[r,b,j]·x_q[b,j] for `rows` Q8_0 rows (32 int8 per block).
void radlm_q8_0_q8_rows(int level, const int8_t *values, const float *scales, const int8_t *xq, const float *xd,
                        ptrdiff_t rows, ptrdiff_t blocks, float *out);

/// out[r] = Σ_b (w_d[r,b]·x_d[b]·Σ_j w[r,b,j]·x_q[b,j] + w_m[r,b]·x_s[b]) for `rows` Q4_1 rows
/// (16 bytes of nibbles per block, low nibbles = weights 0–15, high nibbles = weights 16–31).
void radlm_q4_1_q8_rows(int level, const uint8_t *values, const float *scales, const float *minimums,
                        const int8_t *xq, const float *xd, const float *xs, ptrdiff_t rows, ptrdiff_t blocks,
                        float *out);

/// `bytes` (rounded up to whole 2 MB pages) aligned to 2 MB and advised for transparent huge
/// pages, for weights that are streamed every token; NULL when out of memory. Free with
/// radlm_huge_free.
void *radlm_huge_alloc(size_t bytes);
void radlm_huge_free(void *p);
#endif
