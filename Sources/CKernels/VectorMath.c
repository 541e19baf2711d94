#include "CKernels.h"
#include <stdint.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))
// The erf used by GELU. By default Abramowitz–Stegun 7.1.26 (|error| <= 1.5e-7), which is what
// PyTorch's vectorised GELU uses; it is about 2x cheaper than SIMDMath.swift's simdErf. Define ERF
// as NAME(verf) to get simdErf's formulas instead (results equal to the Swift kernel up to FMA
// rounding).
#ifndef ERF
#define ERF NAME(verf_as)
#endif

#if defined(__x86_64__)
// 16 lanes with AVX-512 (Zen 4 runs them as two 256-bit halves, but at half the instructions).
typedef float vf16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));
#define vf vf16
#define vi vi16
#define W 16
#define TARGET __attribute__((target("avx512f,avx512dq,avx512vl,avx2,fma")))
#define NAME(x) x##_avx512
#include "VectorMathBody.h"
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
#include "VectorMathBody.h"
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
#include "VectorMathBody.h"


#if defined(__x86_64__)
static int has_avx2_fma(void) {
  static int cached = -1;  // a benign race: every thread computes the same value
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return cached;
}
static int has_avx512(void) {
  static int cached = -1;  // a benign race, as above
  if (cached < 0) {
    __builtin_cpu_init();
    cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
  }
  return cached;
}
#else
static int has_avx2_fma(void) { return 0; }
static int has_avx512(void) { return 0; }
#define gelu_erf_avx512 gelu_erf_sse2
#define gelu_tanh_avx512 gelu_tanh_sse2
#define softmax_rows_avx512 softmax_rows_sse2
#define gelu_erf_avx2 gelu_erf_sse2
#define gelu_tanh_avx2 gelu_tanh_sse2
#define softmax_rows_avx2 softmax_rows_sse2
#endif

void radlm_gelu_erf(const float *x, float *y, ptrdiff_t count) {
  if (has_avx512()) { gelu_erf_avx512(x, y, count); return; }
  if (has_avx2_fma()) gelu_erf_avx2(x, y, count); else gelu_erf_sse2(x, y, count);
}
void radlm_gelu_tanh(const float *x, float *y, ptrdiff_t count) {
  if (has_avx512()) { gelu_tanh_avx512(x, y, count); return; }
  if (has_avx2_fma()) gelu_tanh_avx2(x, y, count); else gelu_tanh_sse2(x, y, count);
}
void radlm_softmax_rows(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns) {
  if (has_avx512()) { softmax_rows_avx512(x, y, rows, columns); return; }
  if (has_avx2_fma()) softmax_rows_avx2(x, y, rows, columns); else softmax_rows_sse2(x, y, rows, columns);
}
