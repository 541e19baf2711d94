#include "CKernels.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define INLINE static inline __attribute__((always_inline))
#include "GELUTable.h"

#if defined(__x86_64__)
// 16 lanes with AVX-512 (Zen 4 runs them as two 256-bit halves, but at half the instructions).
typedef float vf16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));
#define vf vf16
#define vi vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#define NAME(x) x##_avx512
// table[index[lane]] for a 16-entry table: one permute.
INLINE TARGET vf lookup_avx512(const float *table, vi index) {
  return (vf)_mm512_permutexvar_ps((__m512i)index, _mm512_loadu_ps(table));
}
// The first `available` (< 16) lanes, one masked instruction (the memcpy of the generic load is a
// call); used by the single-row product's short steps.
INLINE TARGET vf partial_load_avx512(const float *p, ptrdiff_t available) {
  return (vf)_mm512_maskz_loadu_ps((__mmask16)((1u << available) - 1), p);
}
INLINE TARGET void partial_store_avx512(float *p, vf v, ptrdiff_t available) {
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << available) - 1), (__m512)v);
}
#include "VectorMathBody.h"
#define SCORE_ROWS 6
#define VALUE_ROWS 6
#include "AttentionBody.h"
#undef SCORE_ROWS
#undef VALUE_ROWS
#undef vf
#undef vi
#undef W
#undef TARGET
#undef NAME

// 8 lanes with AVX2 and FMA.
typedef float vf8 __attribute__((vector_size(32)));
typedef int32_t vi8 __attribute__((vector_size(32)));
#define vf vf8
#define vi vi8
#define W 8
#define TARGET __attribute__((target("avx2,fma")))
#define NAME(x) x##_avx2
// table[index[lane]] for a 16-entry table: a permute of each half, then a blend on index bit 3.
INLINE TARGET vf lookup_avx2(const float *table, vi index) {
  __m256i i = (__m256i)index;
  __m256 low = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table), i);
  __m256 high = _mm256_permutevar8x32_ps(_mm256_loadu_ps(table + 8), i);
  return (vf)_mm256_blendv_ps(low, high, _mm256_castsi256_ps(_mm256_slli_epi32(i, 28)));
}
INLINE TARGET __m256i partial_mask_avx2(ptrdiff_t available) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)available), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
INLINE TARGET vf partial_load_avx2(const float *p, ptrdiff_t available) {
  return (vf)_mm256_maskload_ps(p, partial_mask_avx2(available));
}
INLINE TARGET void partial_store_avx2(float *p, vf v, ptrdiff_t available) {
  _mm256_maskstore_ps(p, partial_mask_avx2(available), (__m256)v);
}
#include "VectorMathBody.h"
#define SCORE_ROWS 3
#define VALUE_ROWS 3
#include "AttentionBody.h"
#undef SCORE_ROWS
#undef VALUE_ROWS
#undef vf
#undef vi
#undef W
#undef TARGET
#undef NAME

#endif

// 4 lanes with the baseline vector unit (SSE2 on x86-64, NEON on arm64).
typedef float vf4 __attribute__((vector_size(16)));
typedef int32_t vi4 __attribute__((vector_size(16)));
#define vf vf4
#define vi vi4
#define W 4
#define TARGET
#define NAME(x) x##_sse2
INLINE vf lookup_sse2(const float *table, vi index) {
  vf result;
  for (int lane = 0; lane < 4; lane++) result[lane] = table[index[lane] & 15];
  return result;
}
INLINE vf partial_load_sse2(const float *p, ptrdiff_t available) {
  vf v = {0, 0, 0, 0};
  for (ptrdiff_t lane = 0; lane < available; lane++) v[lane] = p[lane];
  return v;
}
INLINE void partial_store_sse2(float *p, vf v, ptrdiff_t available) {
  for (ptrdiff_t lane = 0; lane < available; lane++) p[lane] = v[lane];
}
#include "VectorMathBody.h"
#define SCORE_ROWS 1
#define VALUE_ROWS 3
#include "AttentionBody.h"
#undef SCORE_ROWS
#undef VALUE_ROWS

// The widest level the CPU supports (a benign race: every thread computes the same value), and
// the calling thread's cap set by radlm_set_vector_level (-1: none). The cap is per thread so that
// a test or benchmark running narrower code paths never changes the numbers of work running beside
// it; the worker pool hands its owner's cap to the helpers that run the owner's pieces.
static int detected_level = -1;
static _Thread_local int level_cap = -1;

int radlm_thread_vector_cap(void) { return level_cap; }

void radlm_set_thread_vector_cap(int cap) { level_cap = cap; }

static int detect_level(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return RADLM_VECTOR_AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return RADLM_VECTOR_AVX2;
#endif
  return RADLM_VECTOR_BASELINE;
}

int radlm_vector_level(void) {
  if (detected_level < 0) detected_level = detect_level();
  int cap = level_cap < 0 ? RADLM_VECTOR_AVX512 : level_cap;
  return detected_level < cap ? detected_level : cap;
}

int radlm_set_vector_level(int level) {
  level_cap = level < RADLM_VECTOR_BASELINE ? RADLM_VECTOR_BASELINE : level;
  return radlm_vector_level();
}

#if defined(__x86_64__)
#define DISPATCH(function, ...)                                                           \
  do {                                                                                    \
    int level = radlm_vector_level();                                                    \
    if (level >= RADLM_VECTOR_AVX512) function##_avx512(__VA_ARGS__);                    \
    else if (level >= RADLM_VECTOR_AVX2) function##_avx2(__VA_ARGS__);                   \
    else function##_sse2(__VA_ARGS__);                                                   \
  } while (0)
#else
#define DISPATCH(function, ...) function##_sse2(__VA_ARGS__)
#endif

void radlm_gelu_erf(const float *x, float *y, ptrdiff_t count) { DISPATCH(gelu_erf, x, y, count); }
void radlm_gelu_tanh(const float *x, float *y, ptrdiff_t count) { DISPATCH(gelu_tanh, x, y, count); }
void radlm_gelu_erf_backward(const float *x, const float *gradient, float *dx, ptrdiff_t count) {
  DISPATCH(gelu_erf_backward, x, gradient, dx, count);
}
void radlm_gelu_tanh_backward(const float *x, const float *gradient, float *dx, ptrdiff_t count) {
  DISPATCH(gelu_tanh_backward, x, gradient, dx, count);
}
void radlm_softmax_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns) {
  DISPATCH(softmax_rows, x, y, rows, columns);
}
void radlm_norm_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns, const float *gamma,
                     const float *beta, float eps, int centred, float *statistics) {
  DISPATCH(norm_rows, x, y, rows, columns, gamma, beta, eps, centred, statistics);
}
void radlm_norm_backward_rows(const float *gradient, const float *x, const float *statistics, const float *gamma,
                              ptrdiff_t rows, ptrdiff_t columns, int centred, float *dx, float *dgamma, float *dbeta) {
  DISPATCH(norm_backward_rows, gradient, x, statistics, gamma, rows, columns, centred, dx, dgamma, dbeta);
}

int radlm_attention_supported(ptrdiff_t head_dim) { return head_dim > 0 && head_dim % 4 == 0; }

void radlm_attention_pack_keys(const float *k, ptrdiff_t ldk, ptrdiff_t keys, ptrdiff_t head_dim, float *packed) {
  for (ptrdiff_t s0 = 0; s0 < keys; s0 += RADLM_ATTENTION_PANEL) {
    float *panel = packed + (s0 / RADLM_ATTENTION_PANEL) * head_dim * RADLM_ATTENTION_PANEL;
    ptrdiff_t count = keys - s0 < RADLM_ATTENTION_PANEL ? keys - s0 : RADLM_ATTENTION_PANEL;
    if (count < RADLM_ATTENTION_PANEL) memset(panel, 0, (size_t)(head_dim * RADLM_ATTENTION_PANEL) * sizeof(float));
    for (ptrdiff_t s = 0; s < count; s++) {
      const float *key = k + (s0 + s) * ldk;
      for (ptrdiff_t d = 0; d < head_dim; d++) panel[d * RADLM_ATTENTION_PANEL + s] = key[d];
    }
  }
}

void radlm_attention_rows(const float *q, ptrdiff_t ldq, const float *packed_keys, const float *v, ptrdiff_t ldv,
                          ptrdiff_t rows, ptrdiff_t keys, ptrdiff_t head_dim, ptrdiff_t first_visible, int causal,
                          float scale, const float *mask, ptrdiff_t ldmask, float *p, ptrdiff_t ldp, float *out,
                          ptrdiff_t ldo) {
  // The widest level whose vectors divide the head dimension (decided per call, so that a level
  // changed between planning and running still gets whole vectors).
#if defined(__x86_64__)
  int level = radlm_vector_level();
  if (level >= RADLM_VECTOR_AVX512 && head_dim % 16 == 0) {
    attention_rows_avx512(q, ldq, packed_keys, v, ldv, rows, keys, head_dim, first_visible, causal, scale, mask, ldmask,
                          p, ldp, out, ldo);
    return;
  }
  if (level >= RADLM_VECTOR_AVX2 && head_dim % 8 == 0) {
    attention_rows_avx2(q, ldq, packed_keys, v, ldv, rows, keys, head_dim, first_visible, causal, scale, mask, ldmask, p,
                        ldp, out, ldo);
    return;
  }
#endif
  attention_rows_sse2(q, ldq, packed_keys, v, ldv, rows, keys, head_dim, first_visible, causal, scale, mask, ldmask, p,
                      ldp, out, ldo);
}

static void gemv_rows(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, int b_is_n_by_k, ptrdiff_t begin,
                      ptrdiff_t end, float alpha, float beta, float *y) {
  if (b_is_n_by_k) DISPATCH(gemv_rows_nk, a, b, ldb, k, begin, end, alpha, beta, y);
  else DISPATCH(gemv_rows_kn, a, b, ldb, k, begin, end, alpha, beta, y);
}

// One thread's share of radlm_gemv: a block of outputs. B [n, k] is split by its rows; B [k, n] by
// its columns, so every row of B is read as contiguous runs (3 KB at SmolLM2's n = 1536). Block
// boundaries fall on 64-byte lines of y: the earlier B [k, n] kernel added into y once per 8 rows of
// B, so a line of y shared by two threads went back and forth between the cores 72 times per product
// at k = 576, which cost 15% at [1×576]·[576×1536] on 2 cores (the kernel now writes y once). (The earlier split of B [k, n] by rows,
// with partial outputs summed afterwards, needed a scratch buffer and a serial sum, and ran at
// 60-61 GFLOP/s against 63-65 for the column split in the same C harness.)
typedef struct {
  const float *a, *b;
  ptrdiff_t ldb, k, n, first, chunk;
  int b_is_n_by_k;
  float alpha, beta;
  float *y;
} gemv_job;

static void gemv_piece(void *context, ptrdiff_t piece) {
  const gemv_job *job = context;
  ptrdiff_t begin = piece == 0 ? 0 : job->first + piece * job->chunk;
  ptrdiff_t end = job->first + (piece + 1) * job->chunk;
  if (end > job->n) end = job->n;
  if (begin < end) gemv_rows(job->a, job->b, job->ldb, job->k, job->b_is_n_by_k, begin, end, job->alpha, job->beta, job->y);
}

void radlm_gemv(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t n, int b_is_n_by_k, float alpha,
                float beta, float *y, ptrdiff_t threads) {
  if (threads < 1) threads = 1;
  // Piece p covers y[first + p·chunk, first + (p + 1)·chunk) (piece 0 from 0), where y + first is
  // the first 64-byte boundary in y and chunk is a multiple of 16 floats (one line); so products
  // with n <= 16 stay on one thread.
  ptrdiff_t first = (ptrdiff_t)(((64 - ((uintptr_t)y & 63)) & 63) / sizeof(float));
  if (first > n) first = n;
  ptrdiff_t chunk = ((n - first + threads - 1) / threads + 15) / 16 * 16;
  ptrdiff_t pieces = chunk == 0 ? 1 : (n - first + chunk - 1) / chunk;
  gemv_job job = {a, b, ldb, k, n, first, chunk, b_is_n_by_k, alpha, beta, y};
  if (pieces <= 1 || !radlm_parallel_run(pieces, threads, gemv_piece, &job))
    gemv_rows(a, b, ldb, k, b_is_n_by_k, 0, n, alpha, beta, y);
}
