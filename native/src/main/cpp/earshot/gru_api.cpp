// Checked handle API over the GRU core; see gru_api.h. Parallelism is our own: a training batch is cut
// into one slice per thread, each slice runs forward and backward on single-threaded OpenBLAS with no
// synchronisation until its gradients are summed. OpenBLAS's own threads spin-wait and collapsed by
// 200x here when another process shared the 2 cores; these threads sleep on a condition variable.
#include "earshot/gru_api.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "earshot/gru.h"
#include "earshot/packed_gemm.h"

namespace earshot {
namespace {

constexpr uint32_t kModelMagic = 0x4d475255;    // "MGRU"
constexpr uint32_t kTrainerMagic = 0x54475255;  // "TGRU"
constexpr uint32_t kStreamMagic = 0x53475255;   // "SGRU"
constexpr int kMaxDim = 1 << 16;
constexpr int64_t kMaxFloats = int64_t(1) << 34;  // 64 GiB of floats: far above any real call

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument(what); }

void check_dim(const char* name, long long v, long long lo, long long hi) {
    if (v < lo || v > hi)
        fail(std::string(name) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
             std::to_string(v));
}

void check_len(const char* name, const void* p, int64_t len, int64_t want) {
    if (!p) fail(std::string(name) + " is null");
    if (len != want)
        fail(std::string(name) + " has " + std::to_string(len) + " elements, expected " + std::to_string(want));
}

void check_optional_len(const char* name, const void* p, int64_t len, int64_t want) {
    if (p) check_len(name, p, len, want);
}

int64_t checked_product(std::initializer_list<int64_t> dims, const char* what) {
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d < 0 || (d > 0 && n > kMaxFloats / d)) fail(std::string(what) + " is too large");
        n *= d;
    }
    return n;
}

// A pool of sleeping worker threads: run(n, fn) calls fn(0..n-1), fn(0) on the caller's thread.
class Pool {
   public:
    explicit Pool(int threads) {
        for (int i = 1; i < threads; i++) workers_.emplace_back([this, i] { loop(i); });
    }
    ~Pool() {
        {
            std::lock_guard<std::mutex> lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        for (auto& t : workers_) t.join();
    }
    int size() const { return (int)workers_.size() + 1; }

    void run(int n, const std::function<void(int)>& fn) {
        if (n <= 1) {
            fn(0);
            return;
        }
        {
            std::lock_guard<std::mutex> lk(mu_);
            job_ = &fn;
            jobs_ = n;
            pending_ = n - 1;
            errors_.clear();
            generation_++;
        }
        cv_.notify_all();
        std::exception_ptr mine;
        try {
            fn(0);
        } catch (...) {
            mine = std::current_exception();
        }
        std::unique_lock<std::mutex> lk(mu_);
        done_.wait(lk, [this] { return pending_ == 0; });
        job_ = nullptr;
        if (mine) std::rethrow_exception(mine);
        if (!errors_.empty()) std::rethrow_exception(errors_.front());
    }

   private:
    void loop(int index) {
        long seen = 0;
        for (;;) {
            const std::function<void(int)>* job;
            {
                std::unique_lock<std::mutex> lk(mu_);
                cv_.wait(lk, [&] { return stop_ || generation_ != seen; });
                if (stop_) return;
                seen = generation_;
                job = index < jobs_ ? job_ : nullptr;
            }
            std::exception_ptr err;
            if (job) {
                try {
                    (*job)(index);
                } catch (...) {
                    err = std::current_exception();
                }
            }
            {
                std::lock_guard<std::mutex> lk(mu_);
                if (err) errors_.push_back(err);
                if (job) pending_--;
            }
            if (job) done_.notify_all();
        }
    }

    std::vector<std::thread> workers_;
    std::mutex mu_;
    std::condition_variable cv_, done_;
    const std::function<void(int)>* job_ = nullptr;
    int jobs_ = 0, pending_ = 0;
    long generation_ = 0;
    bool stop_ = false;
    std::vector<std::exception_ptr> errors_;
};

// Every layer's weights for int8 streams (gru.h, Q8Layer), made from one version of a model's parameters.
struct StreamQ8 {
    uint64_t version;
    std::vector<std::vector<int8_t>> q;   // int8 matrices
    std::vector<std::vector<float>> s;    // their scales, s[i] for q[i]
    std::vector<std::vector<float>> f;    // float Wx^T of layers too narrow for int8
    std::vector<Q8Layer> layers;          // views into q, s and f
};

struct Model {
    uint32_t magic = kModelMagic;
    Dims d;
    std::vector<float> params;
    // Bumped whenever params change, so a stream can tell its int8 copy has gone stale.
    std::atomic<uint64_t> version{0};
    std::mutex q8_mu;
    std::shared_ptr<const StreamQ8> q8;  // shared by the model's int8 streams; built on first use
};

std::shared_ptr<const StreamQ8> stream_q8(Model* m) {
    std::lock_guard<std::mutex> lk(m->q8_mu);
    const uint64_t version = m->version.load();
    if (m->q8 && m->q8->version == version) return m->q8;
    const Dims& d = m->d;
    const int H = d.hidden, G = 3 * H;
    auto r = std::make_shared<StreamQ8>();
    r->version = version;
    // Room for every matrix up front, so the views taken below stay valid.
    r->q.reserve(2 * d.layers);
    r->s.reserve(2 * d.layers);
    r->f.reserve(d.layers);
    auto quantized = [&](const float* w, int cols, const int8_t** q, const float** s) {
        r->q.emplace_back((size_t)G * cols);
        r->s.emplace_back((size_t)G * q8_blocks(cols));
        quantize_q8(r->q.back().data(), r->s.back().data(), w, G, cols);
        *q = r->q.back().data();
        *s = r->s.back().data();
    };
    for (int l = 0; l < d.layers; l++) {
        LayerView p = layer_view(d, m->params.data(), l);
        Q8Layer v{};
        quantized(p.Wh, H, &v.qh, &v.sh);
        if (p.in >= kQ8MinColumns) {
            quantized(p.Wx, p.in, &v.qx, &v.sx);
        } else {
            std::vector<float>& t = r->f.emplace_back((size_t)p.in * G);
            for (int row = 0; row < G; row++)
                for (int c = 0; c < p.in; c++) t[(size_t)c * G + row] = p.Wx[(size_t)row * p.in + c];
            v.wx_t = t.data();
        }
        r->layers.push_back(v);
    }
    m->q8 = r;
    return r;
}

// Workspace for one slice of Bs sequences of T frames; grown on demand, never shrunk.
struct Slice {
    int T = 0, Bs = 0;
    std::vector<float> x;                      // [T, Bs, I]
    std::vector<std::vector<float>> gates;     // per layer [T, Bs, 3H]
    std::vector<std::vector<float>> rh;        // per layer [T, Bs, H]
    std::vector<std::vector<float>> hs;        // per layer [T+1, Bs, H]
    std::vector<float> dgates;                 // [T, Bs, 3H]
    std::vector<float> dh;                     // [2, Bs, H]
    std::vector<float> dhs_a, dhs_b;           // [T, Bs, H] ping-pong between layers
    std::vector<float> dx;                     // [T, Bs, I], only when dL/dx is asked for
    std::vector<float> dh0;                    // [Bs, H], only when dL/dh0 is asked for
    std::vector<float> logits, dlogits, dtop;  // [Bs, C], [Bs, C], [Bs, H]
    std::vector<float> grads;                  // [P]
    double loss = 0;
    int correct = 0;

    void ensure(const Dims& d, int T_, int Bs_, bool training) {
        T = T_;
        Bs = Bs_;
        const size_t H = d.hidden, tb = (size_t)T * Bs;
        auto grow = [](std::vector<float>& v, size_t n) {
            if (v.size() < n) v.resize(n);
        };
        grow(x, tb * d.input);
        gates.resize(d.layers);
        rh.resize(d.layers);
        hs.resize(d.layers);
        for (int l = 0; l < d.layers; l++) {
            grow(gates[l], tb * 3 * H);
            grow(rh[l], tb * H);
            grow(hs[l], (tb + Bs) * H);
        }
        grow(logits, (size_t)Bs * d.classes);
        if (!training) return;
        grow(dgates, tb * 3 * H);
        grow(dh, 2 * (size_t)Bs * H);
        grow(dhs_a, tb * H);
        grow(dhs_b, tb * H);
        grow(dlogits, (size_t)Bs * d.classes);
        grow(dtop, (size_t)Bs * H);
        grow(grads, param_count(d));
    }
};

struct Trainer {
    uint32_t magic = kTrainerMagic;
    Model* model;
    std::unique_ptr<Pool> pool;
    std::vector<Slice> slices;
    std::vector<std::vector<float>> pack_buf;  // per layer: Wx and Wh packed for this batch (packed_gemm_enabled() only)
    std::vector<RecurrentPack> packs;
    bool bf16 = false;                             // bfloat16 products in training steps (eg_trainer_set_bf16)
    std::vector<std::vector<uint16_t>> pack_bf16;  // per layer, when bf16
    std::vector<float> m, v;
    long step = 0;
};

struct Stream {
    uint32_t magic = kStreamMagic;
    Model* model;
    int S;
    std::vector<float> h;        // [L, S, H]
    std::vector<float> scratch;  // stream_scratch_floats
    std::shared_ptr<const StreamQ8> q8;  // null: float weights
};

Model* as_model(int64_t h) {
    auto* m = reinterpret_cast<Model*>(h);
    if (!m || m->magic != kModelMagic) fail("not a live GRU model handle");
    return m;
}
Trainer* as_trainer(int64_t h) {
    auto* t = reinterpret_cast<Trainer*>(h);
    if (!t || t->magic != kTrainerMagic) fail("not a live GRU trainer handle");
    return t;
}
Stream* as_stream(int64_t h) {
    auto* s = reinterpret_cast<Stream*>(h);
    if (!s || s->magic != kStreamMagic) fail("not a live GRU stream handle");
    return s;
}

void check_batch(const Dims& d, int batch, int frames, const float* x, int64_t x_len) {
    check_dim("batch", batch, 1, 1 << 20);
    check_dim("frames", frames, 1, 1 << 20);
    check_len("x", x, x_len, checked_product({batch, frames, d.input}, "x"));
}

// Forward of one slice: rows b0..b0+Bs of x[B, T, I] and h0[L, B, H] (null = zeros); logits into s.logits.
// packs: one per layer, or null for OpenBLAS's recurrent products.
void slice_forward(const Dims& d, float* P, const RecurrentPack* packs, Slice& s, const float* x, const float* h0, int B,
                   int T, int b0) {
    const int I = d.input, H = d.hidden, Bs = s.Bs;
    for (int t = 0; t < T; t++)
        for (int b = 0; b < Bs; b++)
            std::memcpy(&s.x[((size_t)t * Bs + b) * I], x + ((size_t)(b0 + b) * T + t) * I, sizeof(float) * I);
    const float* in = s.x.data();
    for (int l = 0; l < d.layers; l++) {
        float* hs = s.hs[l].data();
        if (h0)
            std::memcpy(hs, h0 + ((size_t)l * B + b0) * H, sizeof(float) * Bs * H);
        else
            std::memset(hs, 0, sizeof(float) * Bs * H);
        gru_forward(s.gates[l].data(), s.rh[l].data(), hs, in, layer_view(d, P, l), packs ? &packs[l] : nullptr, T, Bs,
                    H);
        in = hs + (size_t)Bs * H;  // h_1..h_T feed the next layer
    }
    const float* top = s.hs[d.layers - 1].data() + (size_t)T * Bs * H;
    dense_forward(s.logits.data(), top, head_view(d, P), Bs, H, d.classes);
}

// Backward of one slice after slice_forward; gradients into s.grads (overwritten).
void slice_backward(const Dims& d, float* P, const RecurrentPack* packs, Slice& s, const int* labels, float smoothing,
                    int B, int T, int b0, float* dx, float* dh0) {
    const int I = d.input, H = d.hidden, C = d.classes, Bs = s.Bs;
    std::memset(s.grads.data(), 0, sizeof(float) * s.grads.size());
    float* G = s.grads.data();
    s.loss = softmax_xent(s.dlogits.data(), &s.correct, s.logits.data(), labels + b0, Bs, C, 1.0f / (float)B,
                          smoothing);
    const float* top = s.hs[d.layers - 1].data() + (size_t)T * Bs * H;
    dense_backward(s.dtop.data(), head_view(d, G), s.dlogits.data(), top, head_view(d, P), Bs, H, C);
    // The head reads only the top layer's last step, so that layer gets dtop and no per-step gradients.
    float* dhs = nullptr;
    float* dhs_next = s.dhs_a.data();
    for (int l = d.layers - 1; l >= 0; l--) {
        const float* in = l == 0 ? s.x.data() : s.hs[l - 1].data() + (size_t)Bs * H;
        float* dx_l = nullptr;
        if (l > 0) {
            dx_l = dhs_next;
        } else if (dx) {
            if (s.dx.size() < (size_t)T * Bs * I) s.dx.resize((size_t)T * Bs * I);
            dx_l = s.dx.data();
        }
        if (dh0 && s.dh0.size() < (size_t)Bs * H) s.dh0.resize((size_t)Bs * H);
        gru_backward(dx_l, dh0 ? s.dh0.data() : nullptr, layer_view(d, G, l), s.dgates.data(), s.dh.data(), dhs,
                     l == d.layers - 1 ? s.dtop.data() : nullptr, s.gates[l].data(), s.rh[l].data(), s.hs[l].data(), in,
                     layer_view(d, P, l), packs ? &packs[l] : nullptr, T, Bs, H);
        if (dh0) std::memcpy(dh0 + ((size_t)l * B + b0) * H, s.dh0.data(), sizeof(float) * Bs * H);
        dhs = dhs_next;
        dhs_next = dhs == s.dhs_a.data() ? s.dhs_b.data() : s.dhs_a.data();
    }
    if (dx)
        for (int t = 0; t < T; t++)
            for (int b = 0; b < Bs; b++)
                std::memcpy(dx + ((size_t)(b0 + b) * T + t) * I, &s.dx[((size_t)t * Bs + b) * I], sizeof(float) * I);
}

// Splits B rows into n nearly equal slices: slice k starts at b0(k).
int slice_start(int B, int n, int k) { return (int)((int64_t)B * k / n); }

// Splits np parameters into n ranges on 64-byte boundaries (no two threads write one cache line): range c starts here.
size_t chunk_start(size_t np, int n, int c) {
    if (c >= n) return np;
    const size_t lines = (np + 15) / 16;
    return std::min(np, lines * c / n * 16);
}

void check_smoothing(float s) {
    if (!(s >= 0.0f && s < 1.0f)) fail("label smoothing must be in [0, 1), got " + std::to_string(s));
}

void check_labels(const int* labels, int64_t labels_len, int batch, int classes) {
    check_len("labels", labels, labels_len, batch);
    for (int b = 0; b < batch; b++)
        if (labels[b] < 0 || labels[b] >= classes)
            fail("labels[" + std::to_string(b) + "] = " + std::to_string(labels[b]) + " is not a class in [0, " +
                 std::to_string(classes) + ")");
}

// Runs forward (and backward when labels are given) over the trainer's slices; returns the summed loss
// and leaves the summed gradients in slices[0].grads. grad_sq, when given: Σ g² of those gradients where several
// slices were summed (the squares taken in the same pass), else -1.
double run_batch(Trainer& tr, const float* x, const float* h0, const int* labels, float smoothing, int B, int T,
                 float* logits, float* dx, float* dh0, int* correct, double* grad_sq = nullptr) {
    Model& mo = *tr.model;
    const Dims& d = mo.d;
    const int n = std::min(tr.pool->size(), B);
    if (grad_sq) *grad_sq = -1;
    if ((int)tr.slices.size() < n) tr.slices.resize(n);
    const bool training = labels != nullptr;
    float* P = mo.params.data();
    const RecurrentPack* packs = nullptr;
    if (packed_gemm_enabled()) {
        // The weights are fixed for the batch: packed once here, read by every slice at every step.
        tr.pack_buf.resize(d.layers);
        tr.packs.resize(d.layers);
        // bfloat16 products for training steps only: inference (validation) keeps float products.
        const bool bf16 = training && tr.bf16;
        if (bf16) tr.pack_bf16.resize(d.layers);
        for (int l = 0; l < d.layers; l++) {
            const LayerView p = layer_view(d, P, l);
            if (bf16) {
                tr.packs[l] = pack_recurrent_bf16(aligned64(tr.pack_buf[l], packed_floats(p.in, 3 * d.hidden)),
                                                  aligned64(tr.pack_bf16[l], recurrent_pack_bf16(d.hidden)), p, d.hidden);
            } else {
                tr.pack_buf[l].resize(recurrent_pack_floats(p.in, d.hidden));
                tr.packs[l] = pack_recurrent(tr.pack_buf[l].data(), p, d.hidden);
            }
        }
        packs = tr.packs.data();
    }
    tr.pool->run(n, [&](int k) {
        int b0 = slice_start(B, n, k), b1 = slice_start(B, n, k + 1);
        Slice& s = tr.slices[k];
        s.ensure(d, T, b1 - b0, training);
        slice_forward(d, P, packs, s, x, h0, B, T, b0);
        if (logits) std::memcpy(logits + (size_t)b0 * d.classes, s.logits.data(), sizeof(float) * s.Bs * d.classes);
        if (training) slice_backward(d, P, packs, s, labels, smoothing, B, T, b0, dx, dh0);
    });
    if (!training) return 0.0;
    double loss = 0;
    int right = 0;
    for (int k = 0; k < n; k++) {
        loss += tr.slices[k].loss;
        right += tr.slices[k].correct;
    }
    if (n > 1) {
        // Each thread sums one range of the parameters over the slices, and the sum's squares for the clipping norm
        // when asked, a block at a time while the block is in cache.
        const size_t np = param_count(d);
        float* G = tr.slices[0].grads.data();
        std::vector<double> sq(n);
        tr.pool->run(n, [&](int c) {
            const size_t from = chunk_start(np, n, c), to = chunk_start(np, n, c + 1);
            constexpr size_t kBlock = 4096;
            for (size_t i0 = from; i0 < to; i0 += kBlock) {
                const size_t len = std::min(kBlock, to - i0);
                for (int k = 1; k < n; k++) {
                    const float* Gk = tr.slices[k].grads.data() + i0;
                    for (size_t i = 0; i < len; i++) G[i0 + i] += Gk[i];
                }
                if (grad_sq) sq[c] += sum_squares(G + i0, len);
            }
        });
        if (grad_sq) {
            *grad_sq = 0;
            for (double v : sq) *grad_sq += v;
        }
    }
    if (correct) *correct = right;
    return loss;
}

}  // namespace
}  // namespace earshot

using namespace earshot;

static Dims checked_dims(int input, int hidden, int layers, int classes) {
    check_dim("input", input, 1, kMaxDim);
    check_dim("hidden", hidden, 1, kMaxDim);
    check_dim("layers", layers, 1, 64);
    check_dim("classes", classes, 2, kMaxDim);
    Dims d{input, hidden, layers, classes};
    checked_product({3 * (int64_t)hidden, (int64_t)input + hidden, layers}, "parameter count");
    return d;
}

int64_t eg_param_count(int input, int hidden, int layers, int classes) {
    return (int64_t)param_count(checked_dims(input, hidden, layers, classes));
}

int64_t eg_model_create(int input, int hidden, int layers, int classes, int64_t seed) {
    Dims d = checked_dims(input, hidden, layers, classes);
    auto m = std::make_unique<Model>();
    m->d = d;
    m->params.resize(param_count(d));
    init_params(d, m->params.data(), (uint64_t)seed);
    return reinterpret_cast<int64_t>(m.release());
}

void eg_model_free(int64_t model) {
    Model* m = as_model(model);
    m->magic = 0;
    delete m;
}

void eg_model_get_params(int64_t model, float* out, int64_t out_len) {
    Model* m = as_model(model);
    check_len("params", out, out_len, (int64_t)m->params.size());
    std::memcpy(out, m->params.data(), sizeof(float) * m->params.size());
}

void eg_model_set_params(int64_t model, const float* in, int64_t in_len) {
    Model* m = as_model(model);
    check_len("params", in, in_len, (int64_t)m->params.size());
    std::memcpy(m->params.data(), in, sizeof(float) * m->params.size());
    m->version++;
}

void eg_model_infer(int64_t model, const float* x, int64_t x_len, int batch, int frames, float* logits,
                    int64_t logits_len) {
    Model* m = as_model(model);
    check_batch(m->d, batch, frames, x, x_len);
    check_len("logits", logits, logits_len, checked_product({batch, m->d.classes}, "logits"));
    Slice s;
    s.ensure(m->d, frames, batch, false);
    slice_forward(m->d, m->params.data(), nullptr, s, x, nullptr, batch, frames, 0);
    std::memcpy(logits, s.logits.data(), sizeof(float) * batch * m->d.classes);
}

int64_t eg_trainer_create(int64_t model, int threads) {
    Model* m = as_model(model);
    check_dim("threads", threads, 1, 256);
    auto t = std::make_unique<Trainer>();
    t->model = m;
    t->pool = std::make_unique<Pool>(threads);
    t->m.assign(m->params.size(), 0.0f);
    t->v.assign(m->params.size(), 0.0f);
    return reinterpret_cast<int64_t>(t.release());
}

int eg_bf16_supported() { return bf16_supported() ? 1 : 0; }

void eg_trainer_set_bf16(int64_t trainer, int on) {
    Trainer* t = as_trainer(trainer);
    if (on != 0 && on != 1) fail("bf16 must be 0 or 1, got " + std::to_string(on));
    if (on && !bf16_supported())
        fail(std::string("bfloat16 products need a CPU with AVX-512 BF16 and the packed kernels (this one runs ") +
             packed_gemm_kernel() + (packed_gemm_enabled() ? " without AVX-512 BF16)" : ")"));
    if (on && t->model->d.hidden % 2)
        fail("bfloat16 products need an even hidden size, got " + std::to_string(t->model->d.hidden));
    t->bf16 = on == 1;
}

int eg_trainer_get_bf16(int64_t trainer) { return as_trainer(trainer)->bf16 ? 1 : 0; }

void eg_trainer_free(int64_t trainer) {
    Trainer* t = as_trainer(trainer);
    t->magic = 0;
    delete t;
}

namespace earshot {
namespace {
void check_adam(float lr, float beta1, float beta2, float eps, float weight_decay, float clip_norm) {
    if (!(lr >= 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weight_decay >= 0 &&
          clip_norm >= 0))
        fail("Adam settings out of range (lr >= 0, 0 <= beta < 1, eps > 0, weight_decay >= 0, clip_norm >= 0)");
}

// Clip G[P] by global norm and apply AdamW; the norm and the update each thread on one range of the parameters.
// known_sq: Σ G² when the caller has it (run_batch's summing of the slices), else negative.
void apply_update(Trainer* t, const float* G, const AdamSettings& s, double known_sq = -1) {
    const size_t np = param_count(t->model->d);
    const int n = t->pool->size();
    float scale = 1.0f;
    if (s.clip_norm > 0) {
        double sq = known_sq;
        if (sq < 0) {
            std::vector<double> part(n);
            t->pool->run(n, [&](int c) {
                const size_t from = chunk_start(np, n, c);
                part[c] = sum_squares(G + from, chunk_start(np, n, c + 1) - from);
            });
            sq = 0;
            for (double v : part) sq += v;
        }
        double norm = std::sqrt(sq);
        if (norm > s.clip_norm) scale = (float)(s.clip_norm / norm);
    }
    t->step++;
    t->pool->run(n, [&](int c) {
        const size_t from = chunk_start(np, n, c);
        adam_update(t->model->params.data() + from, G + from, t->m.data() + from, t->v.data() + from,
                    chunk_start(np, n, c + 1) - from, s, scale, t->step);
    });
    t->model->version++;
}
}  // namespace
}  // namespace earshot

double eg_trainer_step(int64_t trainer, const float* x, int64_t x_len, const int* labels, int64_t labels_len,
                       int batch, int frames, float lr, float beta1, float beta2, float eps, float weight_decay,
                       float clip_norm, float label_smoothing, int* correct_out) {
    Trainer* t = as_trainer(trainer);
    const Dims& d = t->model->d;
    check_batch(d, batch, frames, x, x_len);
    check_labels(labels, labels_len, batch, d.classes);
    check_adam(lr, beta1, beta2, eps, weight_decay, clip_norm);
    check_smoothing(label_smoothing);
    int correct = 0;
    double grad_sq;
    double loss = run_batch(*t, x, nullptr, labels, label_smoothing, batch, frames, nullptr, nullptr, nullptr, &correct,
                            &grad_sq);
    apply_update(t, t->slices[0].grads.data(), AdamSettings{lr, beta1, beta2, eps, weight_decay, clip_norm}, grad_sq);
    if (correct_out) *correct_out = correct;
    return loss / batch;
}

void eg_trainer_apply(int64_t trainer, const float* grads, int64_t grads_len, float lr, float beta1, float beta2,
                      float eps, float weight_decay, float clip_norm) {
    Trainer* t = as_trainer(trainer);
    check_len("grads", grads, grads_len, (int64_t)param_count(t->model->d));
    check_adam(lr, beta1, beta2, eps, weight_decay, clip_norm);
    apply_update(t, grads, AdamSettings{lr, beta1, beta2, eps, weight_decay, clip_norm});
}

double eg_trainer_gradients(int64_t trainer, const float* x, int64_t x_len, const float* h0, int64_t h0_len,
                            const int* labels, int64_t labels_len, int batch, int frames, float label_smoothing,
                            float* grads, int64_t grads_len, float* dx, int64_t dx_len, float* dh0, int64_t dh0_len,
                            int* correct_out) {
    Trainer* t = as_trainer(trainer);
    const Dims& d = t->model->d;
    check_batch(d, batch, frames, x, x_len);
    check_labels(labels, labels_len, batch, d.classes);
    const int64_t state = checked_product({d.layers, batch, d.hidden}, "state");
    check_optional_len("h0", h0, h0_len, state);
    check_len("grads", grads, grads_len, (int64_t)param_count(d));
    check_optional_len("dx", dx, dx_len, x_len);
    check_optional_len("dh0", dh0, dh0_len, state);
    check_smoothing(label_smoothing);
    int correct = 0;
    double loss = run_batch(*t, x, h0, labels, label_smoothing, batch, frames, nullptr, dx, dh0, &correct);
    std::memcpy(grads, t->slices[0].grads.data(), sizeof(float) * param_count(d));
    if (correct_out) *correct_out = correct;
    return loss / batch;
}

void eg_trainer_infer(int64_t trainer, const float* x, int64_t x_len, int batch, int frames, float* logits,
                      int64_t logits_len) {
    Trainer* t = as_trainer(trainer);
    check_batch(t->model->d, batch, frames, x, x_len);
    check_len("logits", logits, logits_len, checked_product({batch, t->model->d.classes}, "logits"));
    run_batch(*t, x, nullptr, nullptr, 0.0f, batch, frames, logits, nullptr, nullptr, nullptr);
}

int64_t eg_trainer_get_step(int64_t trainer) { return as_trainer(trainer)->step; }

int eg_trainer_threads(int64_t trainer) { return as_trainer(trainer)->pool->size(); }

void eg_trainer_get_moments(int64_t trainer, float* m, float* v, int64_t len) {
    Trainer* t = as_trainer(trainer);
    check_len("m", m, len, (int64_t)t->m.size());
    check_len("v", v, len, (int64_t)t->v.size());
    std::memcpy(m, t->m.data(), sizeof(float) * len);
    std::memcpy(v, t->v.data(), sizeof(float) * len);
}

void eg_trainer_set_moments(int64_t trainer, const float* m, const float* v, int64_t len, int64_t step) {
    Trainer* t = as_trainer(trainer);
    check_len("m", m, len, (int64_t)t->m.size());
    check_len("v", v, len, (int64_t)t->v.size());
    if (step < 0) fail("step must be >= 0");
    std::memcpy(t->m.data(), m, sizeof(float) * len);
    std::memcpy(t->v.data(), v, sizeof(float) * len);
    t->step = (long)step;
}

int64_t eg_stream_create(int64_t model, int streams, int int8_weights) {
    Model* m = as_model(model);
    check_dim("streams", streams, 1, 1 << 16);
    check_dim("int8_weights", int8_weights, 0, 1);
    auto s = std::make_unique<Stream>();
    s->model = m;
    s->S = streams;
    s->h.assign((size_t)m->d.layers * streams * m->d.hidden, 0.0f);
    s->scratch.assign(stream_scratch_floats(m->d, streams), 0.0f);
    if (int8_weights) s->q8 = stream_q8(m);
    return reinterpret_cast<int64_t>(s.release());
}

void eg_stream_free(int64_t stream) {
    Stream* s = as_stream(stream);
    s->magic = 0;
    delete s;
}

void eg_stream_step(int64_t stream, const float* x, int64_t x_len, float* logits, int64_t logits_len) {
    Stream* s = as_stream(stream);
    const Dims& d = s->model->d;
    check_len("x", x, x_len, (int64_t)s->S * d.input);
    check_len("logits", logits, logits_len, (int64_t)s->S * d.classes);
    if (s->q8 && s->q8->version != s->model->version.load(std::memory_order_relaxed))
        fail("the model's parameters changed after this int8 stream was made; make a new stream");
    stream_step(d, s->model->params.data(), s->q8 ? s->q8->layers.data() : nullptr, s->h.data(), x, logits,
                s->scratch.data(), s->S);
}

void eg_stream_get_state(int64_t stream, float* out, int64_t len) {
    Stream* s = as_stream(stream);
    check_len("state", out, len, (int64_t)s->h.size());
    std::memcpy(out, s->h.data(), sizeof(float) * len);
}

void eg_stream_set_state(int64_t stream, const float* in, int64_t len) {
    Stream* s = as_stream(stream);
    check_len("state", in, len, (int64_t)s->h.size());
    std::memcpy(s->h.data(), in, sizeof(float) * len);
}

void eg_stream_reset(int64_t stream, int index) {
    Stream* s = as_stream(stream);
    const Dims& d = s->model->d;
    if (index == -1) {
        std::fill(s->h.begin(), s->h.end(), 0.0f);
        return;
    }
    check_dim("stream index", index, 0, s->S - 1);
    for (int l = 0; l < d.layers; l++)
        std::fill_n(s->h.begin() + ((size_t)l * s->S + index) * d.hidden, d.hidden, 0.0f);
}

void eg_blas_set_threads(int threads) {
    check_dim("threads", threads, 1, 256);
    openblas_set_num_threads(threads);
}

int eg_blas_get_threads() { return openblas_get_num_threads(); }

const char* eg_blas_info() {
    static thread_local std::string info;
    info = std::string(openblas_get_config()) + " core=" + openblas_get_corename() + " int8=" + gemv_q8_kernel() +
           " recurrent=" + packed_gemm_kernel() + " bf16=" + (bf16_supported() ? "avx512" : "none");
    return info.c_str();
}
