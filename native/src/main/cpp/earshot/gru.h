// Earshot's GRU core: a stack of GRU layers and a dense softmax head, forward and backward through
// time over a batch of sequences, with every matrix product in OpenBLAS SGEMM.
//
// The cell (Cho et al. 2014; reset gate *before* the product, z weighs the candidate):
//   z_t = σ(W_z·[h_{t-1}, x_t] + b_z)
//   r_t = σ(W_r·[h_{t-1}, x_t] + b_r)
//   c_t = tanh(W·[r_t ⊙ h_{t-1}, x_t] + b)
//   h_t = (1 − z_t) ⊙ h_{t-1} + z_t ⊙ c_t
// Each W·[h, x] is split into a recurrent part Wh·h and an input part Wx·x, so the input projections of
// all time steps are one SGEMM and only the recurrent products run step by step.
//
// Style: plain functions, a forward/backward pair per layer, shapes in comments, row-major storage.
// Nothing here checks its arguments: gru_api.cpp does that before calling in.
#pragma once

#include <cstddef>
#include <cstdint>

namespace earshot {

struct Dims {
    int input;    // I: features per frame
    int hidden;   // H: units per layer
    int layers;   // L
    int classes;  // C
};

// Parameters live in one float array, carved per layer as
//   Wx[3H, In_l]  (In_0 = I, else H)   rows z | r | c, input part
//   Wh[3H, H]                           rows z | r | c, recurrent part
//   b [3H]
// then the head: Wo[C, H], bo[C]. Gradients and Adam moments use the same layout.
struct LayerView {
    float* Wx;
    float* Wh;
    float* b;
    int in;
};
struct HeadView {
    float* Wo;
    float* bo;
};

size_t param_count(const Dims& d);
LayerView layer_view(const Dims& d, float* params, int layer);
HeadView head_view(const Dims& d, float* params);

// Deterministic initialisation: uniform(-1/sqrt(H), 1/sqrt(H)) for the GRU (as PyTorch does),
// Glorot-uniform for the head, zero biases.
void init_params(const Dims& d, float* params, uint64_t seed);

// ---- elementwise kernels (vectorised; exact to a few ulp of float) ----
float sigmoidf_fast(float x);
float tanhf_fast(float x);

// ---- a layer's recurrent weights packed for the step-by-step products (packed_gemm.h) ----
// Packed once per training step from Wx and Wh; null in gru_forward/gru_backward means OpenBLAS does these products
// (and the weight gradients', which the packed path runs through gemm_at_b).
struct RecurrentPack {
    const float* x_t;   // Wx^T: K = In, N = 3H   forward  gates = x · Wx^T + b, every step at once
    const float* zr_t;  // Whz^T: K = H, N = 2H   forward  g[:, 0:2H] += hprev · Whz^T
    const float* c_t;   // Whc^T: K = H, N = H    forward  g[:, 2H:3H] += rh · Whc^T
    const float* c;     // Whc:   K = H, N = H    backward drh = dc · Whc
    const float* zr;    // Whz:   K = 2H, N = H   backward dh += [dz | dr] · Whz
    // The same four recurrent matrices as bfloat16 panels, for bfloat16 products (products of operands rounded to
    // bfloat16, summed in float; the weight gradients' products too). Null for float products, when the four above
    // are set instead.
    const uint16_t* zr_t16 = nullptr;
    const uint16_t* c_t16 = nullptr;
    const uint16_t* c16 = nullptr;
    const uint16_t* zr16 = nullptr;
};
size_t recurrent_pack_floats(int In, int H);
RecurrentPack pack_recurrent(float* buf, const LayerView& p, int H);
// bfloat16 products (H even): buf holds packed_floats(In, 3H) floats for Wx^T, buf16 recurrent_pack_bf16(H) values.
size_t recurrent_pack_bf16(int H);
RecurrentPack pack_recurrent_bf16(float* buf, uint16_t* buf16, const LayerView& p, int H);

// ---- one GRU layer ----
// x     [T, B, In]  time-major input
// hs    [T+1, B, H] hs[0] = h0 on entry; hs[t+1] = h_t on exit
// gates [T, B, 3H]  z | r | c after activation (kept for backward)
// rh    [T, B, H]   r_t ⊙ h_{t-1} (kept for backward)
// pack  p.Wh packed (see RecurrentPack), or null
void gru_forward(float* gates, float* rh, float* hs, const float* x, const LayerView& p, const RecurrentPack* pack,
                 int T, int B, int H);

// dhs   [T, B, H]   dL/dh_t for t = 1..T arriving from the layer above; null when there is none
// dh_last [B, H]    dL/dh_T from the head (the top layer's only upstream gradient); may be null
// dgates[T, B, 3H]  scratch: pre-activation gradients of z | r | c (with bfloat16 products, B even, H % 4 == 0 and
//                   dx null, only its first [B, 3H] block is used: each step's goes into the weight gradients' strips)
// dh    [B, H]      scratch (running dL/dh)
// dx    [T, B, In]  out, may be null (not needed for the first layer in training)
// dh0   [B, H]      out, may be null
// g.*               gradients, accumulated (+=)
void gru_backward(float* dx, float* dh0, const LayerView& g, float* dgates, float* dh, const float* dhs,
                  const float* dh_last, const float* gates, const float* rh, const float* hs, const float* x,
                  const LayerView& p, const RecurrentPack* pack, int T, int B, int H);

// ---- classifier head ----
// logits[B, C] = h[B, H] · Wo^T + bo
void dense_forward(float* logits, const float* h, const HeadView& p, int B, int H, int C);
// Cross-entropy against q = (1 − ε)·onehot(label) + ε/C (label smoothing ε; 0 = plain one-hot):
// dlogits[B, C] = (softmax(logits) − q) · scale; returns Σ over the batch of −Σ_c q_c log p_c; counts correct.
double softmax_xent(float* dlogits, int* correct, const float* logits, const int* labels, int B, int C, float scale,
                    float smoothing);
// dh[B, H] = dlogits · Wo (overwrites); g.Wo += dlogits^T · h; g.bo += Σ_b dlogits
void dense_backward(float* dh, const HeadView& g, const float* dlogits, const float* h, const HeadView& p, int B,
                    int H, int C);

// ---- optimiser ----
struct AdamSettings {
    float lr, beta1, beta2, eps, weight_decay, clip_norm;
};
// One AdamW step (decoupled weight decay, p ← p·(1 − lr·wd), on every parameter) on gradients scaled by
// grad_scale (the clipping factor). step is 1-based.
void adam_update(float* params, const float* grads, float* m, float* v, size_t n, const AdamSettings& s,
                 float grad_scale, long step);
double sum_squares(const float* x, size_t n);

// ---- int8 weights, for streaming ----
// A matrix W[rows, cols] held as int8 q[rows, cols] with one scale per row and 64-column block,
// s[rows, q8_blocks(cols)]: w ≈ q·s, s = max|w|/127 over the block (the model file's INT8 encoding, so an INT8
// file's matrices come back as stored when its blocks line up with the rows). A stream's cost is reading the
// weights once per frame: as int8 they are a quarter of the float bytes and stay in the core's L2.
int q8_blocks(int cols);
void quantize_q8(int8_t* q, float* s, const float* w, int rows, int cols);
// y[rows] += (q·s) · x[cols], accumulated in float (with AVX-512 VNNI, x rounded to int16 per 64-column block first and
// each block's products summed exactly in int32)
void gemv_q8(float* y, const int8_t* q, const float* s, const float* x, int rows, int cols);
// "avx512vnni", "avx512", "avx2" or "scalar": the gemv_q8 kernel this CPU runs
const char* gemv_q8_kernel();

// One layer's weights for an int8 stream: Wh as int8, and Wx as int8 too when it has at least 64 columns; a
// narrower Wx (the first layer's few features) stays float, transposed so its product runs down columns.
struct Q8Layer {
    const int8_t* qh;   // Wh [3H, H]
    const float* sh;    //    [3H, q8_blocks(H)]
    const int8_t* qx;   // Wx [3H, In], or null
    const float* sx;    //    [3H, q8_blocks(In)]
    const float* wx_t;  // Wx^T [In, 3H] when qx is null
};
constexpr int kQ8MinColumns = 64;

// ---- streaming: one frame for S independent streams ----
// x[S, I], h[L, S, H] (updated in place), logits[S, C]; scratch holds S·(3H + H) floats.
// q8: null for the float weights in params, else one Q8Layer per layer standing in for its Wx and Wh.
void stream_step(const Dims& d, const float* params, const Q8Layer* q8, float* h, const float* x, float* logits,
                 float* scratch, int S);
size_t stream_scratch_floats(const Dims& d, int S);

}  // namespace earshot
