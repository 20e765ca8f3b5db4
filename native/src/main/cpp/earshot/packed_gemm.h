// Matrix products against a weight matrix packed once and used many times: the GRU's step-by-step recurrent
// products, B rows of h against the same 3H×H weights at every one of T steps; and the weight gradients' products.
//
// Why not OpenBLAS here: SGEMM packs both operands on every call, so at B = 64 each step re-copies the whole
// weight matrix (a fifth of the training step at H = 512), and OPENBLAS_CORETYPE may pin its kernels to an
// instruction set narrower than the CPU's. These products pack the weights once per training step and run an
// AVX-512 micro-kernel (8 rows × 32 columns in 16 zmm accumulators). Where the CPU lacks AVX-512F, or
// EARSHOT_GEMM=blas asks for it, packed_gemm_enabled() is false and callers keep to OpenBLAS.
//
// Packed layout: panels of kPanel = 32 output columns, each panel K rows of 32 floats (k-major), the columns past N
// zero; panel p starts at P + p·32·K.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace earshot {

constexpr int kPanel = 32;

bool packed_gemm_enabled();
const char* packed_gemm_kernel();  // "avx512", or "blas" when disabled

size_t packed_floats(int K, int N);
// P from W[N, K] (row stride ldw), for C += A·W^T
void pack_transposed(float* P, const float* W, int ldw, int N, int K);
// P from W[K, N] (row stride ldw), for C += A·W
void pack_plain(float* P, const float* W, int ldw, int K, int N);

// C[M, N] (row stride ldc) = A[M, K] (row stride lda) · P, or += when accumulate. Needs packed_gemm_enabled().
void gemm_packed(float* C, int ldc, const float* A, int lda, const float* P, int M, int N, int K, bool accumulate);
// C[M, N] = A[M, K] · P + bias[N] on every row, rows in the outer loop: for many rows against a short K.
void gemm_packed_bias(float* C, int ldc, const float* A, int lda, const float* P, const float* bias, int M, int N,
                      int K);

// C[M, N] (ldc) += A^T · X for A[K, M] (lda) and X[K, N] (ldx), both row-major and read in place: a layer's weight
// gradients Σ_t dg_t^T · h_t over all T·B rows at once. Needs packed_gemm_enabled().
void gemm_at_b(float* C, int ldc, const float* A, int lda, const float* X, int ldx, int M, int N, int K);

// ---- bfloat16 products (AVX-512 BF16): operands rounded to bfloat16, products summed in float ----
// vdpbf16ps multiplies pairs of bfloat16 and adds both products to a float lane: twice the float FMA's work per
// instruction. A bf16 panel holds, for each pair of rows k = 2kk, 2kk + 1, the 32 columns' pairs interleaved (64
// uint16, the even k in the low half of each 32-bit lane); an odd K's last pair has a zero partner. Panel p starts at
// P + p·64·⌈K/2⌉. bf16 values are the top half of a float's bits, rounded to nearest even.
bool bf16_supported();  // the CPU has AVX-512 BF16 and packed_gemm_enabled()
size_t packed_bf16(int K, int N);
void pack_transposed_bf16(uint16_t* P, const float* W, int ldw, int N, int K);  // from W[N, K], for C += A·W^T
void pack_plain_bf16(uint16_t* P, const float* W, int ldw, int K, int N);       // from W[K, N], for C += A·W
// dst[rows, cols] (row stride ldd, even) = bf16(src[rows, cols]) (row stride lds); cols even
void to_bf16(uint16_t* dst, int ldd, const float* src, int lds, int rows, int cols);
// C[M, N] (ldc) = or += A[M, K] · P for A in bfloat16 (row stride lda, even; K even). Needs bf16_supported().
void gemm_packed_bf16(float* C, int ldc, const uint16_t* A, int lda, const uint16_t* P, int M, int N, int K,
                      bool accumulate);
// gemm_at_b with both operands rounded to bfloat16 as they are packed. Needs bf16_supported().
void gemm_at_b_bf16(float* C, int ldc, const float* A, int lda, const float* X, int ldx, int M, int N, int K);
// The same with A[K, M] already in bfloat16 strips, written a few rows at a time while they are still in cache (the
// backward pass's dgates, step by step) instead of gathered from A's scattered rows when the product runs. Strip s
// holds columns 8s..8s+7 of every row as pairs: the uint32 at S + s·ld + kk·8 + i is (A[2kk][8s + i], A[2kk + 1][8s
// + i]), columns past M zero; ld = bf16_strips_ld(K).
size_t bf16_strips_ld(int K);
size_t bf16_strips_size(int K, int M);
// rows k0 .. k0 + rows of A (k0, rows even; A points at row k0, row stride lda) into the strips. Needs bf16_supported().
void to_bf16_strips(uint32_t* S, size_t ld, const float* A, int lda, int k0, int rows, int M);
// C[M, N] (ldc) += Σ_{k = k_from}^{K-1} A[k, 0..M)^T · X[k, 0..N) for A in strips from S (strip 0 = A's column 0) and
// X[K, N] (ldx) row-major, rounded as it is packed; k_from even. Needs bf16_supported().
void gemm_at_b_bf16_strips(float* C, int ldc, const uint32_t* S, size_t ld, const float* X, int ldx, int M, int N,
                           int k_from, int K);
// v resized to hold n values from a 64-byte boundary, which it returns: the kernels' 64-byte panel loads then never
// straddle two cache lines.
template <class T>
T* aligned64(std::vector<T>& v, size_t n) {
    v.resize(n + 64 / sizeof(T));
    const uintptr_t at = (reinterpret_cast<uintptr_t>(v.data()) + 63) & ~(uintptr_t)63;
    return reinterpret_cast<T*>(at);
}
uint16_t bf16_round(float x);  // round to nearest even (NaN stays NaN)
float bf16_float(uint16_t b);

}  // namespace earshot
