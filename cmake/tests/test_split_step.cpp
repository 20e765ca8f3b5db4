// A training step split in two, gradients then the update (eg_trainer_gradients, eg_trainer_apply; what
// data-parallel training does with an all-reduce in between), gives eg_trainer_step's parameters bit for bit, step
// after step, on one thread and on two, with clipping that bites; and averaging the gradients of two half batches
// in the middle gives the whole batch's step within float rounding.
#include <cstring>
#include <string>

#include "earshot/gru_api.h"
#include "reference.h"

int main() {
    const int I = 7, H = 40, L = 2, C = 5, B = 12, T = 9;
    const int64_t np = eg_param_count(I, H, L, C);
    std::mt19937_64 rng(7);
    for (int threads : {1, 2}) {
        int64_t a = eg_model_create(I, H, L, C, 3), b = eg_model_create(I, H, L, C, 3);
        int64_t ta = eg_trainer_create(a, threads), tb = eg_trainer_create(b, threads);
        std::vector<float> g(np), pa(np), pb(np);
        for (int step = 0; step < 5; step++) {
            std::vector<float> x = ref::uniform(rng, (size_t)B * T * I, 1.0);
            std::vector<int> y(B);
            for (auto& v : y) v = (int)(rng() % C);
            const float clip = step % 2 ? 0.05f : 0.0f;  // a norm far below the gradients' on odd steps
            int ca = 0, cb = 0;
            double la = eg_trainer_step(ta, x.data(), x.size(), y.data(), B, B, T, 1e-2f, .9f, .999f, 1e-8f, 0.01f, clip,
                                        0.1f, &ca);
            double lb = eg_trainer_gradients(tb, x.data(), x.size(), nullptr, 0, y.data(), B, B, T, 0.1f, g.data(), np,
                                             nullptr, 0, nullptr, 0, &cb);
            eg_trainer_apply(tb, g.data(), np, 1e-2f, .9f, .999f, 1e-8f, 0.01f, clip);
            eg_model_get_params(a, pa.data(), np);
            eg_model_get_params(b, pb.data(), np);
            const std::string name = " threads=" + std::to_string(threads) + " step " + std::to_string(step);
            ref::expect(std::memcmp(pa.data(), pb.data(), sizeof(float) * np) == 0, ("split step's bytes" + name).c_str(),
                        0, 0);
            ref::expect(la == lb && ca == cb, ("split step's loss and count" + name).c_str(), la - lb, 0);
        }
        eg_trainer_free(ta);
        eg_trainer_free(tb);
        eg_model_free(a);
        eg_model_free(b);
    }
    // Two replicas' mean gradients, weighted by their clips, are the whole batch's.
    int64_t m = eg_model_create(I, H, 1, C, 4);
    int64_t t = eg_trainer_create(m, 1);
    std::vector<float> x = ref::uniform(rng, (size_t)B * T * I, 1.0), whole(np), first(np), second(np);
    std::vector<int> y(B);
    for (auto& v : y) v = (int)(rng() % C);
    const int np1 = (int)eg_param_count(I, H, 1, C);
    whole.resize(np1), first.resize(np1), second.resize(np1);
    eg_trainer_gradients(t, x.data(), x.size(), nullptr, 0, y.data(), B, B, T, 0, whole.data(), np1, nullptr, 0, nullptr,
                         0, nullptr);
    const int b1 = 5;  // uneven shards: 5 and 7 clips
    eg_trainer_gradients(t, x.data(), (size_t)b1 * T * I, nullptr, 0, y.data(), b1, b1, T, 0, first.data(), np1, nullptr,
                         0, nullptr, 0, nullptr);
    eg_trainer_gradients(t, x.data() + (size_t)b1 * T * I, (size_t)(B - b1) * T * I, nullptr, 0, y.data() + b1, B - b1,
                         B - b1, T, 0, second.data(), np1, nullptr, 0, nullptr, 0, nullptr);
    double worst = 0, scale = 0;
    for (int i = 0; i < np1; i++) {
        const double avg = ((double)first[i] * b1 + (double)second[i] * (B - b1)) / B;
        worst = std::max(worst, std::fabs(avg - whole[i]));
        scale = std::max(scale, (double)std::fabs(whole[i]));
    }
    ref::expect(worst <= 1e-5 * scale, "clip-weighted mean of two shards' gradients = the batch's", worst / scale, 1e-5);
    eg_trainer_free(t);
    eg_model_free(m);
    return ref::failures == 0 ? 0 : 1;
}
