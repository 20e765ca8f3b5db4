// The checked API refuses every bad argument with std::invalid_argument before touching memory, and
// works at the boundary sizes; a training loop on T = 1, B = 1, H = 1 runs clean under the sanitizers.
#include <functional>
#include <stdexcept>
#include <string>

#include "earshot/gru_api.h"
#include "reference.h"

static void refuses(const char* what, const std::function<void()>& call) {
    bool threw = false;
    std::string msg;
    try {
        call();
    } catch (const std::invalid_argument& e) {
        threw = true;
        msg = e.what();
    }
    std::printf("%s refuses %-40s %s\n", threw ? "ok  " : "FAIL", what, msg.c_str());
    if (!threw) ref::failures++;
}

int main() {
    int64_t model = eg_model_create(4, 3, 2, 5, 1);
    int64_t np = eg_param_count(4, 3, 2, 5);
    std::vector<float> x(2 * 3 * 4, 0.5f), logits(2 * 5), params(np);
    std::vector<int> y = {1, 4};

    refuses("hidden = 0", [] { eg_model_create(4, 0, 1, 5, 1); });
    refuses("input = -1", [] { eg_model_create(-1, 3, 1, 5, 1); });
    refuses("classes = 1", [] { eg_model_create(4, 3, 1, 1, 1); });
    refuses("layers = 0", [] { eg_model_create(4, 3, 0, 5, 1); });
    refuses("null model handle", [&] { eg_model_get_params(0, params.data(), np); });
    refuses("params too short", [&] { eg_model_get_params(model, params.data(), np - 1); });
    refuses("null params", [&] { eg_model_set_params(model, nullptr, np); });
    refuses("empty batch", [&] { eg_model_infer(model, x.data(), 0, 0, 3, logits.data(), 0); });
    refuses("zero frames", [&] { eg_model_infer(model, x.data(), 0, 2, 0, logits.data(), 10); });
    refuses("x shorter than B*T*I", [&] { eg_model_infer(model, x.data(), 23, 2, 3, logits.data(), 10); });
    refuses("logits wrong size", [&] { eg_model_infer(model, x.data(), 24, 2, 3, logits.data(), 9); });
    refuses("B*T*I overflow", [&] { eg_model_infer(model, x.data(), 24, 1 << 20, 1 << 20, logits.data(), 10); });

    int64_t trainer = eg_trainer_create(model, 2);
    refuses("trainer on a model handle", [&] { eg_trainer_get_step(model); });
    refuses("model call on a trainer handle", [&] { eg_model_get_params(trainer, params.data(), np); });
    refuses("label out of range", [&] {
        std::vector<int> bad = {1, 5};
        eg_trainer_step(trainer, x.data(), 24, bad.data(), 2, 2, 3, 1e-3f, .9f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
    });
    refuses("negative label", [&] {
        std::vector<int> bad = {-1, 0};
        eg_trainer_step(trainer, x.data(), 24, bad.data(), 2, 2, 3, 1e-3f, .9f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
    });
    refuses("labels length != batch", [&] {
        eg_trainer_step(trainer, x.data(), 24, y.data(), 1, 2, 3, 1e-3f, .9f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
    });
    refuses("beta1 = 1", [&] {
        eg_trainer_step(trainer, x.data(), 24, y.data(), 2, 2, 3, 1e-3f, 1.f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
    });
    refuses("h0 wrong size", [&] {
        std::vector<float> g(np), h0(5);
        eg_trainer_gradients(trainer, x.data(), 24, h0.data(), 5, y.data(), 2, 2, 3, 0.0f, g.data(), np, nullptr, 0,
                             nullptr, 0, nullptr);
    });
    refuses("apply: grads too short", [&] {
        std::vector<float> g(np - 1);
        eg_trainer_apply(trainer, g.data(), np - 1, 1e-3f, .9f, .999f, 1e-8f, 0, 5);
    });
    refuses("apply: null grads", [&] { eg_trainer_apply(trainer, nullptr, np, 1e-3f, .9f, .999f, 1e-8f, 0, 5); });
    refuses("apply: eps = 0", [&] {
        std::vector<float> g(np);
        eg_trainer_apply(trainer, g.data(), np, 1e-3f, .9f, .999f, 0.f, 0, 5);
    });
    refuses("label smoothing = 1", [&] {
        eg_trainer_step(trainer, x.data(), 24, y.data(), 2, 2, 3, 1e-3f, .9f, .999f, 1e-8f, 0, 5, 1.0f, nullptr);
    });
    refuses("bf16 = 2", [&] { eg_trainer_set_bf16(trainer, 2); });
    refuses("bf16 with an odd hidden size (3)", [&] { eg_trainer_set_bf16(trainer, 1); });
    refuses("threads = 0", [&] { eg_trainer_create(model, 0); });
    refuses("streams = 0", [&] { eg_stream_create(model, 0, 0); });
    refuses("int8_weights = 2", [&] { eg_stream_create(model, 1, 2); });
    int64_t stream = eg_stream_create(model, 2, 0);
    refuses("stream x wrong size", [&] { eg_stream_step(stream, x.data(), 7, logits.data(), 10); });
    refuses("stream reset index 2 of 2", [&] { eg_stream_reset(stream, 2); });
    refuses("stream state wrong size", [&] { eg_stream_get_state(stream, params.data(), 5); });

    // Valid calls still work after all the refusals.
    int correct = -1;
    double loss = eg_trainer_step(trainer, x.data(), 24, y.data(), 2, 2, 3, 1e-3f, .9f, .999f, 1e-8f, 0, 5, 0.0f, &correct);
    ref::expect(std::isfinite(loss) && correct >= 0 && correct <= 2, "a valid step after refusals (loss)", loss, 0);
    eg_stream_free(stream);
    eg_trainer_free(trainer);
    eg_model_free(model);

    // Boundary sizes: T = 1, B = 1, H = 1, I = 1, and one training loop that lowers the loss.
    int64_t tiny = eg_model_create(1, 1, 1, 2, 5);
    int64_t tt = eg_trainer_create(tiny, 1);
    float xi[1] = {1.0f};
    int yi[1] = {1};
    double first = 0, last = 0;
    for (int i = 0; i < 200; i++) {
        last = eg_trainer_step(tt, xi, 1, yi, 1, 1, 1, 5e-2f, .9f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
        if (i == 0) first = last;
    }
    ref::expect(last < first * 0.5, "T=B=H=I=1 training lowers the loss (final/first)", last / first, 0.5);
    eg_trainer_free(tt);
    eg_model_free(tiny);

    // bfloat16 products: a small model (I = 3, H = 2, T = 4, B = 3) learns as the float one does.
    if (eg_bf16_supported()) {
        std::vector<float> xs(3 * 4 * 3);
        for (size_t i = 0; i < xs.size(); i++) xs[i] = (float)((i * 7) % 5) / 5.0f - 0.4f;
        int ys[3] = {0, 1, 2};
        double loss_of[2][2];
        for (int bf16 = 0; bf16 < 2; bf16++) {
            int64_t m = eg_model_create(3, 2, 1, 3, 11);
            int64_t t = eg_trainer_create(m, 2);
            eg_trainer_set_bf16(t, bf16);
            ref::expect(eg_trainer_get_bf16(t) == bf16, "eg_trainer_get_bf16 says what was set", eg_trainer_get_bf16(t),
                        bf16);
            for (int i = 0; i < 300; i++) {
                last = eg_trainer_step(t, xs.data(), xs.size(), ys, 3, 3, 4, 3e-2f, .9f, .999f, 1e-8f, 0, 5, 0.0f, nullptr);
                if (i == 0) loss_of[bf16][0] = last;
            }
            loss_of[bf16][1] = last;
            eg_trainer_free(t);
            eg_model_free(m);
        }
        ref::expect(std::fabs(loss_of[1][0] - loss_of[0][0]) < 1e-2 * loss_of[0][0],
                    "bf16: the first step's loss is the float one's (relative difference)",
                    std::fabs(loss_of[1][0] - loss_of[0][0]) / loss_of[0][0], 1e-2);
        ref::expect(loss_of[1][1] < loss_of[1][0] * 0.5, "bf16: training lowers the loss (final/first)",
                    loss_of[1][1] / loss_of[1][0], 0.5);
    } else {
        int64_t m = eg_model_create(3, 2, 1, 3, 11);
        int64_t t = eg_trainer_create(m, 1);
        refuses("bf16 on a CPU without AVX-512 BF16", [&] { eg_trainer_set_bf16(t, 1); });
        eg_trainer_free(t);
        eg_model_free(m);
    }
    return ref::failures == 0 ? 0 : 1;
}
