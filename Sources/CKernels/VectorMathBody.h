// Body of the element-wise kernels, included by VectorMath.c once per vector width; the includer
// defines vf and vi (float and int32 vectors of W lanes), W, TARGET and NAME(x).
INLINE TARGET vf NAME(splat)(float v) { return (vf){0} + v; }
INLINE TARGET vi NAME(iota)(void) { vi v; for (int i = 0; i < W; i++) v[i] = i; return v; }
INLINE TARGET vf NAME(select)(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }
INLINE TARGET vf NAME(vabs)(vf x) { return (vf)((vi)x & 0x7FFFFFFF); }
INLINE TARGET vf NAME(load)(const float *p, ptrdiff_t available) {
  vf v = NAME(splat)(0);
  if (available >= W) { memcpy(&v, p, sizeof v); } else { memcpy(&v, p, (size_t)available * sizeof(float)); }
  return v;
}
INLINE TARGET void NAME(store)(float *p, vf v, ptrdiff_t available) {
  if (available >= W) { memcpy(p, &v, sizeof v); } else { memcpy(p, &v, (size_t)available * sizeof(float)); }
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
  vf z = x * x;
  vf y = NAME(splat)(1.9875691500e-4f);
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  vi n = (vi)(fx + magic) - 0x4B400000;
  vf scale = (vf)((n + 127) << 23);
  vf result = y * scale;
  result = NAME(select)(input < NAME(splat)(low), NAME(splat)(0), result);
  result = NAME(select)(input > NAME(splat)(high), NAME(splat)(__builtin_inff()), result);
  result = NAME(select)(input != input, input, result);
  return result;
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

// As simdErf.
INLINE TARGET vf NAME(verf)(vf x) {
  vf ax = NAME(vabs)(x);
  vf z = x * x;
  vf ps = NAME(splat)(7.853861353153693e-5f);
  ps = ps * z - 8.010193625184903e-4f;
  ps = ps * z + 5.188327685732524e-3f;
  ps = ps * z - 2.685381193529856e-2f;
  ps = ps * z + 1.128358514861418e-1f;
  ps = ps * z - 3.761262582423300e-1f;
  ps = ps * z + 1.128379165726710f;
  vf small = x * ps;
  vf t = 1.0f / (1.0f + 0.5f * ax);
  vf r = NAME(splat)(0.17087277f);
  r = r * t - 0.82215223f;
  r = r * t + 1.48851587f;
  r = r * t - 1.13520398f;
  r = r * t + 0.27886807f;
  r = r * t - 0.18628806f;
  r = r * t + 0.09678418f;
  r = r * t + 0.37409196f;
  r = r * t + 1.00002368f;
  r = r * t - 1.26551223f;
  vf erfc = t * NAME(vexp)(-z + r);
  vf large = 1.0f - erfc;
  large = NAME(select)(x < NAME(splat)(0), -large, large);
  return NAME(select)(ax < NAME(splat)(0.5f), small, large);
}

// exp for arguments <= 0 (or NaN): the upper clamp and overflow select of vexp are no-ops there.
INLINE TARGET vf NAME(vexp_nonpositive)(vf input) {
  const float low = -88.3762626647949f;
  vf x = NAME(select)(input < NAME(splat)(low), NAME(splat)(low), input);
  vf fx = x * 1.44269504088896341f + 0.5f;
  vf magic = NAME(splat)(12582912.0f);
  vf nearest = (fx + magic) - magic;
  fx = NAME(select)(nearest > fx, nearest - 1.0f, nearest);
  x = x - fx * 0.693359375f;
  x = x + fx * 2.12194440e-4f;
  vf z = x * x;
  vf y = NAME(splat)(1.9875691500e-4f);
  y = y * x + 1.3981999507e-3f;
  y = y * x + 8.3334519073e-3f;
  y = y * x + 4.1665795894e-2f;
  y = y * x + 1.6666665459e-1f;
  y = y * x + 5.0000001201e-1f;
  y = y * z + x + 1.0f;
  vi n = (vi)(fx + magic) - 0x4B400000;
  vf result = y * (vf)((n + 127) << 23);
  return NAME(select)(input < NAME(splat)(low), NAME(splat)(0), result);
}

// Abramowitz–Stegun 7.1.26, |error| <= 1.5e-7 (PyTorch's vectorised erf).
INLINE TARGET vf NAME(verf_as)(vf x) {
  vi sign = (vi)x & (int32_t)0x80000000;
  vf a = NAME(vabs)(x);
  vf t = 1.0f / (1.0f + 0.3275911f * a);
  vf r = NAME(splat)(1.061405429f);
  r = r * t - 1.453152027f;
  r = r * t + 1.421413741f;
  r = r * t - 0.284496736f;
  r = r * t + 0.254829592f;
  vf e = NAME(vexp_nonpositive)(-(x * x));
  vf y = 1.0f - r * t * e;
  return (vf)((vi)y | sign);
}

TARGET static void NAME(gelu_erf)(const float *x, float *y, ptrdiff_t count) {
  for (ptrdiff_t i = 0; i < count; i += W) {
    vf v = NAME(load)(x + i, count - i);
    NAME(store)(y + i, 0.5f * v * (1.0f + ERF(v * 0.70710678118654752f)), count - i);
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
      vf e = NAME(vexp)(v - shift);
      sum += e;
      memcpy(dst + i, &e, sizeof e);
    }
    if (i < columns) {
      vf v = NAME(splat)(-__builtin_inff());
      memcpy(&v, src + i, (size_t)(columns - i) * sizeof(float));
      vf e = NAME(vexp)(v - shift);  // exp(-inf) = 0 in the padding lanes
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
