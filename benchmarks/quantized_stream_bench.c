// Streaming speed of the Q8_0 row kernel (CKernels/QuantizedDot.c) over ~90 MB of weights, the
// way a decode step reads them, on 4 KB pages or on madvise(MADV_HUGEPAGE)'d 2 MB pages; and in
// cache (one 1536 × 576 matrix read 2000 times). GB/s of weight bytes (values + F32 scales),
// one core, best of the repetitions. Build against any version of QuantizedDot.c to compare:
//   clang -O2 -ISources/CKernels/include benchmarks/quantized_stream_bench.c \
//     Sources/CKernels/QuantizedDot.c -o /tmp/qsb -lm
//   /tmp/qsb 4k; /tmp/qsb 2m; /tmp/qsb cache
#include "QuantizedDot.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "4k";
  int huge = strcmp(mode, "2m") == 0, cache = strcmp(mode, "cache") == 0;
  size_t matrices = cache ? 1 : 90, rows = 1536 * matrices, blocks = 18;  // 576 columns
  size_t value_bytes = rows * blocks * 32, scale_bytes = rows * blocks * 4;
  int8_t *values;
  float *scales;
  if (huge) {
    if (posix_memalign((void **)&values, 1 << 21, value_bytes) || posix_memalign((void **)&scales, 1 << 21, scale_bytes)) return 1;
    madvise(values, value_bytes, MADV_HUGEPAGE);
    madvise(scales, scale_bytes, MADV_HUGEPAGE);
  } else {
    values = malloc(value_bytes);
    scales = malloc(scale_bytes);
  }
  for (size_t i = 0; i < value_bytes; i++) values[i] = (int8_t)(i * 7);
  for (size_t i = 0; i < rows * blocks; i++) scales[i] = 0.01f;
  int8_t xq[576];
  float xd[18];
  for (int i = 0; i < 576; i++) xq[i] = (int8_t)(i % 100);
  for (int i = 0; i < 18; i++) xd[i] = 1;
  float *out = malloc(rows * sizeof(float));
  double best = 1e9;
  for (int rep = 0; rep < (cache ? 2000 : 8); rep++) {
    double t = now();
    for (size_t r = 0; r < rows; r += 1536)
      radlm_q8_0_q8_rows(radlm_quant_best_level(), values + r * blocks * 32, scales + r * blocks, xq, xd, 1536, blocks, out + r);
    t = now() - t;
    if (t < best) best = t;
  }
  printf("%s: %.1f MB, %.1f GB/s (checksum %g)\n", mode, (value_bytes + scale_bytes) / 1e6,
         (value_bytes + scale_bytes) / best / 1e9, (double)out[rows - 1]);
  return 0;
}
