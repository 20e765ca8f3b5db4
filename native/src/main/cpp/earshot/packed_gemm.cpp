// Products against a packed weight matrix; see packed_gemm.h.
#include "earshot/packed_gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define EARSHOT_PACKED_X86 1
#endif

namespace earshot {

size_t packed_floats(int K, int N) { return (size_t)((N + kPanel - 1) / kPanel) * kPanel * K; }

void pack_transposed(float* P, const float* W, int ldw, int N, int K) {
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        float* panel = P + (size_t)n0 * K;  // panel n0/32 starts at 32·K·(n0/32) = n0·K
        const int width = std::min(kPanel, N - n0);
        if (width < kPanel) std::memset(panel, 0, sizeof(float) * kPanel * K);
        // A row of W becomes a column of the panel; rows are read whole, so W streams once.
        for (int j = 0; j < width; j++) {
            const float* w = W + (size_t)(n0 + j) * ldw;
            for (int k = 0; k < K; k++) panel[(size_t)k * kPanel + j] = w[k];
        }
    }
}

void pack_plain(float* P, const float* W, int ldw, int K, int N) {
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        float* panel = P + (size_t)n0 * K;
        const int width = std::min(kPanel, N - n0);
        for (int k = 0; k < K; k++) {
            float* row = panel + (size_t)k * kPanel;
            std::memcpy(row, W + (size_t)k * ldw + n0, sizeof(float) * width);
            if (width < kPanel) std::memset(row + width, 0, sizeof(float) * (kPanel - width));
        }
    }
}

#ifdef EARSHOT_PACKED_X86
namespace {

// C[MR, 32] (masked to the real columns m0 | m1) = or += A[MR, K] · B[K, 32], the accumulators never leaving registers.
// A is row-major (row i at A + i·lda), or transposed (kTransA: element (i, k) at A[k·lda + i], so a step's MR
// broadcasts come from one cache line). Row k of B is at b + k·ldb: a packed panel (ldb = 32) or a row-major matrix
// read in place, whose loads are masked when the tile is narrower than 32 (kMaskB) so they stay in its rows.
template <int MR, bool kTransA, bool kMaskB>
__attribute__((target("avx512f"))) void tile(float* C, int ldc, const float* A, size_t lda, const float* b,
                                              size_t ldb, int K, __mmask16 m0, __mmask16 m1, bool accumulate,
                                              const float* bias) {
    __m512 c0[MR], c1[MR];
    const __m512 z0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
    const __m512 z1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
    for (int i = 0; i < MR; i++) c0[i] = z0, c1[i] = z1;
    for (int k = 0; k < K; k++) {
        const float* bk = b + (size_t)k * ldb;
        const __m512 b0 = kMaskB ? _mm512_maskz_loadu_ps(m0, bk) : _mm512_loadu_ps(bk);
        const __m512 b1 = kMaskB ? _mm512_maskz_loadu_ps(m1, bk + 16) : _mm512_loadu_ps(bk + 16);
        const float* ak = kTransA ? A + (size_t)k * lda : A + k;
        for (int i = 0; i < MR; i++) {
            const __m512 x = _mm512_set1_ps(kTransA ? ak[i] : ak[(size_t)i * lda]);
            c0[i] = _mm512_fmadd_ps(x, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(x, b1, c1[i]);
        }
    }
    for (int i = 0; i < MR; i++) {
        float* c = C + (size_t)i * ldc;
        if (accumulate) {
            c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, c));
            c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, c + 16));
        }
        _mm512_mask_storeu_ps(c, m0, c0[i]);
        _mm512_mask_storeu_ps(c + 16, m1, c1[i]);
    }
}
using TileFn = void (*)(float*, int, const float*, size_t, const float*, size_t, int, __mmask16, __mmask16, bool,
                        const float*);
template <bool kTransA, bool kMaskB>
constexpr TileFn kTiles[9] = {nullptr,
                              tile<1, kTransA, kMaskB>,
                              tile<2, kTransA, kMaskB>,
                              tile<3, kTransA, kMaskB>,
                              tile<4, kTransA, kMaskB>,
                              tile<5, kTransA, kMaskB>,
                              tile<6, kTransA, kMaskB>,
                              tile<7, kTransA, kMaskB>,
                              tile<8, kTransA, kMaskB>};

__mmask16 low_mask(int width) { return (__mmask16)(width >= 16 ? 0xFFFF : (1u << width) - 1); }

bool detect() {
    const char* force = std::getenv("EARSHOT_GEMM");
    if (force && std::string(force) == "blas") return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

}  // namespace

bool packed_gemm_enabled() {
    static const bool on = detect();
    return on;
}

void gemm_packed(float* C, int ldc, const float* A, int lda, const float* P, int M, int N, int K, bool accumulate) {
    // Panels outer: a panel (32·K floats, 64 KB at K = 512) stays in L2 while every row block of A passes it.
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        const int width = std::min(kPanel, N - n0);
        const __mmask16 m0 = low_mask(width), m1 = low_mask(std::max(0, width - 16));
        const float* panel = P + (size_t)n0 * K;
        for (int i = 0; i < M; i += 8)
            kTiles<false, false>[std::min(8, M - i)](C + (size_t)i * ldc + n0, ldc, A + (size_t)i * lda, lda, panel,
                                                     kPanel, K, m0, m1, accumulate, nullptr);
    }
}

void gemm_packed_bias(float* C, int ldc, const float* A, int lda, const float* P, const float* bias, int M, int N,
                      int K) {
    // Row blocks outer: for the input projection's many rows and few columns of A (K = the features), a row block
    // (8·K floats) stays in L1 while it meets every panel, and A streams from memory once.
    for (int i = 0; i < M; i += 8)
        for (int n0 = 0; n0 < N; n0 += kPanel) {
            const int width = std::min(kPanel, N - n0);
            kTiles<false, false>[std::min(8, M - i)](C + (size_t)i * ldc + n0, ldc, A + (size_t)i * lda, lda,
                                                     P + (size_t)n0 * K, kPanel, K, low_mask(width),
                                                     low_mask(std::max(0, width - 16)), false, bias + n0);
        }
}

// strip[k][0..8) = A[k·lda + 0..rows) (zero past rows): one 32-byte move per k where a full strip allows it.
static __attribute__((target("avx512f"))) void copy_strip(float* strip, const float* A, size_t lda, int kc, int rows) {
    if (rows == 8) {
        for (int k = 0; k < kc; k++) _mm256_storeu_ps(strip + (size_t)k * 8, _mm256_loadu_ps(A + (size_t)k * lda));
        return;
    }
    const __mmask16 m = (__mmask16)((1u << rows) - 1);
    for (int k = 0; k < kc; k++)
        _mm512_mask_storeu_ps(strip + (size_t)k * 8, 0xFF, _mm512_maskz_loadu_ps(m, A + (size_t)k * lda));
}

// pack_plain for a block of kc rows of X, with 64-byte moves: each row of X read once, in order.
static __attribute__((target("avx512f"))) void pack_rows(float* P, const float* X, size_t ldx, int kc, int N) {
    for (int k = 0; k < kc; k++) {
        const float* x = X + (size_t)k * ldx;
        for (int n0 = 0; n0 < N; n0 += kPanel) {
            float* row = P + (size_t)n0 * kc + (size_t)k * kPanel;
            const int width = std::min(kPanel, N - n0);
            const __mmask16 m0 = low_mask(width), m1 = low_mask(std::max(0, width - 16));
            _mm512_storeu_ps(row, _mm512_maskz_loadu_ps(m0, x + n0));
            _mm512_storeu_ps(row + 16, _mm512_maskz_loadu_ps(m1, x + n0 + 16));
        }
    }
}

void gemm_at_b(float* C, int ldc, const float* A, int lda, const float* X, int ldx, int M, int N, int K) {
    // K (the T·B rows) in blocks of 256. The block's rows of X are packed into panels (32 KB each; 512 KB at N = 512,
    // in L2) that every row block of C streams. Each row block's strip of A (8 columns of the block's rows) is copied
    // to 8 KB of consecutive floats first: read in place, its rows lie 3H floats apart (6 KB at H = 512), which
    // puts them all in a few of L1's sets, so they were evicted before the next panel could reuse them.
    constexpr int kBlock = 256;
    thread_local std::vector<float> packed, strip;
    packed.resize(packed_floats(kBlock, N));
    strip.resize(8 * kBlock);
    for (int k0 = 0; k0 < K; k0 += kBlock) {
        const int kc = std::min(kBlock, K - k0);
        const float* Ak = A + (size_t)k0 * lda;
        pack_rows(packed.data(), X + (size_t)k0 * ldx, ldx, kc, N);
        for (int i = 0; i < M; i += 8) {
            const int rows = std::min(8, M - i);
            copy_strip(strip.data(), Ak + i, lda, kc, rows);
            for (int n0 = 0; n0 < N; n0 += kPanel) {
                const int width = std::min(kPanel, N - n0);
                kTiles<true, false>[rows](C + (size_t)i * ldc + n0, ldc, strip.data(), 8, packed.data() + (size_t)n0 * kc,
                                          kPanel, kc, low_mask(width), low_mask(std::max(0, width - 16)), true, nullptr);
            }
        }
    }
}
#else
bool packed_gemm_enabled() { return false; }
void gemm_packed(float*, int, const float*, int, const float*, int, int, int, bool) { std::abort(); }
void gemm_at_b(float*, int, const float*, int, const float*, int, int, int, int) { std::abort(); }
void gemm_packed_bias(float*, int, const float*, int, const float*, const float*, int, int, int) { std::abort(); }
#endif

const char* packed_gemm_kernel() { return packed_gemm_enabled() ? "avx512" : "blas"; }

}  // namespace earshot
