// Body of the element-wise kernels, included by VectorMath.c once per vector width; the includer
// defines vf and vi (float and int32 vectors of W lanes), W, TARGET and NAME(x).
INLINE TARGET vf NAME(splat)(float v) { return (vf){0} + v; }
INLINE TARGET vi NAME(iota)(void) { vi v; for (int i = 0; i < W; i++) v[i] = i; return v; }
INLINE TARGET vf NAME(select)(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }
INLINE TARGET vf NAME(vabs)(vf x) { return (vf)((vi)x & 0x7FFFFFFF); }
INLINE TARGET float NAME(hsum)(vf v) {
  float total = 0;
  for (int lane = 0; lane < W; lane++) total += v[lane];
  return total;
}
INLINE TARGET vf NAME(load)(const float *p, ptrdiff_t available) {
  vf v = NAME(splat)(0);
  if (available >= W) { memcpy(&v, p, sizeof v); } else { memcpy(&v, p, (size_t)available * sizeof(float)); }
  return v;
}
INLINE TARGET void NAME(store)(float *p, vf v, ptrdiff_t available) {
  if (available >= W) { memcpy(p, &v, sizeof v); } else { memcpy(p, &v, (size_t)available * sizeof(float)); }
}

// Cephes' polynomial for e^r on the reduced range |r| <= ln(2)/2.
INLINE TARGET vf NAME(exp_reduced)(vf r) {
  vf y = NAME(splat)(1.9875691500e-4f);
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  return y * (r * r) + r + 1.0f;
}

// Cephes expf, as simdExp in SIMDMath.swift.
INLINE TARGET vf NAME(vexp)(vf input) {
  const float high = 88.3762626647949f, low = -88.3762626647949f;
  vf x = NAME(select)(input < NAME(splat)(low), NAME(splat)(low), input);
  x = NAME(select)(x > NAME(splat)(high), NAME(splat)(high), x);
  vf fx = x * 1.44269504088896341f + 0.5f;
  vf magic = NAME(splat)(12582912.0f);
  vf nearest = (fx + magic) - magic;
  fx = NAME(select)(nearest > fx, nearest - 1.0f, nearest);
  x = x - fx * 0.693359375f;
  x = x + fx * 2.12194440e-4f;
  vf y = NAME(exp_reduced)(x);
  vi n = (vi)(fx + magic) - 0x4B400000;
  vf scale = (vf)((n + 127) << 23);
  vf result = y * scale;
  result = NAME(select)(input < NAME(splat)(low), NAME(splat)(0), result);
  result = NAME(select)(input > NAME(splat)(high), NAME(splat)(__builtin_inff()), result);
  result = NAME(select)(input != input, input, result);
  return result;
}

// exp for softmax, whose arguments x − max are <= 0, +0 or NaN (or −inf in padding lanes): Cephes'
// reduction and polynomial as vexp, with the rounding to the nearest integer done by the 1.5·2²³
// constant alone, and without the overflow and NaN selects, which cannot trigger for x <= 0
// (a NaN stays NaN through the arithmetic). Below −88 the result is 0 (exp(−88) is subnormal).
INLINE TARGET vf NAME(vexp_nonpositive)(vf input) {
  vf x = NAME(select)(input < -88.0f, NAME(splat)(-88.0f), input);
  vf magic = NAME(splat)(12582912.0f);
  vf shifted = x * 1.44269504088896341f + magic;  // n + magic: the low bits hold n
  vf n = shifted - magic;
  vf r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  vf y = NAME(exp_reduced)(r);
  // 2^n from the integer n in the low bits; x >= −88 keeps n >= −127, and n = −127 gives the
  // exponent field 0, i.e. +0.
  vi exponent = ((vi)shifted - 0x4B400000 + 127) << 23;
  return y * (vf)exponent;
}

// As simdTanh.
INLINE TARGET vf NAME(vtanh)(vf x) {
  vf ax = NAME(vabs)(x);
  vf z = x * x;
  vf p = NAME(splat)(-5.70498872745e-3f);
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  vf small = p * z * x + x;
  vf e = NAME(vexp)(2.0f * ax);
  vf large = 1.0f - 2.0f / (e + 1.0f);
  large = NAME(select)(x < NAME(splat)(0), -large, large);
  return NAME(select)(ax < NAME(splat)(0.625f), small, large);
}

// GELU(x) = x Φ(x) with Φ(x) = 0.5 + sign(x) f(|x|), f(t) = erf(t/√2)/2, evaluated as a
// degree-5 polynomial on 16 intervals of width 0.375 covering [0, 6) (f = 1/2 beyond, where
// 0.5 − f < 1e-9). The coefficients of the interval a lane falls in are picked by a table lookup
// (one permute per coefficient with AVX-512), so there is no exp and no division: about half the
// instructions of the Abramowitz–Stegun form, with |error of f| <= 4.6e-8 (A–S: 7.5e-8).
INLINE TARGET vf NAME(normal_cdf)(vf v) {
  vf a = NAME(vabs)(v);
  vf s = a * (1.0f / GELU_ERF_WIDTH);
  // Clamped first so that the conversion is defined for every lane (NaN and s >= 16 included);
  // those lanes are replaced below or stay NaN through u.
  vi index = __builtin_convertvector(NAME(select)(s < 15.5f, s, NAME(splat)(15.5f)), vi);
  vf u = s - __builtin_convertvector(index, vf);
  vf p = NAME(lookup)(gelu_erf_coefficients[5], index);
  p = p * u + NAME(lookup)(gelu_erf_coefficients[4], index);
  p = p * u + NAME(lookup)(gelu_erf_coefficients[3], index);
  p = p * u + NAME(lookup)(gelu_erf_coefficients[2], index);
  p = p * u + NAME(lookup)(gelu_erf_coefficients[1], index);
  p = p * u + NAME(lookup)(gelu_erf_coefficients[0], index);
  p = NAME(select)(s >= 16.0f, NAME(splat)(0.5f), p);
  return 0.5f + (vf)((vi)p | ((vi)v & (int32_t)0x80000000));
}

TARGET static void NAME(gelu_erf)(const float *x, float *y, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i += W) {
    vf v = NAME(load)(x + i, count - i);
    NAME(store)(y + i, v * NAME(normal_cdf)(v), count - i);
  }
}

// dx = g · (Φ(x) + x φ(x)), φ(x) = exp(−x²/2)/√(2π).
TARGET static void NAME(gelu_erf_backward)(const float *x, const float *g, float *dx, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i += W) {
    vf v = NAME(load)(x + i, count - i);
    vf pdf = NAME(vexp_nonpositive)(-0.5f * v * v) * 0.39894228040143268f;
    NAME(store)(dx + i, NAME(load)(g + i, count - i) * (NAME(normal_cdf)(v) + v * pdf), count - i);
  }
}

TARGET static void NAME(gelu_tanh)(const float *x, float *y, ptrdiff_t count) {
  const float c = 0.7978845608028654f;
  for (ptrdiff_t i = 0; i < count; i += W) {
    vf v = NAME(load)(x + i, count - i);
    vf inner = c * (v + 0.044715f * v * v * v);
    NAME(store)(y + i, 0.5f * v * (1.0f + NAME(vtanh)(inner)), count - i);
  }
}

// dx = g · (½(1 + t) + ½ x (1 − t²) c (1 + 3·0.044715 x²)), t = tanh(c (x + 0.044715 x³)).
TARGET static void NAME(gelu_tanh_backward)(const float *x, const float *g, float *dx, ptrdiff_t count) {
  const float c = 0.7978845608028654f;
  for (ptrdiff_t i = 0; i < count; i += W) {
    vf v = NAME(load)(x + i, count - i);
    vf v2 = v * v;
    vf t = NAME(vtanh)(c * (v + 0.044715f * v2 * v));
    vf slope = c * (1.0f + 0.134145f * v2);
    vf derivative = 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * slope;
    NAME(store)(dx + i, NAME(load)(g + i, count - i) * derivative, count - i);
  }
}

TARGET static void NAME(softmax_rows)(const float *x, float *y, ptrdiff_t rows, ptrdiff_t columns) {
  for (ptrdiff_t row = 0; row < rows; row++) {
    const float *src = x + row * columns;
    float *dst = y + row * columns;
    vf best = NAME(splat)(-__builtin_inff());
    ptrdiff_t i = 0;
    for (; i + W <= columns; i += W) {
      vf v;
      memcpy(&v, src + i, sizeof v);
      best = NAME(select)(v > best, v, best);
    }
    float maximum = best[0];
    for (int lane = 1; lane < W; lane++) maximum = best[lane] > maximum ? best[lane] : maximum;
    for (; i < columns; i++) maximum = src[i] > maximum ? src[i] : maximum;
    vf sum = NAME(splat)(0);
    vf shift = NAME(splat)(maximum);
    for (i = 0; i + W <= columns; i += W) {
      vf v;
      memcpy(&v, src + i, sizeof v);
      vf e = NAME(vexp_nonpositive)(v - shift);
      sum += e;
      memcpy(dst + i, &e, sizeof e);
    }
    if (i < columns) {
      vf v = NAME(splat)(-__builtin_inff());
      memcpy(&v, src + i, (size_t)(columns - i) * sizeof(float));
      vf e = NAME(vexp_nonpositive)(v - shift);  // exp(-inf) = 0 in the padding lanes
      sum += e;
      memcpy(dst + i, &e, (size_t)(columns - i) * sizeof(float));
    }
    float total = 0;
    for (int lane = 0; lane < W; lane++) total += sum[lane];
    vf factor = NAME(splat)(1.0f / total);
    for (i = 0; i + W <= columns; i += W) {
      vf v;
      memcpy(&v, dst + i, sizeof v);
      v *= factor;
      memcpy(dst + i, &v, sizeof v);
    }
    for (; i < columns; i++) dst[i] *= factor[0];
  }
}

// Layer norm (centred) or RMS norm of each row: y = (x − mean) · rstd · gamma + beta, with
// rstd = 1/sqrt(mean((x − mean)²) + eps) (mean = 0 for RMS norm); gamma and beta may be NULL.
// Statistics (mean, rstd) per row go to stats when it is not NULL. The row is read three times,
// but it stays in L1 after the first pass.
TARGET static void NAME(norm_rows)(const float *x, float *y, ptrdiff_t rows, ptrdiff_t n, const float *gamma,
                                   const float *beta, float eps, int centred, float *stats) {
  const vi lanes = NAME(iota)();
  if (n <= 0) return;
  for (ptrdiff_t row = 0; row < rows; row++) {
    const float *src = x + row * n;
    float *dst = y + row * n;
    float mean = 0;
    ptrdiff_t i;
    if (centred) {
      // The sum is taken of x − x[0], so that a large common offset does not swamp the
      // partial sums' precision; then mean = x[0] + Σ(x − x[0]) / n.
      vf shift = NAME(splat)(src[0]);
      vf s0 = NAME(splat)(0), s1 = s0, s2 = s0, s3 = s0;
      for (i = 0; i + 4 * W <= n; i += 4 * W) {
        s0 += NAME(load)(src + i, W) - shift;
        s1 += NAME(load)(src + i + W, W) - shift;
        s2 += NAME(load)(src + i + 2 * W, W) - shift;
        s3 += NAME(load)(src + i + 3 * W, W) - shift;
      }
      for (; i < n; i += W) {
        vf d = NAME(load)(src + i, n - i) - shift;
        s0 += NAME(select)(lanes < (vi){0} + (int32_t)(n - i < W ? n - i : W), d, NAME(splat)(0));
      }
      mean = src[0] + NAME(hsum)((s0 + s1) + (s2 + s3)) / (float)n;
    }
    vf m = NAME(splat)(mean);
    vf q0 = NAME(splat)(0), q1 = q0, q2 = q0, q3 = q0;
    for (i = 0; i + 4 * W <= n; i += 4 * W) {
      vf d0 = NAME(load)(src + i, W) - m, d1 = NAME(load)(src + i + W, W) - m;
      vf d2 = NAME(load)(src + i + 2 * W, W) - m, d3 = NAME(load)(src + i + 3 * W, W) - m;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    for (; i < n; i += W) {
      vf d = NAME(load)(src + i, n - i) - m;
      d = NAME(select)(lanes < (vi){0} + (int32_t)(n - i < W ? n - i : W), d, NAME(splat)(0));
      q0 += d * d;
    }
    float rstd = 1.0f / __builtin_sqrtf(NAME(hsum)((q0 + q1) + (q2 + q3)) / (float)n + eps);
    if (stats) {
      stats[2 * row] = mean;
      stats[2 * row + 1] = rstd;
    }
    vf r = NAME(splat)(rstd);
    if (gamma && beta) {
      for (i = 0; i + W <= n; i += W) {
        vf v = (NAME(load)(src + i, W) - m) * r;
        NAME(store)(dst + i, v * NAME(load)(gamma + i, W) + NAME(load)(beta + i, W), W);
      }
    } else {
      for (i = 0; i + W <= n; i += W) {
        vf v = (NAME(load)(src + i, W) - m) * r;
        if (gamma) v *= NAME(load)(gamma + i, W);
        if (beta) v += NAME(load)(beta + i, W);
        NAME(store)(dst + i, v, W);
      }
    }
    if (i < n) {
      vf v = (NAME(load)(src + i, n - i) - m) * r;
      if (gamma) v *= NAME(load)(gamma + i, n - i);
      if (beta) v += NAME(load)(beta + i, n - i);
      NAME(store)(dst + i, v, n - i);
    }
  }
}

// Single-row matrix products (decoding one token): y = alpha · a·B + beta · y over the output
// columns [begin, end), B row-major with leading dimension ldb. With beta == 0, y is not read.

// y[j, j + 4W) (or j + available, < W, with masked loads) summed over all k rows in registers.
INLINE TARGET void NAME(gemv_kn_block)(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, float alpha,
                                       float beta, float *y, ptrdiff_t vectors, ptrdiff_t available) {
  vf e[4], o[4];
  for (int v = 0; v < 4; v++) e[v] = o[v] = NAME(splat)(0);
  ptrdiff_t i = 0;
  const float *r = b;
  if (available == W * vectors) {
    if (vectors == 4) {
      for (; i + 2 <= k; i += 2, r += 2 * ldb) {
        vf c0 = NAME(splat)(a[i]), c1 = NAME(splat)(a[i + 1]);
        for (int v = 0; v < 4; v++) { e[v] += c0 * NAME(load)(r + v * W, W); o[v] += c1 * NAME(load)(r + ldb + v * W, W); }
      }
      for (; i < k; i++, r += ldb) for (int v = 0; v < 4; v++) e[v] += NAME(splat)(a[i]) * NAME(load)(r + v * W, W);
    } else {
      for (; i + 2 <= k; i += 2, r += 2 * ldb) {
        e[0] += NAME(splat)(a[i]) * NAME(load)(r, W); o[0] += NAME(splat)(a[i + 1]) * NAME(load)(r + ldb, W);
      }
      for (; i < k; i++, r += ldb) e[0] += NAME(splat)(a[i]) * NAME(load)(r, W);
    }
  } else {
    for (; i < k; i++, r += ldb) e[0] += NAME(splat)(a[i]) * NAME(partial_load)(r, available);
  }
  for (ptrdiff_t v = 0; v < vectors; v++) {
    ptrdiff_t n = available - v * W < W ? available - v * W : W;
    vf sum = NAME(splat)(alpha) * (e[v] + o[v]);
    if (beta != 0) sum += NAME(splat)(beta) * NAME(partial_load)(y + v * W, n);
    if (n == W) NAME(store)(y + v * W, sum, W); else NAME(partial_store)(y + v * W, sum, n);
  }
}

// B stored [k, n] (y[j] = Σ_i a[i] B[i][j]): blocks of 4W outputs held in registers down all k
// rows, so y is written once; the first block is short so that B's loads start on a vector boundary.
TARGET static void NAME(gemv_rows_kn)(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t begin,
                                      ptrdiff_t end, float alpha, float beta, float *y) {
  ptrdiff_t head = (ptrdiff_t)((((uintptr_t)W * sizeof(float) - ((uintptr_t)(b + begin) & (W * sizeof(float) - 1))) &
                                (W * sizeof(float) - 1)) / sizeof(float));
  if (head > end - begin) head = end - begin;
  ptrdiff_t j = begin;
  if (head > 0) NAME(gemv_kn_block)(a, b + j, ldb, k, alpha, beta, y + j, 1, head), j += head;
  for (; j + 4 * W <= end; j += 4 * W) NAME(gemv_kn_block)(a, b + j, ldb, k, alpha, beta, y + j, 4, 4 * W);
  for (; j + W <= end; j += W) NAME(gemv_kn_block)(a, b + j, ldb, k, alpha, beta, y + j, 1, W);
  if (j < end) NAME(gemv_kn_block)(a, b + j, ldb, k, alpha, beta, y + j, 1, end - j);
}

// B stored [n, k] (y[j] = Σ_i B[j][i] a[i], a Hugging Face [out, in] weight): one row at a time,
// front to back, each a dot product with a (which stays in L1). Decoding streams these weights
// from memory once per token, and the hardware prefetchers keep up with one stream read in
// order with a software prefetch ahead of it, not with several neighbouring rows read in step
// (that pattern ran the quantised row kernels at a third of the bandwidth).
TARGET static void NAME(gemv_rows_nk)(const float *a, const float *b, ptrdiff_t ldb, ptrdiff_t k, ptrdiff_t begin,
                                      ptrdiff_t end, float alpha, float beta, float *y) {
  enum { AHEAD = 512 };  // floats (2 KB) of the weight stream fetched ahead of use
  for (ptrdiff_t j = begin; j < end; j++) {
    const float *row = b + j * ldb;
    vf c0 = NAME(splat)(0), c1 = c0;
    ptrdiff_t i = 0;
    for (; i + 2 * W <= k; i += 2 * W) {
      __builtin_prefetch(row + i + AHEAD);
      __builtin_prefetch(row + i + AHEAD + 16);
      c0 += NAME(load)(a + i, W) * NAME(load)(row + i, W);
      c1 += NAME(load)(a + i + W, W) * NAME(load)(row + i + W, W);
    }
    for (; i < k; i += W) {
      ptrdiff_t available = k - i;  // zero-padded loads: the padding lanes add nothing
      c0 += NAME(load)(a + i, available) * NAME(load)(row + i, available);
    }
    float sum = NAME(hsum)(c0 + c1);
    y[j] = alpha * sum + (beta != 0 ? beta * y[j] : 0.0f);
  }
}

// Backward of norm_rows for each row, from its saved (mean, rstd): with x̂ = (x − mean)·rstd and
// ĝ = g·gamma, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ x̂)) (no mean(ĝ) term for RMS norm), and
// dgamma += g·x̂, dbeta += g summed over the rows. dx, gamma, dgamma and dbeta may be NULL.
TARGET static void NAME(norm_backward_rows)(const float *g, const float *x, const float *stats, const float *gamma,
                                            ptrdiff_t rows, ptrdiff_t n, int centred, float *dx, float *dgamma,
                                            float *dbeta) {
  for (ptrdiff_t row = 0; row < rows; row++) {
    const float *gr = g + row * n, *xr = x + row * n;
    vf mean = NAME(splat)(stats[2 * row]), rstd = NAME(splat)(stats[2 * row + 1]);
    vf sumG = NAME(splat)(0), sumGX = sumG;
    // Padding lanes load g = 0, so they add nothing to the sums, dgamma or dbeta.
    for (ptrdiff_t i = 0; i < n; i += W) {
      ptrdiff_t available = n - i;
      vf gv = NAME(load)(gr + i, available);
      vf xh = (NAME(load)(xr + i, available) - mean) * rstd;
      vf gh = gamma ? gv * NAME(load)(gamma + i, available) : gv;
      sumG += gh;
      sumGX += gh * xh;
      if (dgamma) NAME(store)(dgamma + i, NAME(load)(dgamma + i, available) + gv * xh, available);
      if (dbeta) NAME(store)(dbeta + i, NAME(load)(dbeta + i, available) + gv, available);
    }
    if (!dx) continue;
    vf meanG = NAME(splat)(centred ? NAME(hsum)(sumG) / (float)n : 0.0f);
    vf meanGX = NAME(splat)(NAME(hsum)(sumGX) / (float)n);
    float *dxr = dx + row * n;
    for (ptrdiff_t i = 0; i < n; i += W) {
      ptrdiff_t available = n - i;
      vf gv = NAME(load)(gr + i, available);
      vf xh = (NAME(load)(xr + i, available) - mean) * rstd;
      vf gh = gamma ? gv * NAME(load)(gamma + i, available) : gv;
      NAME(store)(dxr + i, rstd * (gh - meanG - xh * meanGX), available);
    }
  }
}
