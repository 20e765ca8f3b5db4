// The packed recurrent products (packed_gemm.h) against plain double loops on random problems, edges included
// (M, N, K of 1, widths that leave partial panels and partial row blocks, strided operands); then a GRU layer's
// forward and backward with packed weights against the same layer on OpenBLAS, every tensor within float rounding.
// The bfloat16 products likewise against double loops on the operands rounded to bfloat16 (the rounding itself
// checked on hand-picked values), and a layer with bfloat16 products against the float layer within bfloat16's
// rounding; the weight gradients' bfloat16 strips, written a few rows at a time as the backward pass writes them, against
// the gather from dgates they replace, bit for bit; and every layer also as in a training step (h0 = 0, no dx or dh0,
// where step 0's products are skipped). On a CPU without AVX-512F (or AVX-512 BF16) there is no packed (bfloat16)
// path: the test says so and passes.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "earshot/gru.h"
#include "earshot/packed_gemm.h"
#include "reference.h"

using namespace earshot;

static std::vector<float> random(std::mt19937_64& rng, size_t n, float scale) {
    std::uniform_real_distribution<float> u(-scale, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = u(rng);
    return v;
}

// worst |a - b| / (1e-3 + Σ|terms|), the rounding of a K-term float sum relative to its size
static double worst(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& mag) {
    double w = 0;
    for (size_t i = 0; i < got.size(); i++) w = std::max(w, std::fabs(got[i] - want[i]) / (1e-3 + mag[i]));
    return w;
}

static float rounded(float x) { return bf16_float(bf16_round(x)); }

// C = or += A · W (or A · W^T); with bf16, A and the panels in bfloat16, against double sums of the rounded operands
static void check_gemm(std::mt19937_64& rng, int M, int N, int K, bool transposed, bool accumulate, bool bf16 = false) {
    const int lda = bf16 ? K + 4 : K + 3, ldc = N + 5, ldw = transposed ? K + 2 : N + 1;  // bf16 rows: even stride
    std::vector<float> A = random(rng, (size_t)M * lda, 1.0f), C = random(rng, (size_t)M * ldc, 1.0f);
    std::vector<float> W = random(rng, (size_t)(transposed ? N : K) * ldw, 1.0f);
    auto op = [bf16](float v) { return bf16 ? (double)rounded(v) : (double)v; };
    std::vector<double> want(C.size()), mag(C.size());
    for (size_t i = 0; i < C.size(); i++) want[i] = C[i], mag[i] = std::fabs(C[i]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0, m = 0;
            for (int k = 0; k < K; k++) {
                const double v = op(A[(size_t)i * lda + k]) * op(transposed ? W[(size_t)j * ldw + k] : W[(size_t)k * ldw + j]);
                s += v;
                m += std::fabs(v);
            }
            const size_t at = (size_t)i * ldc + j;
            want[at] = accumulate ? want[at] + s : s;
            mag[at] = accumulate ? mag[at] + m : m;
        }
    if (bf16) {
        std::vector<uint16_t> P(packed_bf16(K, N), 0x7FC0), A16((size_t)M * lda);
        if (transposed) pack_transposed_bf16(P.data(), W.data(), ldw, N, K);
        else pack_plain_bf16(P.data(), W.data(), ldw, K, N);
        to_bf16(A16.data(), lda, A.data(), lda, M, K);
        gemm_packed_bf16(C.data(), ldc, A16.data(), lda, P.data(), M, N, K, accumulate);
    } else {
        std::vector<float> P(packed_floats(K, N), NAN);
        if (transposed) pack_transposed(P.data(), W.data(), ldw, N, K);
        else pack_plain(P.data(), W.data(), ldw, K, N);
        gemm_packed(C.data(), ldc, A.data(), lda, P.data(), M, N, K, accumulate);
    }
    // columns past N of each row are C's padding: they must be left as they were
    const double e = worst(C, want, mag);
    const std::string name = std::string(bf16 ? "gemm_packed_bf16" : "gemm_packed") + " M=" + std::to_string(M) +
                             " N=" + std::to_string(N) + " K=" + std::to_string(K) + (transposed ? " A·W^T" : " A·W") +
                             (accumulate ? " +=" : " =");
    ref::expect(e <= 1e-6, name.c_str(), e, 1e-6);
}

// C = A · W^T + bias on every row
static void check_bias(std::mt19937_64& rng, int M, int N, int K) {
    const int lda = K + 1, ldc = N + 3;
    std::vector<float> A = random(rng, (size_t)M * lda, 1.0f), W = random(rng, (size_t)N * K, 1.0f);
    std::vector<float> bias = random(rng, N, 1.0f), C = random(rng, (size_t)M * ldc, 1.0f);
    std::vector<double> want(C.size()), mag(C.size());
    for (size_t i = 0; i < C.size(); i++) want[i] = C[i], mag[i] = std::fabs(C[i]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double v = bias[j], m = std::fabs(bias[j]);
            for (int k = 0; k < K; k++) {
                v += (double)A[(size_t)i * lda + k] * W[(size_t)j * K + k];
                m += std::fabs((double)A[(size_t)i * lda + k] * W[(size_t)j * K + k]);
            }
            want[(size_t)i * ldc + j] = v;
            mag[(size_t)i * ldc + j] = m;
        }
    std::vector<float> P(packed_floats(K, N));
    pack_transposed(P.data(), W.data(), K, N, K);
    gemm_packed_bias(C.data(), ldc, A.data(), lda, P.data(), bias.data(), M, N, K);
    const double e = worst(C, want, mag);
    const std::string name = "gemm_packed_bias M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" +
                             std::to_string(K);
    ref::expect(e <= 1e-6, name.c_str(), e, 1e-6);
}

// C += A^T · X with A[K, M] and X[K, N] read in place (with bf16, both rounded to bfloat16 as they are packed)
static void check_at_b(std::mt19937_64& rng, int M, int N, int K, bool bf16 = false) {
    const int lda = M + 3, ldx = N + 2, ldc = N + 5;
    std::vector<float> A = random(rng, (size_t)K * lda, 1.0f), X = random(rng, (size_t)K * ldx, 1.0f);
    std::vector<float> C = random(rng, (size_t)M * ldc, 1.0f);
    auto op = [bf16](float v) { return bf16 ? (double)rounded(v) : (double)v; };
    std::vector<double> want(C.size()), mag(C.size());
    for (size_t i = 0; i < C.size(); i++) want[i] = C[i], mag[i] = std::fabs(C[i]);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++)
            for (int k = 0; k < K; k++) {
                const double v = op(A[(size_t)k * lda + i]) * op(X[(size_t)k * ldx + j]);
                want[(size_t)i * ldc + j] += v;
                mag[(size_t)i * ldc + j] += std::fabs(v);
            }
    if (bf16) gemm_at_b_bf16(C.data(), ldc, A.data(), lda, X.data(), ldx, M, N, K);
    else gemm_at_b(C.data(), ldc, A.data(), lda, X.data(), ldx, M, N, K);
    const double e = worst(C, want, mag);
    const std::string name = std::string(bf16 ? "gemm_at_b_bf16" : "gemm_at_b") + " M=" + std::to_string(M) + " N=" +
                             std::to_string(N) + " K=" + std::to_string(K);
    ref::expect(e <= 1e-6, name.c_str(), e, 1e-6);
}

// gemm_at_b_bf16_strips against gemm_at_b_bf16 on the same A: bit for bit (the same bfloat16 pairs, summed in the same
// order), the strips written a few rows at a time as the backward pass writes them, from row k_from on
static void check_at_b_strips(std::mt19937_64& rng, int M, int N, int K, int k_from) {
    const int lda = M + 3, ldx = N + 2, ldc = N + 5;
    std::vector<float> A = random(rng, (size_t)K * lda, 1.0f), X = random(rng, (size_t)K * ldx, 1.0f);
    std::vector<float> C = random(rng, (size_t)M * ldc, 1.0f), want = C;
    const size_t ld = bf16_strips_ld(K);
    std::vector<uint32_t> S(bf16_strips_size(K, M), 0xDEADBEEF);
    for (int k0 = 0; k0 < K;) {
        const int rows = std::min(K - k0, 2 * (int)(1 + rng() % 7));
        to_bf16_strips(S.data(), ld, A.data() + (size_t)k0 * lda, lda, k0, rows, M);
        k0 += rows;
    }
    gemm_at_b_bf16(want.data(), ldc, A.data() + (size_t)k_from * lda, lda, X.data() + (size_t)k_from * ldx, ldx, M, N,
                   K - k_from);
    gemm_at_b_bf16_strips(C.data(), ldc, S.data(), ld, X.data(), ldx, M, N, k_from, K);
    int differ = 0;
    for (size_t i = 0; i < C.size(); i++) differ += C[i] != want[i];
    const std::string name = "gemm_at_b_bf16_strips M=" + std::to_string(M) + " N=" + std::to_string(N) + " K=" +
                             std::to_string(K) + " from " + std::to_string(k_from) + ": values unlike gemm_at_b_bf16's";
    ref::expect(differ == 0, name.c_str(), differ, 0);
}

// ---- bfloat16 ----
static void check_bf16_rounding(std::mt19937_64& rng) {
    const float one = 1.0f, ulp = std::ldexp(1.0f, -7);  // bfloat16 keeps 8 significant bits: 1 + 2^-7 is next
    struct Case {
        float in, want;
    } cases[] = {{one, one},
                 {one + ulp / 2, one},                        // a tie goes to the even neighbour, 1
                 {one + 3 * ulp / 2, one + 2 * ulp},          // a tie goes to the even neighbour, 1 + 2^-6
                 {one + ulp / 2 + ulp / 64, one + ulp},       // past the tie, up
                 {-(one + ulp / 2 + ulp / 64), -(one + ulp)},
                 {FLT_MAX, INFINITY},                         // past the largest bfloat16 (≈ 3.39e38), to infinity
                 {INFINITY, INFINITY},
                 {0.0f, 0.0f}};
    for (const Case& c : cases) {
        const float got = rounded(c.in);
        ref::expect(got == c.want, ("bf16_round(" + std::to_string(c.in) + ")").c_str(), got, c.want);
    }
    ref::expect(std::isnan(rounded(NAN)), "bf16_round(NaN) is NaN", 0, 0);
    // to_bf16 (vcvtneps2bf16 on AVX-512 BF16) rounds as bf16_round does, strided and with an odd width
    std::vector<float> src = random(rng, 37 * 21, 100.0f);
    std::vector<uint16_t> dst(37 * 24, 0xABCD);
    to_bf16(dst.data(), 24, src.data(), 21, 37, 19);
    int wrong = 0, touched = 0;
    for (int r = 0; r < 37; r++)
        for (int j = 0; j < 24; j++) {
            const uint16_t d = dst[(size_t)r * 24 + j];
            if (j < 19) wrong += d != bf16_round(src[(size_t)r * 21 + j]);
            else touched += d != 0xABCD;
        }
    ref::expect(wrong == 0, "to_bf16 rounds as bf16_round", wrong, 0);
    ref::expect(touched == 0, "to_bf16 leaves the row padding alone", touched, 0);
}

// One layer forward and backward, packed against OpenBLAS, on the same random inputs. With bf16, the packed layer
// takes bfloat16 products: every tensor within 1.5% of the float layer's largest value (each product's operands carry
// up to 2^-9 relative rounding; 0.05-0.25% is seen on the larger shapes, over 40 steps too, and up to ~1% where a
// two-unit layer's few terms cancel).
// training: h0 = 0 and no dx or dh0 asked for, as in a training step (the layer then skips step 0's products, and with
// bfloat16 keeps only one step's dgates): dgates, dx and dh0 are not compared.
static void check_layer(std::mt19937_64& rng, int In, int H, int B, int T, bool bf16 = false, bool training = false) {
    const int G = 3 * H;
    Dims d{In, H, 1, 2};
    std::vector<float> params = random(rng, param_count(d), 1.0f / std::sqrt((float)H) * 2);
    std::vector<float> x = random(rng, (size_t)T * B * In, 1.0f), h0 = random(rng, (size_t)B * H, 0.5f);
    std::vector<float> dhs = random(rng, (size_t)T * B * H, 0.1f), dlast = random(rng, (size_t)B * H, 0.1f);
    LayerView p = layer_view(d, params.data(), 0);
    std::vector<float> pack_buf(recurrent_pack_floats(In, H));
    std::vector<uint16_t> pack16(bf16 ? recurrent_pack_bf16(H) : 0);
    RecurrentPack pack = bf16 ? pack_recurrent_bf16(pack_buf.data(), pack16.data(), p, H)
                              : pack_recurrent(pack_buf.data(), p, H);
    struct Out {
        std::vector<float> gates, rh, hs, dgates, dh, dx, dh0, grads;
    } out[2];
    for (int packed = 0; packed < 2; packed++) {
        Out& o = out[packed];
        o.gates.assign((size_t)T * B * G, 0);
        o.rh.assign((size_t)T * B * H, 0);
        o.hs.assign((size_t)(T + 1) * B * H, 0);
        if (!training) std::copy(h0.begin(), h0.end(), o.hs.begin());
        gru_forward(o.gates.data(), o.rh.data(), o.hs.data(), x.data(), p, packed ? &pack : nullptr, T, B, H);
        o.dgates.assign((size_t)T * B * G, 0);
        o.dh.assign((size_t)2 * B * H, 0);
        o.dx.assign((size_t)T * B * In, 0);
        o.dh0.assign((size_t)B * H, 0);
        o.grads.assign(param_count(d), 0);
        LayerView g = layer_view(d, o.grads.data(), 0);
        gru_backward(training ? nullptr : o.dx.data(), training ? nullptr : o.dh0.data(), g, o.dgates.data(),
                     o.dh.data(), dhs.data(), dlast.data(), o.gates.data(), o.rh.data(), o.hs.data(), x.data(), p,
                     packed ? &pack : nullptr, T, B, H);
    }
    const std::string shape = " In=" + std::to_string(In) + " H=" + std::to_string(H) + " B=" + std::to_string(B) +
                              " T=" + std::to_string(T) + (training ? " (h0 = 0, no dx, dh0)" : "");
    // relative to the tensor's largest value, or to `floor` where that is larger
    auto compare = [&](const char* what, const std::vector<float>& a, const std::vector<float>& b, double floor = 0) {
        double scale = floor, diff = 0;
        for (size_t i = 0; i < a.size(); i++) {
            scale = std::max(scale, (double)std::fabs(b[i]));
            diff = std::max(diff, (double)std::fabs(a[i] - b[i]));
        }
        const double rel = diff / std::max(scale, 1e-30), bound = bf16 ? 1.5e-2 : 2e-5;
        ref::expect(rel <= bound, ((bf16 ? "bf16 " : "packed ") + std::string(what) + shape).c_str(), rel, bound);
    };
    compare("gates", out[1].gates, out[0].gates);
    compare("h", out[1].hs, out[0].hs);
    if (!training) {
        compare("dgates", out[1].dgates, out[0].dgates);
        // dx = dgates · Wx inherits dgates' rounding, scaled by |Wx|: measured against max Σ_j |dgates_j|·|Wx_j|,
        // not against dx itself, which cancellation can make far smaller (one-element dx of a two-unit layer)
        double terms = 0;
        for (size_t r = 0; r < (size_t)T * B; r++)
            for (int c = 0; c < In; c++) {
                double m = 0;
                for (int j = 0; j < G; j++) m += std::fabs(out[0].dgates[r * G + j] * p.Wx[(size_t)j * In + c]);
                terms = std::max(terms, m);
            }
        compare("dx", out[1].dx, out[0].dx, terms);
        compare("dh0", out[1].dh0, out[0].dh0);
    }
    compare("dparams", out[1].grads, out[0].grads);
}

int main() {
    if (!packed_gemm_enabled()) {
        std::printf("packed recurrent products: %s on this CPU (no AVX-512F, or EARSHOT_GEMM=blas); nothing to test\n",
                    packed_gemm_kernel());
        return 0;
    }
    std::mt19937_64 rng(20261203);
    for (int M : {1, 7, 8, 9, 17, 64})
        for (int N : {1, 15, 16, 17, 32, 33, 70})
            for (int K : {1, 5, 64})
                for (int t = 0; t < 2; t++) check_gemm(rng, M, N, K, t == 1, (M + N + K) % 2 == 0);
    for (int M : {1, 7, 9, 64})
        for (int N : {1, 10, 17, 32, 40})
            for (int K : {1, 255, 256, 257, 600}) check_at_b(rng, M, N, K);
    for (int M : {1, 9, 100})
        for (int N : {3, 33, 96})
            for (int K : {1, 10, 40}) check_bias(rng, M, N, K);
    check_gemm(rng, 64, 1024, 512, true, true);
    check_at_b(rng, 1024, 512, 300);
    check_gemm(rng, 32, 512, 1024, false, true);
    for (auto s : {std::vector<int>{1, 1, 1, 1}, {3, 5, 2, 4}, {10, 40, 13, 6}, {40, 128, 64, 5}, {10, 512, 32, 3}, {40, 64, 16, 40}, {64, 96, 9, 7}})
        for (bool training : {false, true}) check_layer(rng, s[0], s[1], s[2], s[3], false, training);
    if (!bf16_supported()) {
        std::printf("bfloat16 products: no AVX-512 BF16 on this CPU; not tested\n");
        return ref::failures == 0 ? 0 : 1;
    }
    check_bf16_rounding(rng);
    for (int M : {1, 7, 8, 9, 17, 64})
        for (int N : {1, 15, 16, 17, 32, 33, 70})
            for (int K : {2, 6, 64})
                for (int t = 0; t < 2; t++) check_gemm(rng, M, N, K, t == 1, (M + N + K) % 2 == 0, true);
    for (int M : {1, 7, 9, 64})
        for (int N : {1, 10, 17, 32, 40})
            for (int K : {1, 255, 256, 257, 600}) check_at_b(rng, M, N, K, true);
    check_gemm(rng, 64, 1024, 512, true, true, true);
    check_gemm(rng, 32, 512, 1024, false, false, true);
    check_at_b(rng, 1024, 512, 301, true);
    for (int M : {1, 7, 8, 12, 17, 64, 1536})
        for (int N : {1, 10, 33, 40})
            for (int K : {2, 256, 258, 600})
                for (int k_from : {0, 2, K / 2 * 2 - 2}) check_at_b_strips(rng, M, N, K, k_from);
    // B even and H % 4 == 0 take the strips (and, training, one step's dgates); the others gather from dgates
    for (auto s : {std::vector<int>{1, 2, 1, 1}, {3, 6, 2, 4}, {10, 40, 13, 6}, {40, 128, 64, 5}, {10, 512, 32, 3},
                   {40, 64, 16, 40}, {64, 96, 9, 7}, {70, 130, 5, 3}, {10, 12, 2, 1}, {5, 44, 6, 9}})
        for (bool training : {false, true}) check_layer(rng, s[0], s[1], s[2], s[3], true, training);
    return ref::failures == 0 ? 0 : 1;
}
