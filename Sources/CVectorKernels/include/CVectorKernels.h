#ifndef RADLM_CVECTORKERNELS_H
#define RADLM_CVECTORKERNELS_H
// Distances between one query vector and gathered rows of a row-major matrix, for graph search
// (HNSW): each call scores a whole neighbour list, prefetching the next row while the current one
// is summed, with AVX2+FMA when the CPU has it and plain C otherwise. A target of its own (not CKernels) so
// that retrieval adds no rebuild of the tensor engine.
#include <stddef.h>
#include <stdint.h>

/// out[i] = -dot(q, base[rows[i]]) (kind 0, smaller is closer) or |q - base[rows[i]]|^2 (kind 1).
void radlm_gather_distances(const float *q, const float *base, ptrdiff_t dim, const int32_t *rows, ptrdiff_t count,
                            int kind, float *out);
#endif
