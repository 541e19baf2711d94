#include "CKernels.h"
#include <stdint.h>
#include <string.h>

// Row-by-vector products on llama.cpp block formats for single-token decoding (RadModels'
// QuantizedMatrix): Q8_0 (32 int8 per block, scale d) and Q4_1 (32 nibbles per block, low
// nibbles first, scale d and minimum m; Σ (d q + m) x = d Σ q x + m Σ x). The AVX2+FMA versions
// widen bytes with vpmovzx/vpmovsx, which the SSE2 baseline Swift build cannot emit.

static void q8_0_rows_generic(const uint8_t *values, const float *scales, const float *x, ptrdiff_t rows,
                              ptrdiff_t blocks, float *out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float total = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const int8_t *q = (const int8_t *)(values + (r * blocks + b) * 32);
      const float *xb = x + b * 32;
      float s = 0;
      for (int j = 0; j < 32; j++) s += (float)q[j] * xb[j];
      total += scales[r * blocks + b] * s;
    }
    out[r] = total;
  }
}

static void q4_1_rows_generic(const uint8_t *values, const float *scales, const float *minimums, const float *x,
                              const float *block_sums, ptrdiff_t rows, ptrdiff_t blocks, float *out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float total = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const uint8_t *q = values + (r * blocks + b) * 16;
      const float *xb = x + b * 32;
      float s = 0;
      for (int j = 0; j < 16; j++) s += (float)(q[j] & 0x0F) * xb[j] + (float)(q[j] >> 4) * xb[j + 16];
      total += scales[r * blocks + b] * s + minimums[r * blocks + b] * block_sums[b];
    }
    out[r] = total;
  }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline float hsum256(__m256 v) {
  __m128 lo = _mm256_castps256_ps128(v);
  __m128 hi = _mm256_extractf128_ps(v, 1);
  lo = _mm_add_ps(lo, hi);
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
  return _mm_cvtss_f32(lo);
}

AVX2 static void q8_0_rows_avx2(const uint8_t *values, const float *scales, const float *x, ptrdiff_t rows,
                                ptrdiff_t blocks, float *out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    __m256 acc = _mm256_setzero_ps();
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const uint8_t *q = values + (r * blocks + b) * 32;
      const float *xb = x + b * 32;
      __m256 s = _mm256_setzero_ps();
      for (int k = 0; k < 4; k++) {
        __m128i bytes = _mm_loadl_epi64((const __m128i *)(q + 8 * k));
        __m256 w = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
        s = _mm256_fmadd_ps(w, _mm256_loadu_ps(xb + 8 * k), s);
      }
      acc = _mm256_fmadd_ps(_mm256_set1_ps(scales[r * blocks + b]), s, acc);
    }
    out[r] = hsum256(acc);
  }
}

AVX2 static void q4_1_rows_avx2(const uint8_t *values, const float *scales, const float *minimums, const float *x,
                                const float *block_sums, ptrdiff_t rows, ptrdiff_t blocks, float *out) {
  const __m128i mask = _mm_set1_epi8(0x0F);
  for (ptrdiff_t r = 0; r < rows; r++) {
    __m256 acc = _mm256_setzero_ps();
    float offset = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const uint8_t *q = values + (r * blocks + b) * 16;
      const float *xb = x + b * 32;
      __m128i bytes = _mm_loadu_si128((const __m128i *)q);
      __m128i low = _mm_and_si128(bytes, mask);
      __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
      __m256 w0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(low));
      __m256 w1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(low, 8)));
      __m256 w2 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(high));
      __m256 w3 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(high, 8)));
      __m256 s = _mm256_mul_ps(w0, _mm256_loadu_ps(xb));
      s = _mm256_fmadd_ps(w1, _mm256_loadu_ps(xb + 8), s);
      s = _mm256_fmadd_ps(w2, _mm256_loadu_ps(xb + 16), s);
      s = _mm256_fmadd_ps(w3, _mm256_loadu_ps(xb + 24), s);
      acc = _mm256_fmadd_ps(_mm256_set1_ps(scales[r * blocks + b]), s, acc);
      offset += minimums[r * blocks + b] * block_sums[b];
    }
    out[r] = hsum256(acc) + offset;
  }
}

static int quant_has_avx2(void) {
  static int cached = -1;  // a benign race: every thread computes the same value
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return cached;
}
#endif

void radlm_q8_0_rows(const uint8_t *values, const float *scales, const float *x, ptrdiff_t rows, ptrdiff_t blocks,
                     float *out) {
#if defined(__x86_64__)
  if (quant_has_avx2()) {
    q8_0_rows_avx2(values, scales, x, rows, blocks, out);
    return;
  }
#endif
  q8_0_rows_generic(values, scales, x, rows, blocks, out);
}

void radlm_q4_1_rows(const uint8_t *values, const float *scales, const float *minimums, const float *x,
                     const float *block_sums, ptrdiff_t rows, ptrdiff_t blocks, float *out) {
#if defined(__x86_64__)
  if (quant_has_avx2()) {
    q4_1_rows_avx2(values, scales, minimums, x, block_sums, rows, blocks, out);
    return;
  }
#endif
  q4_1_rows_generic(values, scales, minimums, x, block_sums, rows, blocks, out);
}
