// Earshot's GRU core. See gru.h for the cell, the layouts and the shapes.
#include "earshot/gru.h"

#include "earshot/packed_gemm.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define EARSHOT_X86 1
#endif

// The elementwise loops are compiled once per instruction set and picked at load time (GCC ifunc), so one
// portable library still runs AVX2/AVX-512 code where the CPU has it. OpenBLAS does the same for SGEMM.
// Clones are keyed on CPU features, not "arch=" models: an arch clone never matches an AMD CPU.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(EARSHOT_NO_CLONES) && \
    !defined(__SANITIZE_ADDRESS__)
#define EARSHOT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EARSHOT_CLONES
#endif

namespace earshot {

size_t param_count(const Dims& d) {
    size_t n = 0;
    for (int l = 0; l < d.layers; l++) {
        size_t in = l == 0 ? d.input : d.hidden;
        n += 3 * (size_t)d.hidden * (in + d.hidden) + 3 * (size_t)d.hidden;
    }
    return n + (size_t)d.classes * d.hidden + d.classes;
}

LayerView layer_view(const Dims& d, float* params, int layer) {
    const size_t H = d.hidden;
    float* p = params;
    for (int l = 0; l < layer; l++) {
        size_t in = l == 0 ? d.input : d.hidden;
        p += 3 * H * (in + H) + 3 * H;
    }
    int in = layer == 0 ? d.input : d.hidden;
    LayerView v;
    v.Wx = p;
    v.Wh = p + 3 * H * in;
    v.b = v.Wh + 3 * H * H;
    v.in = in;
    return v;
}

HeadView head_view(const Dims& d, float* params) {
    LayerView last = layer_view(d, params, d.layers - 1);
    HeadView v;
    v.Wo = last.b + 3 * (size_t)d.hidden;
    v.bo = v.Wo + (size_t)d.classes * d.hidden;
    return v;
}

void init_params(const Dims& d, float* params, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::memset(params, 0, param_count(d) * sizeof(float));
    const int H = d.hidden;
    float k = 1.0f / std::sqrt((float)H);
    std::uniform_real_distribution<float> gru(-k, k);
    for (int l = 0; l < d.layers; l++) {
        LayerView v = layer_view(d, params, l);
        for (size_t i = 0; i < 3 * (size_t)H * v.in; i++) v.Wx[i] = gru(rng);
        for (size_t i = 0; i < 3 * (size_t)H * H; i++) v.Wh[i] = gru(rng);
    }
    HeadView h = head_view(d, params);
    float g = std::sqrt(6.0f / (float)(H + d.classes));
    std::uniform_real_distribution<float> head(-g, g);
    for (size_t i = 0; i < (size_t)d.classes * H; i++) h.Wo[i] = head(rng);
}

// ---------------------------------------------------------------------------------------------
// exp for float without a libm call, so loops over it vectorise: Cody-Waite range reduction to
// r in [-ln2/2, ln2/2], Cephes' degree-6 polynomial, and 2^n built in the exponent bits. Relative
// error about 2 ulp over the clamped range; the clamp keeps 2^n a normal float.
static inline float exp_poly(float x) {
    x = std::min(std::max(x, -87.0f), 88.0f);
    // Round to nearest by adding and removing 1.5·2^23 (exact for |t| < 2^22): no branch, so it vectorises.
    float fn = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    int n = (int)fn;
    float r = x - fn * 0.693359375f;
    r = r - fn * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t bits = (n + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float sigmoid_inline(float x) { return 1.0f / (1.0f + exp_poly(-x)); }

// tanh(x) = sign(x)·(1 − e^{−2|x|}) / (1 + e^{−2|x|}); |x| small uses the odd series so that tiny
// arguments keep their relative accuracy (1 − e^{−2|x|} cancels there).
static inline float tanh_inline(float x) {
    float a = std::fabs(x);
    float e = exp_poly(-2.0f * a);
    float big = (1.0f - e) / (1.0f + e);
    float x2 = a * a;
    float small = a * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f + x2 * (-0.0539682540f))));
    float y = a < 0.0625f ? small : big;
    return x < 0.0f ? -y : y;
}

float sigmoidf_fast(float x) { return sigmoid_inline(x); }
float tanhf_fast(float x) { return tanh_inline(x); }

// ---------------------------------------------------------------------------------------------
// Elementwise parts of one time step. g points at the step's [B, 3H] block.

// g[:, 0:2H] = σ(g[:, 0:2H]); rh = r ⊙ hprev
EARSHOT_CLONES
static void gates_zr(float* __restrict g, float* __restrict rh, const float* __restrict hprev, int B, int H) {
    const int G = 3 * H;
    for (int b = 0; b < B; b++) {
        float* gb = g + (size_t)b * G;
        for (int j = 0; j < 2 * H; j++) gb[j] = sigmoid_inline(gb[j]);
        const float* hb = hprev + (size_t)b * H;
        float* rb = rh + (size_t)b * H;
        for (int j = 0; j < H; j++) rb[j] = gb[H + j] * hb[j];
    }
}

// c = tanh(g[:, 2H:3H]) (stored back); h = hprev + z ⊙ (c − hprev)
EARSHOT_CLONES
static void candidate_update(float* g, float* h, const float* hprev, int B, int H) {
    const int G = 3 * H;
    for (int b = 0; b < B; b++) {
        float* gb = g + (size_t)b * G;
        const float* hp = hprev + (size_t)b * H;
        float* hb = h + (size_t)b * H;
        for (int j = 0; j < H; j++) {
            float c = tanh_inline(gb[2 * H + j]);
            gb[2 * H + j] = c;
            hb[j] = hp[j] + gb[j] * (c - hp[j]);
        }
    }
}

// adds the bias b[3H] to every row of g[rows, 3H]
EARSHOT_CLONES
static void add_bias_rows(float* __restrict g, const float* __restrict bias, size_t rows, int G) {
    for (size_t i = 0; i < rows; i++) {
        float* gi = g + i * G;
        for (int j = 0; j < G; j++) gi[j] += bias[j];
    }
}

size_t recurrent_pack_floats(int In, int H) {
    return packed_floats(In, 3 * H) + packed_floats(H, 2 * H) + 2 * packed_floats(H, H) + packed_floats(2 * H, H);
}

RecurrentPack pack_recurrent(float* buf, const LayerView& p, int H) {
    const float* Whz = p.Wh;
    const float* Whc = p.Wh + (size_t)2 * H * H;
    RecurrentPack r;
    float* at = buf;
    pack_transposed(at, p.Wx, p.in, 3 * H, p.in);
    r.x_t = at;
    at += packed_floats(p.in, 3 * H);
    pack_transposed(at, Whz, H, 2 * H, H);
    r.zr_t = at;
    at += packed_floats(H, 2 * H);
    pack_transposed(at, Whc, H, H, H);
    r.c_t = at;
    at += packed_floats(H, H);
    pack_plain(at, Whc, H, H, H);
    r.c = at;
    at += packed_floats(H, H);
    pack_plain(at, Whz, H, 2 * H, H);
    r.zr = at;
    return r;
}

size_t recurrent_pack_bf16(int H) { return packed_bf16(H, 2 * H) + 2 * packed_bf16(H, H) + packed_bf16(2 * H, H); }

RecurrentPack pack_recurrent_bf16(float* buf, uint16_t* buf16, const LayerView& p, int H) {
    const float* Whz = p.Wh;
    const float* Whc = p.Wh + (size_t)2 * H * H;
    RecurrentPack r{};
    pack_transposed(buf, p.Wx, p.in, 3 * H, p.in);
    r.x_t = buf;
    uint16_t* at = buf16;
    pack_transposed_bf16(at, Whz, H, 2 * H, H);
    r.zr_t16 = at;
    at += packed_bf16(H, 2 * H);
    pack_transposed_bf16(at, Whc, H, H, H);
    r.c_t16 = at;
    at += packed_bf16(H, H);
    pack_plain_bf16(at, Whc, H, H, H);
    r.c16 = at;
    at += packed_bf16(H, H);
    pack_plain_bf16(at, Whz, H, 2 * H, H);
    r.zr16 = at;
    return r;
}

// h0 = 0 (a training batch's state unless the caller gives one) makes step 0's recurrent products zero: the layer
// skips them rather than multiply by zeros.
static bool all_zero(const float* x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0.0f) return false;
    return true;
}

// A step's operand rounded to bfloat16 for the next product: [B, 2H] at most.
static uint16_t* bf16_scratch(size_t n) {
    thread_local std::vector<uint16_t> a;
    return aligned64(a, n);
}

void gru_forward(float* gates, float* rh, float* hs, const float* x, const LayerView& p, const RecurrentPack* pack,
                 int T, int B, int H) {
    const int G = 3 * H;
    const int In = p.in;
    // gates[T·B, 3H] = x[T·B, In] · Wx^T + b: with packed products step by step in the loop below (the step's
    // [B, 3H] block is then still in L2 when its recurrent products add to it), else in one product here
    if (!pack) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T * B, G, In, 1.0f, x, In, p.Wx, In, 0.0f, gates, G);
        add_bias_rows(gates, p.b, (size_t)T * B, G);
    }
    const float* Whz = p.Wh;                    // [2H, H]  z and r rows
    const float* Whc = p.Wh + (size_t)2 * H * H;  // [H, H]   candidate rows
    uint16_t* a16 = pack && pack->zr_t16 ? bf16_scratch((size_t)B * H) : nullptr;
    const bool h0_zero = all_zero(hs, (size_t)B * H);
    for (int t = 0; t < T; t++) {
        float* g = gates + (size_t)t * B * G;
        const float* hprev = hs + (size_t)t * B * H;
        float* h = hs + (size_t)(t + 1) * B * H;
        float* rht = rh + (size_t)t * B * H;
        const bool zero = t == 0 && h0_zero;  // hprev = 0, and so r ⊙ hprev = 0: both products add nothing
        if (pack) gemm_packed_bias(g, G, x + (size_t)t * B * In, In, pack->x_t, p.b, B, G, In);
        // g[:, 0:2H] += hprev[B, H] · Whz^T
        if (zero) {
            // adds 0
        } else if (a16) {
            to_bf16(a16, H, hprev, H, B, H);
            gemm_packed_bf16(g, G, a16, H, pack->zr_t16, B, 2 * H, H, true);
        } else if (pack) {
            gemm_packed(g, G, hprev, H, pack->zr_t, B, 2 * H, H, true);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, 2 * H, H, 1.0f, hprev, H, Whz, H, 1.0f, g, G);
        }
        gates_zr(g, rht, hprev, B, H);
        // g[:, 2H:3H] += (r ⊙ hprev)[B, H] · Whc^T
        if (zero) {
            // adds 0
        } else if (a16) {
            to_bf16(a16, H, rht, H, B, H);
            gemm_packed_bf16(g + 2 * H, G, a16, H, pack->c_t16, B, H, H, true);
        } else if (pack) {
            gemm_packed(g + 2 * H, G, rht, H, pack->c_t, B, H, H, true);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, H, H, 1.0f, rht, H, Whc, H, 1.0f, g + 2 * H, G);
        }
        candidate_update(g, h, hprev, B, H);
    }
}

// From dL/dh_t (dh), the step's gates and hprev: pre-activation gradients of z and c into dg, and
// the part of dL/dh_{t-1} that does not pass through a matrix product into dh (overwritten).
EARSHOT_CLONES
static void backward_zc(float* __restrict dg, float* __restrict dh, const float* __restrict g,
                        const float* __restrict hprev, int B, int H) {
    const int G = 3 * H;
    for (int b = 0; b < B; b++) {
        const float* gb = g + (size_t)b * G;
        float* db = dg + (size_t)b * G;
        const float* hp = hprev + (size_t)b * H;
        float* dhb = dh + (size_t)b * H;
        for (int j = 0; j < H; j++) {
            float z = gb[j], c = gb[2 * H + j], d = dhb[j];
            db[j] = d * (c - hp[j]) * z * (1.0f - z);  // dz_pre
            db[2 * H + j] = d * z * (1.0f - c * c);   // dc_pre
            dhb[j] = d * (1.0f - z);
        }
    }
}

// drh = dL/d(r ⊙ hprev): pre-activation gradient of r into dg; the r path into dh.
EARSHOT_CLONES
static void backward_r(float* __restrict dg, float* __restrict dh, const float* __restrict drh,
                       const float* __restrict g, const float* __restrict hprev, int B, int H) {
    const int G = 3 * H;
    for (int b = 0; b < B; b++) {
        const float* gb = g + (size_t)b * G;
        float* db = dg + (size_t)b * G;
        const float* hp = hprev + (size_t)b * H;
        const float* d = drh + (size_t)b * H;
        float* dhb = dh + (size_t)b * H;
        for (int j = 0; j < H; j++) {
            float r = gb[H + j];
            db[H + j] = d[j] * hp[j] * r * (1.0f - r);
            dhb[j] += d[j] * r;
        }
    }
}

EARSHOT_CLONES
static void add_into(float* __restrict y, const float* __restrict x, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] += x[i];
}

EARSHOT_CLONES
static void column_sums_into(float* __restrict out, const float* __restrict m, size_t rows, int cols) {
    for (size_t i = 0; i < rows; i++) {
        const float* mi = m + i * cols;
        for (int j = 0; j < cols; j++) out[j] += mi[j];
    }
}

void gru_backward(float* dx, float* dh0, const LayerView& g, float* dgates, float* dh, const float* dhs,
                  const float* dh_last, const float* gates, const float* rh, const float* hs, const float* x,
                  const LayerView& p, const RecurrentPack* pack, int T, int B, int H) {
    const int G = 3 * H;
    const int In = p.in;
    const float* Whz = p.Wh;
    const float* Whc = p.Wh + (size_t)2 * H * H;
    // drh is carved from the running buffer's twin: dh is [2, B, H] (dh | drh)
    float* drh = dh + (size_t)B * H;
    uint16_t* a16 = pack && pack->zr16 ? bf16_scratch((size_t)B * 2 * H) : nullptr;
    const int TB = T * B;
    // With bfloat16 products, each step's dgates go into the weight gradients' strips while they are in cache (the
    // strips' column blocks of 8 must start z, r and c: H % 4 == 0; their row pairs must not cross a step: B even).
    uint32_t* strips = nullptr;
    const size_t strips_ld = bf16_strips_ld(TB);
    if (a16 && B % 2 == 0 && H % 4 == 0) {
        thread_local std::vector<uint32_t> strips_buf;
        strips = aligned64(strips_buf, bf16_strips_size(TB, G));
    }
    // h0 = 0: step 0 adds nothing to dWh (hprev and r ⊙ hprev are 0), and unless dL/dh0 is asked for, nothing
    // after step 0's gate gradients is needed.
    const bool h0_zero = all_zero(hs, (size_t)B * H);
    if (dh_last)
        std::memcpy(dh, dh_last, sizeof(float) * B * H);
    else
        std::memset(dh, 0, sizeof(float) * B * H);
    for (int t = T - 1; t >= 0; t--) {
        const float* gt = gates + (size_t)t * B * G;
        // With the strips, and no dx to compute from every step's dgates afterwards, one step's block is enough.
        float* dgt = dgates + (strips && !dx ? 0 : (size_t)t * B * G);
        const float* hprev = hs + (size_t)t * B * H;
        if (dhs) add_into(dh, dhs + (size_t)t * B * H, (size_t)B * H);
        backward_zc(dgt, dh, gt, hprev, B, H);
        // Step 0 from h0 = 0 with dL/dh0 not wanted: dr_pre = drh ⊙ hprev ⊙ r(1 − r) = 0, and dL/dh_{-1} is not needed.
        const bool last = t == 0 && h0_zero && !dh0;
        if (last) {
            for (int b = 0; b < B; b++) std::memset(dgt + (size_t)b * G + H, 0, sizeof(float) * H);
        } else {
            // drh[B, H] = dc_pre[B, H] · Whc
            if (a16) {
                to_bf16(a16, H, dgt + 2 * H, G, B, H);
                gemm_packed_bf16(drh, H, a16, H, pack->c16, B, H, H, false);
            } else if (pack) {
                gemm_packed(drh, H, dgt + 2 * H, G, pack->c, B, H, H, false);
            } else {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, H, 1.0f, dgt + 2 * H, G, Whc, H, 0.0f,
                            drh, H);
            }
            backward_r(dgt, dh, drh, gt, hprev, B, H);
        }
        if (strips) to_bf16_strips(strips, strips_ld, dgt, G, t * B, B, G);
        // db += Σ rows of dg, step by step while dgt is in cache
        column_sums_into(g.b, dgt, (size_t)B, G);
        if (last) break;
        // dh[B, H] += [dz_pre | dr_pre][B, 2H] · Whz
        if (a16) {
            to_bf16(a16, 2 * H, dgt, G, B, 2 * H);
            gemm_packed_bf16(dh, H, a16, 2 * H, pack->zr16, B, H, 2 * H, true);
        } else if (pack) {
            gemm_packed(dh, H, dgt, G, pack->zr, B, H, 2 * H, true);
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, 2 * H, 1.0f, dgt, G, Whz, H, 1.0f, dh, H);
        }
    }
    if (dh0) std::memcpy(dh0, dh, sizeof(float) * B * H);
    // Weight gradients: one product each over all T·B rows.
    // dWh[0:2H] += dg[:, 0:2H]^T · hs[0:T]; dWh[2H:3H] += dg[:, 2H:3H]^T · rh; dWx += dg^T · x
    if (strips) {
        const int k_from = h0_zero ? B : 0;  // step 0's rows of hs and rh are 0
        gemm_at_b_bf16_strips(g.Wh, H, strips, strips_ld, hs, H, 2 * H, H, k_from, TB);
        gemm_at_b_bf16_strips(g.Wh + (size_t)2 * H * H, H, strips + (size_t)(2 * H / 8) * strips_ld, strips_ld, rh, H,
                              H, H, k_from, TB);
        gemm_at_b_bf16_strips(g.Wx, In, strips, strips_ld, x, In, G, In, 0, TB);
    } else if (a16) {
        gemm_at_b_bf16(g.Wh, H, dgates, G, hs, H, 2 * H, H, TB);
        gemm_at_b_bf16(g.Wh + (size_t)2 * H * H, H, dgates + 2 * H, G, rh, H, H, H, TB);
        // At twice the float rate this beats OpenBLAS even on a first layer's few features (I = 40: 1.5 of 23 ms).
        gemm_at_b_bf16(g.Wx, In, dgates, G, x, In, G, In, TB);
    } else if (pack) {
        gemm_at_b(g.Wh, H, dgates, G, hs, H, 2 * H, H, TB);
        gemm_at_b(g.Wh + (size_t)2 * H * H, H, dgates + 2 * H, G, rh, H, H, H, TB);
        // A first layer's few features would fill a fraction of the kernel's 32 columns: OpenBLAS does it better.
        if (In >= 64) gemm_at_b(g.Wx, In, dgates, G, x, In, G, In, TB);
        else cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, In, TB, 1.0f, dgates, G, x, In, 1.0f, g.Wx, In);
    } else {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 2 * H, H, TB, 1.0f, dgates, G, hs, H, 1.0f, g.Wh, H);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, H, H, TB, 1.0f, dgates + 2 * H, G, rh, H, 1.0f,
                    g.Wh + (size_t)2 * H * H, H);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, G, In, TB, 1.0f, dgates, G, x, In, 1.0f, g.Wx, In);
    }
    // dx[T·B, In] = dg · Wx
    if (dx) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TB, In, G, 1.0f, dgates, G, p.Wx, In, 0.0f, dx, In);
}

// ---------------------------------------------------------------------------------------------
void dense_forward(float* logits, const float* h, const HeadView& p, int B, int H, int C) {
    for (int b = 0; b < B; b++) std::memcpy(logits + (size_t)b * C, p.bo, sizeof(float) * C);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, C, H, 1.0f, h, H, p.Wo, H, 1.0f, logits, C);
}

double softmax_xent(float* dlogits, int* correct, const float* logits, const int* labels, int B, int C, float scale,
                    float smoothing) {
    double loss = 0.0;
    int right = 0;
    const double off = (double)smoothing / C, on = 1.0 - smoothing + off;
    for (int b = 0; b < B; b++) {
        const float* z = logits + (size_t)b * C;
        float* dz = dlogits + (size_t)b * C;
        int arg = 0;
        float mx = z[0];
        for (int c = 1; c < C; c++)
            if (z[c] > mx) mx = z[c], arg = c;
        double sum = 0.0, zsum = 0.0;
        for (int c = 0; c < C; c++) {
            sum += std::exp((double)z[c] - mx);
            zsum += z[c];
        }
        double logsum = std::log(sum) + mx;
        int y = labels[b];
        // −Σ q_c (z_c − logsum) = logsum − (1 − ε) z_y − (ε/C) Σ z_c
        loss += logsum - (1.0 - smoothing) * z[y] - off * zsum;
        if (arg == y) right++;
        for (int c = 0; c < C; c++) dz[c] = (float)((std::exp((double)z[c] - logsum) - off) * scale);
        dz[y] -= (float)((on - off) * scale);
    }
    if (correct) *correct = right;
    return loss;
}

void dense_backward(float* dh, const HeadView& g, const float* dlogits, const float* h, const HeadView& p, int B,
                    int H, int C) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, C, 1.0f, dlogits, C, p.Wo, H, 0.0f, dh, H);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, H, B, 1.0f, dlogits, C, h, H, 1.0f, g.Wo, H);
    column_sums_into(g.bo, dlogits, (size_t)B, C);
}

// ---------------------------------------------------------------------------------------------
// Eight running sums, not one: a single chain of double adds waits out each add's latency (a millisecond on the
// default's 1.6 M gradients); eight independent ones vectorise.
EARSHOT_CLONES
double sum_squares(const float* x, size_t n) {
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) s[j] += (double)x[i + j] * x[i + j];
    for (; i < n; i++) s[0] += (double)x[i] * x[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

EARSHOT_CLONES
static void adam_kernel(float* p, const float* g, float* m, float* v, size_t n, float lr_t, float b1, float b2,
                        float eps_t, float decay, float scale) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] * scale;
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        p[i] = p[i] * decay - lr_t * m[i] / (std::sqrt(v[i]) + eps_t);
    }
}

void adam_update(float* params, const float* grads, float* m, float* v, size_t n, const AdamSettings& s,
                 float grad_scale, long step) {
    // Bias corrections folded into the step size and epsilon (Kingma & Ba, end of section 2).
    double c1 = 1.0 - std::pow((double)s.beta1, (double)step);
    double c2 = 1.0 - std::pow((double)s.beta2, (double)step);
    float lr_t = (float)(s.lr * std::sqrt(c2) / c1);
    float eps_t = (float)(s.eps * std::sqrt(c2));
    float decay = 1.0f - s.lr * s.weight_decay;
    adam_kernel(params, grads, m, v, n, lr_t, s.beta1, s.beta2, eps_t, decay, grad_scale);
}

// ---------------------------------------------------------------------------------------------
size_t stream_scratch_floats(const Dims& d, int S) { return (size_t)S * (3 * d.hidden + d.hidden); }

namespace {

float dot_q8(const int8_t* q, const float* x, int n) {
    float p = 0;
    for (int i = 0; i < n; i++) p += (float)q[i] * x[i];
    return p;
}

void gemv_q8_scalar(float* y, const int8_t* q, const float* s, const float* x, int rows, int cols) {
    const int nb = q8_blocks(cols);
    for (int r = 0; r < rows; r++) {
        float sum = 0;
        for (int k = 0; k < nb; k++) {
            const int c0 = 64 * k;
            sum += s[(size_t)r * nb + k] * dot_q8(q + (size_t)r * cols + c0, x + c0, std::min(64, cols - c0));
        }
        y[r] += sum;
    }
}

#ifdef EARSHOT_X86
// GCC 12 warns inside its own avx512fintrin.h (the _mm512_undefined_* idiom of the masked loads and reductions).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// kRows rows at a time share each load of x; a block's 64 products are summed in 16 lanes, then scaled once.
// Full blocks use plain loads; masked loads (slower) cover a last block narrower than 64 columns.
#define EARSHOT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl"), always_inline)) inline
template <int kRows, bool kMasked>
EARSHOT_AVX512 void q8_block_avx512(__m512* p, const int8_t* q0, const float* x, size_t cols, int from, int end) {
    for (int i = from; i < end; i += 16) {
        const __mmask16 m = kMasked && end - i < 16 ? (__mmask16)((1u << (end - i)) - 1) : (__mmask16)0xFFFF;
        const __m512 xv = kMasked ? _mm512_maskz_loadu_ps(m, x + i) : _mm512_loadu_ps(x + i);
        for (int j = 0; j < kRows; j++) {
            const int8_t* at = q0 + j * cols + i;
            const __m128i b = kMasked ? _mm_maskz_loadu_epi8(m, at) : _mm_loadu_si128((const __m128i*)at);
            p[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b)), xv, p[j]);
        }
    }
}

// y[kRows] += rows q0[kRows, cols] (scales s0[kRows, nb]) · x
template <int kRows>
EARSHOT_AVX512 void q8_rows_avx512(float* y, const int8_t* q0, const float* s0, const float* x, int cols, int nb) {
    __m512 a[kRows];
    for (int j = 0; j < kRows; j++) a[j] = _mm512_setzero_ps();
    for (int k = 0; k < nb; k++) {
        __m512 p[kRows];
        for (int j = 0; j < kRows; j++) p[j] = _mm512_setzero_ps();
        const int end = std::min(cols, 64 * k + 64);
        if (end - 64 * k == 64) q8_block_avx512<kRows, false>(p, q0, x, cols, 64 * k, end);
        else q8_block_avx512<kRows, true>(p, q0, x, cols, 64 * k, end);
        for (int j = 0; j < kRows; j++) a[j] = _mm512_fmadd_ps(_mm512_set1_ps(s0[j * nb + k]), p[j], a[j]);
    }
    for (int j = 0; j < kRows; j++) y[j] += _mm512_reduce_add_ps(a[j]);
}
#undef EARSHOT_AVX512

// Eight rows at a time (8% faster than four on GRU-512's product), then four, then the scalar loop.
__attribute__((target("avx512f,avx512bw,avx512vl"))) void gemv_q8_avx512(float* y, const int8_t* q, const float* s,
                                                                          const float* x, int rows, int cols) {
    const int nb = q8_blocks(cols);
    int r = 0;
    for (; r + 8 <= rows; r += 8) q8_rows_avx512<8>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, x, cols, nb);
    for (; r + 4 <= rows; r += 4) q8_rows_avx512<4>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, x, cols, nb);
    if (r < rows) gemv_q8_scalar(y + r, q + (size_t)r * cols, s + (size_t)r * nb, x, rows - r, cols);
}

// With AVX-512 VNNI: x rounded to int16 per 64-column block (scale max|x_block| / 32767, so each product's error is
// at most 2^-16 of the block's largest |x|, far below the weights' own int8 step), then each pair of int8 weights
// widened to int16 and multiplied by x's pair with vpdpwssd into exact int32 sums: 32 products in two instructions,
// where the float kernel above spends eight. A block's int32 sum is scaled once by the weight's and x's scales.
#define EARSHOT_VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"), always_inline)) inline
// xq[nb·64] (zero past cols) and sx[nb] from x[cols]
EARSHOT_VNNI void q16_x_vnni(int16_t* xq, float* sx, const float* x, int cols, int nb) {
    for (int k = 0; k < nb; k++) {
        const int c0 = 64 * k, n = std::min(64, cols - c0);
        __m512 v[4];
        __m512 m = _mm512_setzero_ps();
        for (int i = 0; i < 4; i++) {
            const int left = n - 16 * i;
            const __mmask16 mk = left >= 16 ? (__mmask16)0xFFFF : left > 0 ? (__mmask16)((1u << left) - 1) : 0;
            v[i] = _mm512_maskz_loadu_ps(mk, x + c0 + 16 * i);
            m = _mm512_max_ps(m, _mm512_abs_ps(v[i]));
        }
        const float max = _mm512_reduce_max_ps(m);
        sx[k] = max / 32767.0f;
        const __m512 inv = _mm512_set1_ps(max > 0 ? 32767.0f / max : 0.0f);
        for (int i = 0; i < 4; i++) {
            const __m512i r = _mm512_cvtps_epi32(_mm512_mul_ps(v[i], inv));  // round to nearest even
            _mm256_storeu_si256((__m256i*)(xq + c0 + 16 * i), _mm512_cvtsepi32_epi16(r));
        }
    }
}

template <int kRows, bool kMasked>
EARSHOT_VNNI void q8_rows_vnni(float* y, const int8_t* q0, const float* s0, const int16_t* xq, const float* sx,
                               int cols, int nb) {
    __m512 a[kRows];
    for (int j = 0; j < kRows; j++) a[j] = _mm512_setzero_ps();
    for (int k = 0; k < nb; k++) {
        __m512i p[kRows];
        for (int j = 0; j < kRows; j++) p[j] = _mm512_setzero_si512();
        for (int i = 64 * k; i < 64 * k + 64; i += 32) {
            const int left = cols - i;
            const __mmask32 m = !kMasked || left >= 32 ? (__mmask32)0xFFFFFFFFu
                                : left > 0              ? (__mmask32)((1u << left) - 1)
                                                        : (__mmask32)0;
            const __m512i xv = _mm512_loadu_si512((const void*)(xq + i));
            for (int j = 0; j < kRows; j++) {
                const int8_t* at = q0 + (size_t)j * cols + i;
                const __m256i b = kMasked ? _mm256_maskz_loadu_epi8(m, at) : _mm256_loadu_si256((const __m256i*)at);
                p[j] = _mm512_dpwssd_epi32(p[j], _mm512_cvtepi8_epi16(b), xv);
            }
        }
        for (int j = 0; j < kRows; j++)
            a[j] = _mm512_fmadd_ps(_mm512_set1_ps(s0[j * nb + k] * sx[k]), _mm512_cvtepi32_ps(p[j]), a[j]);
    }
    for (int j = 0; j < kRows; j++) y[j] += _mm512_reduce_add_ps(a[j]);
}
#undef EARSHOT_VNNI

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) void gemv_q8_vnni(float* y, const int8_t* q,
                                                                                  const float* s, const float* x,
                                                                                  int rows, int cols) {
    const int nb = q8_blocks(cols);
    thread_local std::vector<int16_t> xq_buf;
    thread_local std::vector<float> sx_buf;
    if (xq_buf.size() < (size_t)nb * 64) xq_buf.resize((size_t)nb * 64);
    if (sx_buf.size() < (size_t)nb) sx_buf.resize(nb);
    int16_t* xq = xq_buf.data();
    float* sx = sx_buf.data();
    q16_x_vnni(xq, sx, x, cols, nb);
    const bool masked = cols % 64 != 0;  // a last block narrower than 64: masked weight loads, so no row overruns
    int r = 0;
    for (; r + 8 <= rows; r += 8) {
        if (masked) q8_rows_vnni<8, true>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, xq, sx, cols, nb);
        else q8_rows_vnni<8, false>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, xq, sx, cols, nb);
    }
    for (; r < rows; r++) q8_rows_vnni<1, true>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, xq, sx, cols, nb);
}

__attribute__((target("avx2,fma"))) float hsum256(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_movehdup_ps(a));
    return _mm_cvtss_f32(a);
}

// The same with 8 lanes, four rows at a time; columns past the last multiple of 8 in a block go through the scalar dot.
template <int kRows>
__attribute__((target("avx2,fma"), always_inline)) inline void q8_rows_avx2(float* y, const int8_t* q0, const float* s0,
                                                                            const float* x, int cols, int nb) {
    __m256 a[kRows];
    float tail[kRows];
    for (int j = 0; j < kRows; j++) {
        a[j] = _mm256_setzero_ps();
        tail[j] = 0;
    }
    for (int k = 0; k < nb; k++) {
        __m256 p[kRows];
        for (int j = 0; j < kRows; j++) p[j] = _mm256_setzero_ps();
        const int end = std::min(cols, 64 * k + 64);
        int i = 64 * k;
        for (; i + 8 <= end; i += 8) {
            const __m256 xv = _mm256_loadu_ps(x + i);
            for (int j = 0; j < kRows; j++) {
                const __m128i b = _mm_loadl_epi64((const __m128i*)(q0 + (size_t)j * cols + i));
                p[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), xv, p[j]);
            }
        }
        for (int j = 0; j < kRows && i < end; j++) tail[j] += s0[j * nb + k] * dot_q8(q0 + (size_t)j * cols + i, x + i, end - i);
        for (int j = 0; j < kRows; j++) a[j] = _mm256_fmadd_ps(_mm256_set1_ps(s0[j * nb + k]), p[j], a[j]);
    }
    for (int j = 0; j < kRows; j++) y[j] += hsum256(a[j]) + tail[j];
}

__attribute__((target("avx2,fma"))) void gemv_q8_avx2(float* y, const int8_t* q, const float* s, const float* x,
                                                      int rows, int cols) {
    const int nb = q8_blocks(cols);
    int r = 0;
    for (; r + 4 <= rows; r += 4) q8_rows_avx2<4>(y + r, q + (size_t)r * cols, s + (size_t)r * nb, x, cols, nb);
    if (r < rows) gemv_q8_scalar(y + r, q + (size_t)r * cols, s + (size_t)r * nb, x, rows - r, cols);
}
#pragma GCC diagnostic pop
#endif

using GemvQ8 = void (*)(float*, const int8_t*, const float*, const float*, int, int);

// Picked once from the CPU's features; EARSHOT_Q8_KERNEL=avx512|avx2|scalar forces a narrower one (for tests).
struct GemvQ8Choice {
    GemvQ8 fn = gemv_q8_scalar;
    const char* name = "scalar";
    GemvQ8Choice() {
#ifdef EARSHOT_X86
        const char* force = std::getenv("EARSHOT_Q8_KERNEL");
        const std::string want = force ? force : "";
        __builtin_cpu_init();
        const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                            __builtin_cpu_supports("avx512vl");
        if (want.empty() && avx512 && __builtin_cpu_supports("avx512vnni")) {
            fn = gemv_q8_vnni;
            name = "avx512vnni";
        } else if ((want.empty() || want == "avx512") && avx512) {
            fn = gemv_q8_avx512;
            name = "avx512";
        } else if ((want.empty() || want == "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            fn = gemv_q8_avx2;
            name = "avx2";
        }
#endif
    }
};

const GemvQ8Choice& gemv_q8_choice() {
    static const GemvQ8Choice choice;
    return choice;
}

}  // namespace

int q8_blocks(int cols) { return (cols + 63) / 64; }

void quantize_q8(int8_t* q, float* s, const float* w, int rows, int cols) {
    const int nb = q8_blocks(cols);
    for (int r = 0; r < rows; r++) {
        for (int k = 0; k < nb; k++) {
            const float* wb = w + (size_t)r * cols + 64 * k;
            int8_t* qb = q + (size_t)r * cols + 64 * k;
            const int n = std::min(64, cols - 64 * k);
            float max = 0;
            for (int i = 0; i < n; i++) max = std::max(max, std::fabs(wb[i]));
            const float scale = max / 127.0f;  // as ModelFile encodes INT8
            s[(size_t)r * nb + k] = scale;
            // floor(v + 0.5) is Java's Math.round, so a weight from an INT8 file quantizes back to its stored byte.
            for (int i = 0; i < n; i++) qb[i] = scale == 0 ? 0 : (int8_t)std::floor(wb[i] / scale + 0.5f);
        }
    }
}

void gemv_q8(float* y, const int8_t* q, const float* s, const float* x, int rows, int cols) {
    gemv_q8_choice().fn(y, q, s, x, rows, cols);
}

const char* gemv_q8_kernel() { return gemv_q8_choice().name; }

// y[rows] += W·x from W^T[cols, rows]: a few long vectorised passes instead of many short rows.
EARSHOT_CLONES static void gemv_columns(float* __restrict y, const float* __restrict wt, const float* x, int rows,
                                        int cols) {
    for (int i = 0; i < cols; i++) {
        const float xi = x[i];
        const float* w = wt + (size_t)i * rows;
        for (int r = 0; r < rows; r++) y[r] += xi * w[r];
    }
}

void stream_step(const Dims& d, const float* params, const Q8Layer* q8, float* h, const float* x, float* logits,
                 float* scratch, int S) {
    const int H = d.hidden, G = 3 * H;
    float* g = scratch;                       // [S, 3H]
    float* rh = scratch + (size_t)S * G;      // [S, H]
    float* P = const_cast<float*>(params);    // views are read-only here
    const float* in = x;
    for (int l = 0; l < d.layers; l++) {
        LayerView p = layer_view(d, P, l);
        float* hl = h + (size_t)l * S * H;
        const float* Whc = p.Wh + (size_t)2 * H * H;
        if (q8) {
            const Q8Layer& w = q8[l];
            for (int s = 0; s < S; s++) {
                float* gs = g + (size_t)s * G;
                const float* xs = in + (size_t)s * p.in;
                std::memcpy(gs, p.b, sizeof(float) * G);
                if (w.qx) gemv_q8(gs, w.qx, w.sx, xs, G, p.in);
                else gemv_columns(gs, w.wx_t, xs, G, p.in);
                gemv_q8(gs, w.qh, w.sh, hl + (size_t)s * H, 2 * H, H);
            }
            gates_zr(g, rh, hl, S, H);
            for (int s = 0; s < S; s++)
                gemv_q8(g + (size_t)s * G + 2 * H, w.qh + (size_t)2 * H * H, w.sh + (size_t)2 * H * q8_blocks(H),
                        rh + (size_t)s * H, H, H);
        } else if (S == 1) {
            // GEMV beats a 1-row GEMM by a wide margin at these sizes.
            std::memcpy(g, p.b, sizeof(float) * G);
            cblas_sgemv(CblasRowMajor, CblasNoTrans, G, p.in, 1.0f, p.Wx, p.in, in, 1, 1.0f, g, 1);
            cblas_sgemv(CblasRowMajor, CblasNoTrans, 2 * H, H, 1.0f, p.Wh, H, hl, 1, 1.0f, g, 1);
            gates_zr(g, rh, hl, 1, H);
            cblas_sgemv(CblasRowMajor, CblasNoTrans, H, H, 1.0f, Whc, H, rh, 1, 1.0f, g + 2 * H, 1);
        } else {
            for (int s = 0; s < S; s++) std::memcpy(g + (size_t)s * G, p.b, sizeof(float) * G);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, G, p.in, 1.0f, in, p.in, p.Wx, p.in, 1.0f, g, G);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, 2 * H, H, 1.0f, hl, H, p.Wh, H, 1.0f, g, G);
            gates_zr(g, rh, hl, S, H);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, H, H, 1.0f, rh, H, Whc, H, 1.0f, g + 2 * H, G);
        }
        // h is updated in place: candidate_update reads hprev[j] before writing h[j].
        candidate_update(g, hl, hl, S, H);
        in = hl;
    }
    HeadView hv = head_view(d, P);
    if (S == 1) {
        std::memcpy(logits, hv.bo, sizeof(float) * d.classes);
        cblas_sgemv(CblasRowMajor, CblasNoTrans, d.classes, H, 1.0f, hv.Wo, H, in, 1, 1.0f, logits, 1);
    } else {
        dense_forward(logits, in, hv, S, H, d.classes);
    }
}

}  // namespace earshot
