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


uint16_t bf16_round(float x) {
    uint32_t u;
    std::memcpy(&u, &x, sizeof u);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x40);  // NaN stays a (quiet) NaN
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

float bf16_float(uint16_t b) {
    const uint32_t u = (uint32_t)b << 16;
    float x;
    std::memcpy(&x, &u, sizeof x);
    return x;
}

size_t bf16_strips_ld(int K) { return (size_t)8 * ((K + 1) / 2); }
size_t bf16_strips_size(int K, int M) { return (size_t)((M + 7) / 8) * bf16_strips_ld(K); }

size_t packed_bf16(int K, int N) { return (size_t)((N + kPanel - 1) / kPanel) * kPanel * 2 * ((K + 1) / 2); }

// Element (k, j) of panel p sits at P + p·64·KK + (k/2)·64 + 2j + k%2; the padding (columns past N, an odd K's
// partner) is zero.
void pack_transposed_bf16(uint16_t* P, const float* W, int ldw, int N, int K) {
    const int KK = (K + 1) / 2;
    if (K % 2 == 0) {
        // A panel's pair (k = 2kk, 2kk + 1) of column j is two neighbours in row n0 + j of W: each row rounded whole
        // (vectorised), then its pairs dealt out 32 pairs apart.
        std::vector<uint16_t> row(K);
        uint32_t* P32 = reinterpret_cast<uint32_t*>(P);
        const uint32_t* r32 = reinterpret_cast<const uint32_t*>(row.data());
        for (int n0 = 0; n0 < N; n0 += kPanel) {
            uint32_t* panel = P32 + (size_t)n0 * KK;
            const int width = std::min(kPanel, N - n0);
            if (width < kPanel) std::memset(panel, 0, sizeof(uint32_t) * kPanel * KK);
            for (int j = 0; j < width; j++) {
                to_bf16(row.data(), K, W + (size_t)(n0 + j) * ldw, ldw, 1, K);
                for (int kk = 0; kk < KK; kk++) panel[(size_t)kk * kPanel + j] = r32[kk];
            }
        }
        return;
    }
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        uint16_t* panel = P + (size_t)n0 * 2 * KK;
        const int width = std::min(kPanel, N - n0);
        if (width < kPanel || K % 2) std::memset(panel, 0, sizeof(uint16_t) * 2 * kPanel * KK);
        for (int j = 0; j < width; j++) {
            const float* w = W + (size_t)(n0 + j) * ldw;
            for (int k = 0; k < K; k++) panel[(size_t)(k / 2) * 2 * kPanel + 2 * j + k % 2] = bf16_round(w[k]);
        }
    }
}

static void pack_plain_bf16_scalar(uint16_t* P, const float* W, int ldw, int K, int N) {
    const int KK = (K + 1) / 2;
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        uint16_t* panel = P + (size_t)n0 * 2 * KK;
        const int width = std::min(kPanel, N - n0);
        if (width < kPanel || K % 2) std::memset(panel, 0, sizeof(uint16_t) * 2 * kPanel * KK);
        for (int k = 0; k < K; k++) {
            const float* w = W + (size_t)k * ldw + n0;
            uint16_t* row = panel + (size_t)(k / 2) * 2 * kPanel + k % 2;
            for (int j = 0; j < width; j++) row[2 * j] = bf16_round(w[j]);
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
// ---- bfloat16 ----
// avx512bw/vl for the 16-bit masked stores; every CPU with AVX-512 BF16 has them.
#define EARSHOT_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
namespace {

// C[MR, 32] (masked to m0 | m1) = or += Σ_kk A(i, kk) · panel(kk): A(i, kk) is the 32-bit pair of bf16 of row i at
// A[i·sa + kk·sk] (sa = lda/2, sk = 1 for a row-major matrix; sa = 1, sk = 8 for a strip of 8 rows), panel(kk) the
// 64 uint16 at b + kk·64.
template <int MR>
EARSHOT_BF16_TARGET void tile_bf16(float* C, int ldc, const uint32_t* A, size_t sa,
                                                             size_t sk, const uint16_t* b, int KK, __mmask16 m0,
                                                             __mmask16 m1, bool accumulate) {
    __m512 c0[MR], c1[MR];
    for (int i = 0; i < MR; i++) c0[i] = _mm512_setzero_ps(), c1[i] = _mm512_setzero_ps();
    for (int kk = 0; kk < KK; kk++) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + (size_t)kk * 2 * kPanel);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + (size_t)kk * 2 * kPanel + kPanel);
        const uint32_t* ak = A + (size_t)kk * sk;
        for (int i = 0; i < MR; i++) {
            const __m512bh x = (__m512bh)_mm512_set1_epi32((int)ak[(size_t)i * sa]);
            c0[i] = _mm512_dpbf16_ps(c0[i], x, b0);
            c1[i] = _mm512_dpbf16_ps(c1[i], x, b1);
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
using TileBf16Fn = void (*)(float*, int, const uint32_t*, size_t, size_t, const uint16_t*, int, __mmask16, __mmask16,
                            bool);
constexpr TileBf16Fn kTilesBf16[9] = {nullptr,         tile_bf16<1>, tile_bf16<2>, tile_bf16<3>, tile_bf16<4>,
                                      tile_bf16<5>,    tile_bf16<6>, tile_bf16<7>, tile_bf16<8>};

bool detect_bf16() {
    __builtin_cpu_init();
    return packed_gemm_enabled() && __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl");
}

// 16 floats at x0 (row k even) and x1 (row k + 1, or zeros) → 16 interleaved pairs (x0 low, x1 high): both rounded
// into one vector (x0 in elements 0..15, x1 in 16..31), then element i and 16 + i brought side by side.
EARSHOT_BF16_TARGET inline __m512i pairs16(__m512 x0, __m512 x1) {
    const __m512i both = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);
    const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8, 23, 7,
                                                22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    return _mm512_permutexvar_epi16(interleave, both);
}

// pack_plain_bf16 for kc rows of X, each row read once, in order, two at a time
EARSHOT_BF16_TARGET void pack_rows_bf16(uint16_t* P, const float* X, size_t ldx, int kc,
                                                                  int N) {
    const int KK = (kc + 1) / 2;
    for (int kk = 0; kk < KK; kk++) {
        const float* x0 = X + (size_t)2 * kk * ldx;
        const float* x1 = x0 + ldx;
        const bool second = 2 * kk + 1 < kc;
        for (int n0 = 0; n0 < N; n0 += kPanel) {
            uint16_t* row = P + (size_t)n0 * 2 * KK + (size_t)kk * 2 * kPanel;
            const int width = std::min(kPanel, N - n0);
            const __mmask16 m0 = low_mask(width), m1 = low_mask(std::max(0, width - 16));
            const __m512 a0 = _mm512_maskz_loadu_ps(m0, x0 + n0), a1 = _mm512_maskz_loadu_ps(m1, x0 + n0 + 16);
            const __m512 b0 = second ? _mm512_maskz_loadu_ps(m0, x1 + n0) : _mm512_setzero_ps();
            const __m512 b1 = second ? _mm512_maskz_loadu_ps(m1, x1 + n0 + 16) : _mm512_setzero_ps();
            _mm512_storeu_si512(row, pairs16(a0, b0));
            _mm512_storeu_si512(row + kPanel, pairs16(a1, b1));
        }
    }
}

// strip[kk][0..8) = the pairs (A[2kk·lda + i], A[(2kk + 1)·lda + i]) for i < rows (zero past rows and past kc)
EARSHOT_BF16_TARGET void copy_strip_bf16(uint32_t* strip, const float* A, size_t lda, int kc,
                                                                   int rows) {
    const __mmask16 m = (__mmask16)((1u << rows) - 1);
    const int KK = (kc + 1) / 2;
    for (int kk = 0; kk < KK; kk++) {
        const __m512 x0 = _mm512_maskz_loadu_ps(m, A + (size_t)2 * kk * lda);
        const __m512 x1 = 2 * kk + 1 < kc ? _mm512_maskz_loadu_ps(m, A + (size_t)(2 * kk + 1) * lda) : _mm512_setzero_ps();
        _mm512_mask_storeu_epi32(strip + (size_t)kk * 8, 0xFF, pairs16(x0, x1));
    }
}

EARSHOT_BF16_TARGET void to_bf16_avx512(uint16_t* dst, int ldd, const float* src, int lds,
                                                                  int rows, int cols) {
    for (int r = 0; r < rows; r++) {
        const float* s = src + (size_t)r * lds;
        uint16_t* d = dst + (size_t)r * ldd;
        for (int j = 0; j < cols; j += 16) {
            const __mmask16 m = low_mask(cols - j);
            _mm256_mask_storeu_epi16(d + j, m, (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, s + j)));
        }
    }
}

// to_bf16_strips: two rows at a time, 16 columns (two strips) per pairs16
EARSHOT_BF16_TARGET void to_bf16_strips_avx512(uint32_t* S, size_t ld, const float* A, int lda, int k0, int rows,
                                               int M) {
    const int strips = (M + 7) / 8;
    for (int r = 0; r < rows; r += 2) {
        const float* a0 = A + (size_t)r * lda;
        const float* a1 = a0 + lda;
        uint32_t* at = S + (size_t)((k0 + r) / 2) * 8;
        for (int j = 0; j < M; j += 16) {
            const __mmask16 m = low_mask(M - j);
            const __m512i p = pairs16(_mm512_maskz_loadu_ps(m, a0 + j), _mm512_maskz_loadu_ps(m, a1 + j));
            // lanes 0..7 to strip j/8, lanes 8..15 to strip j/8 + 1 (stored from 8 before it, the low lanes masked off)
            _mm512_mask_storeu_epi32(at + (size_t)(j / 8) * ld, 0x00FF, p);
            if (j / 8 + 1 < strips) _mm512_mask_storeu_epi32(at + (size_t)(j / 8 + 1) * ld - 8, 0xFF00, p);
        }
    }
}

}  // namespace

void pack_plain_bf16(uint16_t* P, const float* W, int ldw, int K, int N) {
    if (bf16_supported()) return pack_rows_bf16(P, W, ldw, K, N);  // the same layout, with 64-byte moves
    pack_plain_bf16_scalar(P, W, ldw, K, N);
}

bool bf16_supported() {
    static const bool on = detect_bf16();
    return on;
}

void to_bf16(uint16_t* dst, int ldd, const float* src, int lds, int rows, int cols) {
    if (bf16_supported()) return to_bf16_avx512(dst, ldd, src, lds, rows, cols);
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) dst[(size_t)r * ldd + j] = bf16_round(src[(size_t)r * lds + j]);
}

void gemm_packed_bf16(float* C, int ldc, const uint16_t* A, int lda, const uint16_t* P, int M, int N, int K,
                      bool accumulate) {
    const int KK = K / 2;
    const uint32_t* A32 = reinterpret_cast<const uint32_t*>(A);
    for (int n0 = 0; n0 < N; n0 += kPanel) {
        const int width = std::min(kPanel, N - n0);
        const __mmask16 m0 = low_mask(width), m1 = low_mask(std::max(0, width - 16));
        const uint16_t* panel = P + (size_t)n0 * 2 * KK;
        for (int i = 0; i < M; i += 8)
            kTilesBf16[std::min(8, M - i)](C + (size_t)i * ldc + n0, ldc, A32 + (size_t)i * (lda / 2), lda / 2, 1,
                                           panel, KK, m0, m1, accumulate);
    }
}

// C[M, N] += A^T · X over rows k_from..K of X, in blocks of kAtBBlock rows: the block's rows of X packed (as bf16
// pairs, half the bytes), then each row block of C against the strip strip_of(i, rows, k0, kc) gives for A's columns
// i..i + rows (8 consecutive pairs per kk).
constexpr int kAtBBlock = 256;
template <class StripOf>
static void at_b_bf16_blocks(float* C, int ldc, const float* X, int ldx, int M, int N, int k_from, int K,
                             StripOf strip_of) {
    thread_local std::vector<uint16_t> packed_buf;
    uint16_t* packed = aligned64(packed_buf, packed_bf16(kAtBBlock, N));
    for (int k0 = k_from; k0 < K; k0 += kAtBBlock) {
        const int kc = std::min(kAtBBlock, K - k0), KK = (kc + 1) / 2;
        pack_rows_bf16(packed, X + (size_t)k0 * ldx, ldx, kc, N);
        for (int i = 0; i < M; i += 8) {
            const int rows = std::min(8, M - i);
            const uint32_t* strip = strip_of(i, rows, k0, kc);
            for (int n0 = 0; n0 < N; n0 += kPanel) {
                const int width = std::min(kPanel, N - n0);
                kTilesBf16[rows](C + (size_t)i * ldc + n0, ldc, strip, 1, 8, packed + (size_t)n0 * 2 * KK, KK,
                                 low_mask(width), low_mask(std::max(0, width - 16)), true);
            }
        }
    }
}

void gemm_at_b_bf16(float* C, int ldc, const float* A, int lda, const float* X, int ldx, int M, int N, int K) {
    // As gemm_at_b: each row block's strip of A gathered from A's rows as the product reaches it.
    thread_local std::vector<uint32_t> strip_buf;
    uint32_t* strip = aligned64(strip_buf, 8 * (kAtBBlock / 2));
    at_b_bf16_blocks(C, ldc, X, ldx, M, N, 0, K, [&](int i, int rows, int k0, int kc) {
        copy_strip_bf16(strip, A + (size_t)k0 * lda + i, lda, kc, rows);
        return strip;
    });
}

void to_bf16_strips(uint32_t* S, size_t ld, const float* A, int lda, int k0, int rows, int M) {
    to_bf16_strips_avx512(S, ld, A, lda, k0, rows, M);
}

void gemm_at_b_bf16_strips(float* C, int ldc, const uint32_t* S, size_t ld, const float* X, int ldx, int M, int N,
                           int k_from, int K) {
    // The strips already made: each row block's read in place.
    at_b_bf16_blocks(C, ldc, X, ldx, M, N, k_from, K, [&](int i, int, int k0, int) {
        return S + (size_t)(i / 8) * ld + (size_t)(k0 / 2) * 8;
    });
}
#else
bool packed_gemm_enabled() { return false; }
void gemm_packed(float*, int, const float*, int, const float*, int, int, int, bool) { std::abort(); }
void gemm_at_b(float*, int, const float*, int, const float*, int, int, int, int) { std::abort(); }
void gemm_packed_bias(float*, int, const float*, int, const float*, const float*, int, int, int) { std::abort(); }
bool bf16_supported() { return false; }
void to_bf16(uint16_t* dst, int ldd, const float* src, int lds, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int j = 0; j < cols; j++) dst[(size_t)r * ldd + j] = bf16_round(src[(size_t)r * lds + j]);
}
void gemm_packed_bf16(float*, int, const uint16_t*, int, const uint16_t*, int, int, int, bool) { std::abort(); }
void gemm_at_b_bf16(float*, int, const float*, int, const float*, int, int, int, int) { std::abort(); }
void pack_plain_bf16(uint16_t* P, const float* W, int ldw, int K, int N) { pack_plain_bf16_scalar(P, W, ldw, K, N); }
void to_bf16_strips(uint32_t*, size_t, const float*, int, int, int, int) { std::abort(); }
void gemm_at_b_bf16_strips(float*, int, const uint32_t*, size_t, const float*, int, int, int, int, int) { std::abort(); }
#endif

const char* packed_gemm_kernel() { return packed_gemm_enabled() ? "avx512" : "blas"; }

}  // namespace earshot
