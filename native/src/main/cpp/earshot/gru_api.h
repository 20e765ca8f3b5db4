// The checked, handle-based C++ API that the JavaCPP binding (dev.earshot.gru.GruNative) calls.
// Every function validates its handles, sizes and pointers before touching memory and throws
// std::invalid_argument (JavaCPP turns it into a java.lang.RuntimeException) when they are wrong.
//
// Handles are opaque int64 values owned by the Java side, which frees each exactly once.
// Layouts: clips x[B, T, I] (batch-major, as Java holds them), logits[B, C], states h0/dh0[L, B, H],
// parameters as in gru.h.
#pragma once

#include <cstdint>

// ---- model: dimensions and parameters; read-only while streams or inference use it ----
int64_t eg_param_count(int input, int hidden, int layers, int classes);
int64_t eg_model_create(int input, int hidden, int layers, int classes, int64_t seed);
void eg_model_free(int64_t model);
void eg_model_get_params(int64_t model, float* out, int64_t out_len);
void eg_model_set_params(int64_t model, const float* in, int64_t in_len);
// logits[B, C] for clips x[B, T, I], one thread, workspace allocated per call (safe to call concurrently).
void eg_model_infer(int64_t model, const float* x, int64_t x_len, int batch, int frames, float* logits,
                    int64_t logits_len);

// ---- trainer: gradients, Adam moments, per-thread workspaces; mutates the model's parameters ----
int64_t eg_trainer_create(int64_t model, int threads);
void eg_trainer_free(int64_t trainer);
// One step: forward, backward, clip by global norm, AdamW. Returns the mean cross-entropy (against labels
// smoothed by label_smoothing in [0, 1)); writes the number of correct argmax predictions to correct_out[0]
// (if not null).
double eg_trainer_step(int64_t trainer, const float* x, int64_t x_len, const int* labels, int64_t labels_len,
                       int batch, int frames, float lr, float beta1, float beta2, float eps, float weight_decay,
                       float clip_norm, float label_smoothing, int* correct_out);
// Gradients only (no update): mean cross-entropy returned; grads[P] overwritten; dx[B, T, I] and
// dh0[L, B, H] written when not null; h0[L, B, H] is the initial state (null = zeros); correct_out[0] as in
// eg_trainer_step (if not null).
double eg_trainer_gradients(int64_t trainer, const float* x, int64_t x_len, const float* h0, int64_t h0_len,
                            const int* labels, int64_t labels_len, int batch, int frames, float label_smoothing,
                            float* grads, int64_t grads_len, float* dx, int64_t dx_len, float* dh0, int64_t dh0_len,
                            int* correct_out);
// The second half of a step: clip grads[P] by global norm and apply AdamW, as eg_trainer_step does with its own
// gradients. eg_trainer_gradients then eg_trainer_apply on the same batch gives eg_trainer_step's parameters bit
// for bit; in between, data-parallel training averages the gradients of its replicas.
void eg_trainer_apply(int64_t trainer, const float* grads, int64_t grads_len, float lr, float beta1, float beta2,
                      float eps, float weight_decay, float clip_norm);
// Batch inference on the trainer's threads.
void eg_trainer_infer(int64_t trainer, const float* x, int64_t x_len, int batch, int frames, float* logits,
                      int64_t logits_len);
// Adam state, for checkpoints: m[P], v[P] and the step count.
int64_t eg_trainer_get_step(int64_t trainer);
void eg_trainer_get_moments(int64_t trainer, float* m, float* v, int64_t len);
void eg_trainer_set_moments(int64_t trainer, const float* m, const float* v, int64_t len, int64_t step);
int eg_trainer_threads(int64_t trainer);
// bfloat16 products (on = 1) in the trainer's steps and gradients: the GRU layers' recurrent products and weight
// gradients take operands rounded to bfloat16 and sum them in float (twice the float kernel's work per instruction on
// AVX-512 BF16); parameters, Adam, the gates and the head stay float, and inference keeps float products. Fails on a
// CPU without AVX-512 BF16 (eg_bf16_supported() = 0), with EARSHOT_GEMM=blas, or for an odd hidden size.
void eg_trainer_set_bf16(int64_t trainer, int on);
int eg_trainer_get_bf16(int64_t trainer);
int eg_bf16_supported();

// ---- stream: hidden state of S independent streams, one frame at a time ----
// int8_weights = 1: the layers' weight matrices are read as int8 (gru.h, Q8Layer; one copy per model and parameter
// version, quantized as the model file's INT8 encoding does); stepping fails once the model's parameters have changed.
int64_t eg_stream_create(int64_t model, int streams, int int8_weights);
void eg_stream_free(int64_t stream);
// x[S, I] → logits[S, C]; the state advances one frame.
void eg_stream_step(int64_t stream, const float* x, int64_t x_len, float* logits, int64_t logits_len);
// state[L, S, H]
void eg_stream_get_state(int64_t stream, float* out, int64_t len);
void eg_stream_set_state(int64_t stream, const float* in, int64_t len);
// Zeroes the state of one stream (index ≥ 0) or of all (index = −1).
void eg_stream_reset(int64_t stream, int index);

// ---- OpenBLAS ----
void eg_blas_set_threads(int threads);
int eg_blas_get_threads();
// "OpenBLAS <config> core=<kernel name> int8=<avx512|avx2|scalar> recurrent=<avx512|blas> bf16=<avx512|none>"
const char* eg_blas_info();
