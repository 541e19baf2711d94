#include "QuantizedDot.h"
#include <math.h>
#include <string.h>

// See QuantizedDot.h. Three implementations of each kernel: plain C (any CPU), AVX2 (vpmaddubsw
// on unsigned × signed bytes, then vpmaddwd to int32) and AVX-512 VNNI on 256-bit registers
// (vpdpbusd does both steps in one instruction). The SIMD code is compiled with per-function
// target attributes and chosen at run time, so the package needs no compiler flags.

enum { QK = 32 };

// gguf-py's np_roundf: round half away from zero, written so that 0.49999997 does not round up.
static inline float round_half_away(float v) {
  float a = fabsf(v);
  float floored = floorf(a);
  float r = floored + floorf(2 * (a - floored));
  return v < 0 ? -r : r;
}

static void quantize_generic(const float *x, ptrdiff_t blocks, int8_t *q, float *d, float *sums) {
  for (ptrdiff_t b = 0; b < blocks; b++) {
    const float *xb = x + b * QK;
    float amax = 0;
    for (int j = 0; j < QK; j++) amax = fmaxf(amax, fabsf(xb[j]));
    float db = amax / 127.0f;
    float id = db != 0 ? 1.0f / db : 0;
    int sum = 0;
    for (int j = 0; j < QK; j++) {
      int v = (int)round_half_away(xb[j] * id);
      q[b * QK + j] = (int8_t)v;
      sum += v;
    }
    d[b] = db;
    if (sums) sums[b] = db * (float)sum;
  }
}

static void q8_0_rows_generic(const int8_t *values, const float *scales, const int8_t *xq, const float *xd,
                              ptrdiff_t rows, ptrdiff_t blocks, float *out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float total = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const int8_t *w = values + (r * blocks + b) * QK;
      const int8_t *xb = xq + b * QK;
      int s = 0;
      for (int j = 0; j < QK; j++) s += (int)w[j] * (int)xb[j];
      total += scales[r * blocks + b] * xd[b] * (float)s;
    }
    out[r] = total;
  }
}

static void q4_1_rows_generic(const uint8_t *values, const float *scales, const float *minimums, const int8_t *xq,
                              const float *xd, const float *xs, ptrdiff_t rows, ptrdiff_t blocks, float *out) {
  for (ptrdiff_t r = 0; r < rows; r++) {
    float total = 0;
    for (ptrdiff_t b = 0; b < blocks; b++) {
      const uint8_t *w = values + (r * blocks + b) * 16;
      const int8_t *xb = xq + b * QK;
      int s = 0;
      for (int j = 0; j < 16; j++) s += (int)(w[j] & 0x0F) * (int)xb[j] + (int)(w[j] >> 4) * (int)xb[j + 16];
      total += scales[r * blocks + b] * xd[b] * (float)s + minimums[r * blocks + b] * xs[b];
    }
    out[r] = total;
  }
}

#if defined(__x86_64__)
#include <immintrin.h>
#define AVX2 __attribute__((target("avx2,fma")))
#define VNNI __attribute__((target("avx2,fma,avx512f,avx512bw,avx512vl,avx512vnni")))

AVX2 static inline float hsum256(__m256 v) {
  __m128 lo = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
  lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
  return _mm_cvtss_f32(lo);
}

AVX2 static void quantize_avx2(const float *x, ptrdiff_t blocks, int8_t *q, float *d, float *sums) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (ptrdiff_t b = 0; b < blocks; b++) {
    __m256 v[4];
    for (int k = 0; k < 4; k++) v[k] = _mm256_loadu_ps(x + b * QK + 8 * k);
    __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                             _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    float db = _mm_cvtss_f32(h) / 127.0f;
    float id = db != 0 ? 1.0f / db : 0;
    __m256 mul = _mm256_set1_ps(id);
    __m256i iv[4];
    for (int k = 0; k < 4; k++) {
      __m256 t = _mm256_mul_ps(v[k], mul);
      __m256 a = _mm256_andnot_ps(sign, t);
      __m256 floored = _mm256_floor_ps(a);
      __m256 r = _mm256_add_ps(floored, _mm256_floor_ps(_mm256_mul_ps(two, _mm256_sub_ps(a, floored))));
      iv[k] = _mm256_cvtps_epi32(_mm256_or_ps(r, _mm256_and_ps(t, sign)));
    }
    if (sums) {
      __m256i s = _mm256_add_epi32(_mm256_add_epi32(iv[0], iv[1]), _mm256_add_epi32(iv[2], iv[3]));
      __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
      s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
      sums[b] = db * (float)_mm_cvtsi128_si32(s4);
    }
    __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(iv[0], iv[1]), _mm256_packs_epi32(iv[2], iv[3]));
    _mm256_storeu_si256((__m256i *)(q + b * QK), _mm256_permutevar8x32_epi32(p, order));
    d[b] = db;
  }
}

// Per-block integer dot products as 8 int32 lanes. Q8_0: vpmaddubsw wants unsigned × signed
// bytes, so the weight's sign moves onto the activation (|w| · sign(w)·x).
AVX2 static inline __m256i dot_q8_avx2(__m256i w, __m256i x) {
  __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
VNNI static inline __m256i dot_q8_vnni(__m256i w, __m256i x) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
}
AVX2 static inline __m256i dot_q4_avx2(__m256i w, __m256i x) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_set1_epi16(1));
}
VNNI static inline __m256i dot_q4_vnni(__m256i w, __m256i x) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, x);
}
// Σ a[i]·b[i]: Q4_1's minimum term Σ_b m[r,b]·s[b], once per row rather than once per block.
AVX2 static inline float dot_f32(const float *a, const float *b, ptrdiff_t n) {
  __m256 acc = _mm256_setzero_ps();
  ptrdiff_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
  float total = hsum256(acc);
  for (; i < n; i++) total += a[i] * b[i];
  return total;
}
// The 32 nibbles of a Q4_1 block as bytes 0–31 (low nibbles first).
AVX2 static inline __m256i unpack_q4(const uint8_t *p) {
  __m128i bytes = _mm_loadu_si128((const __m128i *)p);
  __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(bytes), _mm_srli_epi16(bytes, 4), 1);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// One row at a time, front to back, so that the weights stream through memory in one ascending
// sequence (reading two neighbouring rows in step ran at a third of the bandwidth: the hardware
// prefetchers lost track of the two interleaved streams). Each row's blocks alternate between
// two accumulators (two independent FMA chains), and the row PREFETCH_BYTES ahead is requested
// before the row is read, which keeps more cache-line fills in flight than the hardware
// prefetchers alone do.
enum { PREFETCH_BYTES = 2048 };

#define Q8_0_ROWS(NAME, ATTR, DOT)                                                                              \
  ATTR static void NAME(const int8_t *values, const float *scales, const int8_t *xq, const float *xd,            \
                        ptrdiff_t rows, ptrdiff_t blocks, float *out) {                                           \
    for (ptrdiff_t r = 0; r < rows; r++) {                                                                        \
      const int8_t *w = values + r * blocks * QK;                                                                 \
      const float *d = scales + r * blocks;                                                                       \
      for (ptrdiff_t k = 0; k < blocks * QK; k += 64) _mm_prefetch((const char *)w + PREFETCH_BYTES + k, _MM_HINT_T0); \
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                              \
      ptrdiff_t b = 0;                                                                                            \
      for (; b + 2 <= blocks; b += 2) {                                                                           \
        __m256i s0 = DOT(_mm256_loadu_si256((const __m256i *)(w + b * QK)),                                       \
                         _mm256_loadu_si256((const __m256i *)(xq + b * QK)));                                     \
        __m256i s1 = DOT(_mm256_loadu_si256((const __m256i *)(w + b * QK + QK)),                                  \
                         _mm256_loadu_si256((const __m256i *)(xq + b * QK + QK)));                                \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * xd[b]), _mm256_cvtepi32_ps(s0), acc0);                      \
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d[b + 1] * xd[b + 1]), _mm256_cvtepi32_ps(s1), acc1);              \
      }                                                                                                           \
      if (b < blocks) {                                                                                           \
        __m256i s0 = DOT(_mm256_loadu_si256((const __m256i *)(w + b * QK)),                                       \
                         _mm256_loadu_si256((const __m256i *)(xq + b * QK)));                                     \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * xd[b]), _mm256_cvtepi32_ps(s0), acc0);                      \
      }                                                                                                           \
      out[r] = hsum256(_mm256_add_ps(acc0, acc1));                                                                \
    }                                                                                                             \
  }

#define Q4_1_ROWS(NAME, ATTR, DOT)                                                                               \
  ATTR static void NAME(const uint8_t *values, const float *scales, const float *minimums, const int8_t *xq,     \
                        const float *xd, const float *xs, ptrdiff_t rows, ptrdiff_t blocks, float *out) {         \
    for (ptrdiff_t r = 0; r < rows; r++) {                                                                        \
      const uint8_t *w = values + r * blocks * 16;                                                                \
      const float *d = scales + r * blocks;                                                                       \
      for (ptrdiff_t k = 0; k < blocks * 16; k += 64) _mm_prefetch((const char *)w + PREFETCH_BYTES + k, _MM_HINT_T0); \
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();                                              \
      ptrdiff_t b = 0;                                                                                            \
      for (; b + 2 <= blocks; b += 2) {                                                                           \
        __m256i s0 = DOT(unpack_q4(w + b * 16), _mm256_loadu_si256((const __m256i *)(xq + b * QK)));             \
        __m256i s1 = DOT(unpack_q4(w + b * 16 + 16), _mm256_loadu_si256((const __m256i *)(xq + b * QK + QK)));    \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * xd[b]), _mm256_cvtepi32_ps(s0), acc0);                      \
        acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d[b + 1] * xd[b + 1]), _mm256_cvtepi32_ps(s1), acc1);              \
      }                                                                                                           \
      if (b < blocks) {                                                                                           \
        __m256i s0 = DOT(unpack_q4(w + b * 16), _mm256_loadu_si256((const __m256i *)(xq + b * QK)));             \
        acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * xd[b]), _mm256_cvtepi32_ps(s0), acc0);                      \
      }                                                                                                           \
      out[r] = hsum256(_mm256_add_ps(acc0, acc1)) + dot_f32(minimums + r * blocks, xs, blocks);                  \
    }                                                                                                             \
  }

Q8_0_ROWS(q8_0_rows_avx2, AVX2, dot_q8_avx2)
Q8_0_ROWS(q8_0_rows_vnni, VNNI, dot_q8_vnni)
Q4_1_ROWS(q4_1_rows_avx2, AVX2, dot_q4_avx2)
Q4_1_ROWS(q4_1_rows_vnni, VNNI, dot_q4_vnni)

int radlm_quant_best_level(void) {
  static int cached = -1;  // a benign race: every thread computes the same value
  if (cached < 0) {
    __builtin_cpu_init();
    int level = RADLM_QUANT_GENERIC;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = RADLM_QUANT_AVX2;
    if (level == RADLM_QUANT_AVX2 && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw"))
      level = RADLM_QUANT_VNNI;
    cached = level;
  }
  return cached;
}

// A level above what the CPU has falls back to the best it has (never an illegal instruction).
static int usable(int level) {
  int best = radlm_quant_best_level();
  return level > best ? best : level;
}
#else
int radlm_quant_best_level(void) { return RADLM_QUANT_GENERIC; }
static int usable(int level) { (void)level; return RADLM_QUANT_GENERIC; }
#endif

void radlm_quantize_q8_blocks(int level, const float *x, ptrdiff_t blocks, int8_t *q, float *d, float *sums) {
#if defined(__x86_64__)
  if (usable(level) >= RADLM_QUANT_AVX2) {
    quantize_avx2(x, blocks, q, d, sums);
    return;
  }
#endif
  (void)level;
  quantize_generic(x, blocks, q, d, sums);
}

void radlm_q8_0_q8_rows(int level, const int8_t *values, const float *scales, const int8_t *xq, const float *xd,
                        ptrdiff_t rows, ptrdiff_t blocks, float *out) {
  switch (usable(level)) {
#if defined(__x86_64__)
  case RADLM_QUANT_VNNI: q8_0_rows_vnni(values, scales, xq, xd, rows, blocks, out); return;
  case RADLM_QUANT_AVX2: q8_0_rows_avx2(values, scales, xq, xd, rows, blocks, out); return;
#endif
  default: q8_0_rows_generic(values, scales, xq, xd, rows, blocks, out);
  }
}

void radlm_q4_1_q8_rows(int level, const uint8_t *values, const float *scales, const float *minimums,
                        const int8_t *xq, const float *xd, const float *xs, ptrdiff_t rows, ptrdiff_t blocks,
                        float *out) {
  switch (usable(level)) {
#if defined(__x86_64__)
  case RADLM_QUANT_VNNI: q4_1_rows_vnni(values, scales, minimums, xq, xd, xs, rows, blocks, out); return;
  case RADLM_QUANT_AVX2: q4_1_rows_avx2(values, scales, minimums, xq, xd, xs, rows, blocks, out); return;
#endif
  default: q4_1_rows_generic(values, scales, minimums, xq, xd, xs, rows, blocks, out);
  }
}

// Weight memory on 2 MB pages: decoding streams ~100 MB of blocks per token, and with 4 KB pages
// the hardware prefetchers stop at every page boundary and every page costs a TLB miss (the
// streaming kernels ran at 11 GB/s on 4 KB pages and 26–30 GB/s on 2 MB pages, one core).
// MADV_HUGEPAGE asks for them where transparent huge pages are set to "madvise".
#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
enum { HUGE_PAGE = 2 << 20 };

void *radlm_huge_alloc(size_t bytes) {
  size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
  void *p = NULL;
  if (rounded == 0 || posix_memalign(&p, HUGE_PAGE, rounded) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

void radlm_huge_free(void *p) { free(p); }
