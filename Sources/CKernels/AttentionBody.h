// Body of the attention kernels (radlm_attention_rows), included by VectorMath.c once per vector
// width after VectorMathBody.h; the includer defines vf, W, TARGET, NAME(x) and the tile sizes
// SCORE_ROWS (query rows per score tile; the tile spans one 32-key panel, 32/W vectors) and
// VALUE_ROWS (query rows per output tile; the tile spans up to 4 vectors of the head dimension).
// Tile sizes keep every accumulator in a register: 12 at AVX-512 and AVX2 for the scores, 24
// (of 32 zmm) or 12 (of 16 ymm/xmm) for the outputs.
#define SCORE_VECTORS (RADLM_ATTENTION_PANEL / W)

// scores[r][0..<columns] = scale · q_r · keys of one packed panel, for `rows` (a constant after
// inlining) query rows. The panel holds head_dim rows of 32 keys each, so each step of the head
// dimension loads 32 contiguous keys and broadcasts one element of each query row.
INLINE TARGET void NAME(score_tile)(const float *q, ptrdiff_t ldq, const float *panel, ptrdiff_t head_dim,
                                    const int rows, float scale, float *scores, ptrdiff_t ldp, ptrdiff_t columns) {
  vf acc[SCORE_ROWS][SCORE_VECTORS];
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < SCORE_VECTORS; j++) acc[r][j] = NAME(splat)(0);
  for (ptrdiff_t d = 0; d < head_dim; d++) {
    vf keys[SCORE_VECTORS];
    for (int j = 0; j < SCORE_VECTORS; j++) memcpy(&keys[j], panel + d * RADLM_ATTENTION_PANEL + j * W, sizeof(vf));
    for (int r = 0; r < rows; r++) {
      vf a = NAME(splat)(q[r * ldq + d]);
      for (int j = 0; j < SCORE_VECTORS; j++) acc[r][j] += a * keys[j];
    }
  }
  for (int r = 0; r < rows; r++) {
    for (int j = 0; j < SCORE_VECTORS; j++) {
      ptrdiff_t offset = (ptrdiff_t)j * W;
      if (offset >= columns) break;
      vf value = acc[r][j] * scale;
      if (offset + W <= columns) memcpy(scores + r * ldp + offset, &value, sizeof value);
      else NAME(partial_store)(scores + r * ldp + offset, value, columns - offset);
    }
  }
}

// out[r][0..<vectors·W] = Σ_s p[r][s] · v[s][0..<vectors·W] over the first n keys, for `rows`
// query rows and `vectors` (both constants after inlining) vectors of the head dimension. Each key
// loads one contiguous run of its value row and broadcasts one probability per query row.
INLINE TARGET void NAME(value_tile)(const float *p, ptrdiff_t ldp, const float *v, ptrdiff_t ldv, ptrdiff_t n,
                                    const int rows, const int vectors, float *out, ptrdiff_t ldo) {
  vf acc[VALUE_ROWS][4];
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < vectors; j++) acc[r][j] = NAME(splat)(0);
  for (ptrdiff_t s = 0; s < n; s++) {
    vf values[4];
    for (int j = 0; j < vectors; j++) memcpy(&values[j], v + s * ldv + j * W, sizeof(vf));
    for (int r = 0; r < rows; r++) {
      vf a = NAME(splat)(p[r * ldp + s]);
      for (int j = 0; j < vectors; j++) acc[r][j] += a * values[j];
    }
  }
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < vectors; j++) memcpy(out + r * ldo + j * W, &acc[r][j], sizeof(vf));
}

// The row counts and vector counts as literals, so that each call inlines to a tile whose
// accumulators are registers.
TARGET static void NAME(score_rows)(const float *q, ptrdiff_t ldq, const float *panel, ptrdiff_t head_dim, int rows,
                                    float scale, float *scores, ptrdiff_t ldp, ptrdiff_t columns) {
  switch (rows) {
#if SCORE_ROWS >= 6
  case 6: NAME(score_tile)(q, ldq, panel, head_dim, 6, scale, scores, ldp, columns); break;
  case 5: NAME(score_tile)(q, ldq, panel, head_dim, 5, scale, scores, ldp, columns); break;
  case 4: NAME(score_tile)(q, ldq, panel, head_dim, 4, scale, scores, ldp, columns); break;
#endif
#if SCORE_ROWS >= 3
  case 3: NAME(score_tile)(q, ldq, panel, head_dim, 3, scale, scores, ldp, columns); break;
  case 2: NAME(score_tile)(q, ldq, panel, head_dim, 2, scale, scores, ldp, columns); break;
#endif
  default: NAME(score_tile)(q, ldq, panel, head_dim, 1, scale, scores, ldp, columns); break;
  }
}

#define VALUE_CASE(r)                                                       \
  case r:                                                                   \
    if (vectors == 4) NAME(value_tile)(p, ldp, v, ldv, n, r, 4, out, ldo);  \
    else if (vectors == 3) NAME(value_tile)(p, ldp, v, ldv, n, r, 3, out, ldo); \
    else if (vectors == 2) NAME(value_tile)(p, ldp, v, ldv, n, r, 2, out, ldo); \
    else NAME(value_tile)(p, ldp, v, ldv, n, r, 1, out, ldo);               \
    break;

TARGET static void NAME(value_rows)(const float *p, ptrdiff_t ldp, const float *v, ptrdiff_t ldv, ptrdiff_t n, int rows,
                                    int vectors, float *out, ptrdiff_t ldo) {
  switch (rows) {
#if VALUE_ROWS >= 6
    VALUE_CASE(6)
    VALUE_CASE(5)
    VALUE_CASE(4)
#endif
    VALUE_CASE(3)
    VALUE_CASE(2)
  default:
    if (vectors == 4) NAME(value_tile)(p, ldp, v, ldv, n, 1, 4, out, ldo);
    else if (vectors == 3) NAME(value_tile)(p, ldp, v, ldv, n, 1, 3, out, ldo);
    else if (vectors == 2) NAME(value_tile)(p, ldp, v, ldv, n, 1, 2, out, ldo);
    else NAME(value_tile)(p, ldp, v, ldv, n, 1, 1, out, ldo);
    break;
  }
}
#undef VALUE_CASE

// Softmax of row[0..<visible] after adding the mask row (if any), zeros in row[visible..<keys].
TARGET static void NAME(attention_softmax)(float *row, const float *mask, ptrdiff_t visible, ptrdiff_t keys) {
  ptrdiff_t i;
  if (mask) {
    for (i = 0; i + W <= visible; i += W) {
      vf a, b;
      memcpy(&a, row + i, sizeof a);
      memcpy(&b, mask + i, sizeof b);
      a += b;
      memcpy(row + i, &a, sizeof a);
    }
    for (; i < visible; i++) row[i] += mask[i];
  }
  if (visible > 0) NAME(softmax_rows)(row, row, 1, visible);
  if (visible < keys) memset(row + visible, 0, (size_t)(keys - visible) * sizeof(float));
}

TARGET static void NAME(attention_rows)(const float *q, ptrdiff_t ldq, const float *packed_keys, const float *v,
                                        ptrdiff_t ldv, ptrdiff_t rows, ptrdiff_t keys, ptrdiff_t head_dim,
                                        ptrdiff_t first_visible, int causal, float scale, const float *mask,
                                        ptrdiff_t ldmask, float *p, ptrdiff_t ldp, float *out, ptrdiff_t ldo) {
  if (rows <= 0) return;
  ptrdiff_t last_visible = causal ? first_visible + rows - 1 : keys;
  if (last_visible > keys) last_visible = keys;
  // Scores: panels outside, row tiles inside, so a panel (head_dim × 32 keys) stays in L1 while
  // every row of the block passes over it.
  for (ptrdiff_t s0 = 0; s0 < last_visible; s0 += RADLM_ATTENTION_PANEL) {
    const float *panel = packed_keys + (s0 / RADLM_ATTENTION_PANEL) * head_dim * RADLM_ATTENTION_PANEL;
    ptrdiff_t columns = last_visible - s0 < RADLM_ATTENTION_PANEL ? last_visible - s0 : RADLM_ATTENTION_PANEL;
    // Under a causal mask, rows that see none of this panel's keys are skipped.
    ptrdiff_t r0 = 0;
    if (causal && s0 >= first_visible) r0 = s0 - first_visible + 1;
    for (ptrdiff_t r = r0; r < rows; r += SCORE_ROWS) {
      int tile = rows - r < SCORE_ROWS ? (int)(rows - r) : SCORE_ROWS;
      NAME(score_rows)(q + r * ldq, ldq, panel, head_dim, tile, scale, p + r * ldp + s0, ldp, columns);
    }
  }
  for (ptrdiff_t r = 0; r < rows; r++) {
    ptrdiff_t visible = causal ? first_visible + r : keys;
    if (visible > keys) visible = keys;
    NAME(attention_softmax)(p + r * ldp, mask ? mask + r * ldmask : NULL, visible, keys);
  }
  // Outputs: column chunks of up to 4 vectors, row tiles inside; a tile's rows all run over the
  // keys its last row sees (the others' probabilities there are zero).
  for (ptrdiff_t c0 = 0; c0 < head_dim; c0 += 4 * W) {
    int vectors = (int)((head_dim - c0) / W < 4 ? (head_dim - c0) / W : 4);
    for (ptrdiff_t r = 0; r < rows; r += VALUE_ROWS) {
      int tile = rows - r < VALUE_ROWS ? (int)(rows - r) : VALUE_ROWS;
      ptrdiff_t n = causal ? first_visible + r + tile - 1 : keys;
      if (n > keys) n = keys;
      NAME(value_rows)(p + r * ldp, ldp, v + c0, ldv, n, tile, vectors, out + r * ldo + c0, ldo);
    }
  }
}
#undef SCORE_VECTORS
