#include "CVectorKernels.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static float distance_plain(const float *q, const float *x, ptrdiff_t dim, int kind) {
  float sum = 0;
  if (kind == 0) {
    for (ptrdiff_t i = 0; i < dim; i++) sum += q[i] * x[i];
    return -sum;
  }
  for (ptrdiff_t i = 0; i < dim; i++) {
    float d = q[i] - x[i];
    sum += d * d;
  }
  return sum;
}

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) static inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// Four accumulators hide the FMA latency; the tail (dim not a multiple of 8) is summed plainly.
__attribute__((target("avx2,fma"))) static float distance_avx2(const float *q, const float *x, ptrdiff_t dim,
                                                                int kind) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  ptrdiff_t i = 0;
  if (kind == 0) {
    for (; i + 32 <= dim; i += 32) {
      a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i), a0);
      a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(x + i + 8), a1);
      a2 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 16), _mm256_loadu_ps(x + i + 16), a2);
      a3 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 24), _mm256_loadu_ps(x + i + 24), a3);
    }
    for (; i + 8 <= dim; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i), a0);
    float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    for (; i < dim; i++) sum += q[i] * x[i];
    return -sum;
  }
  for (; i + 16 <= dim; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i));
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(q + i + 8), _mm256_loadu_ps(x + i + 8));
    a0 = _mm256_fmadd_ps(d0, d0, a0);
    a1 = _mm256_fmadd_ps(d1, d1, a1);
  }
  for (; i + 8 <= dim; i += 8) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(q + i), _mm256_loadu_ps(x + i));
    a0 = _mm256_fmadd_ps(d0, d0, a0);
  }
  float sum = horizontal_sum(_mm256_add_ps(a0, a1));
  for (; i < dim; i++) {
    float d = q[i] - x[i];
    sum += d * d;
  }
  return sum;
}

// Checked once; the answer never changes while the process runs.
static int has_avx2_fma(void) {
  static int known = -1;
  if (known < 0) known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return known;
}

__attribute__((target("avx2,fma"))) static void gather_avx2(const float *q, const float *base, ptrdiff_t dim,
                                                             const int32_t *rows, ptrdiff_t count, int kind,
                                                             float *out) {
  for (ptrdiff_t j = 0; j < count; j++) {
    if (j + 1 < count) {
      const char *next = (const char *)(base + (ptrdiff_t)rows[j + 1] * dim);
      for (ptrdiff_t line = 0; line < dim * 4; line += 64) _mm_prefetch(next + line, _MM_HINT_T0);
    }
    out[j] = distance_avx2(q, base + (ptrdiff_t)rows[j] * dim, dim, kind);
  }
}
#endif

void radlm_gather_distances(const float *q, const float *base, ptrdiff_t dim, const int32_t *rows, ptrdiff_t count,
                            int kind, float *out) {
#if defined(__x86_64__)
  if (has_avx2_fma()) {
    gather_avx2(q, base, dim, rows, count, kind, out);
    return;
  }
#endif
  for (ptrdiff_t j = 0; j < count; j++) out[j] = distance_plain(q, base + (ptrdiff_t)rows[j] * dim, dim, kind);
}
