// Every gradient of the float core (weights and biases of every layer and the head, the input
// sequence, the initial states) against central finite differences of the double reference loss.
#include <string>

#include "earshot/gru_api.h"
#include "reference.h"

template <class F>
static double worst_error(const std::vector<float>& analytic, std::vector<double> at, F loss) {
    const double step = 1e-5, floor = 1e-3;
    double worst = 0;
    for (size_t i = 0; i < at.size(); i++) {
        double keep = at[i];
        at[i] = keep + step;
        double up = loss(at);
        at[i] = keep - step;
        double down = loss(at);
        at[i] = keep;
        double num = (up - down) / (2 * step);
        double err = std::fabs(num - analytic[i]) / std::max(floor, std::max(std::fabs(num), (double)std::fabs(analytic[i])));
        worst = std::max(worst, err);
    }
    return worst;
}

int main() {
    const ref::Shape shapes[] = {{1, 1, 1, 2, 1, 1}, {3, 4, 1, 3, 2, 5}, {3, 4, 2, 3, 3, 6}, {5, 6, 3, 4, 2, 4}};
    for (const auto& s : shapes)
        for (int threads : {1, 2}) {
            std::mt19937_64 rng(s.I * 31 + s.H * 7 + s.L + threads);
            int64_t np = eg_param_count(s.I, s.H, s.L, s.C);
            std::vector<float> p = ref::uniform(rng, np, 0.8), x = ref::uniform(rng, (size_t)s.B * s.T * s.I, 1.0),
                               h0 = ref::uniform(rng, (size_t)s.L * s.B * s.H, 0.5);
            std::vector<int> y(s.B);
            for (auto& v : y) v = (int)(rng() % s.C);
            int64_t model = eg_model_create(s.I, s.H, s.L, s.C, 0);
            eg_model_set_params(model, p.data(), np);
            int64_t trainer = eg_trainer_create(model, threads);
            std::vector<float> g(np), dx(x.size()), dh0(h0.size());
            const double eps = threads == 2 ? 0.1 : 0.0;  // label smoothing on one of the two runs
            double loss = eg_trainer_gradients(trainer, x.data(), x.size(), h0.data(), h0.size(), y.data(), y.size(),
                                               s.B, s.T, (float)eps, g.data(), g.size(), dx.data(), dx.size(), dh0.data(), dh0.size(),
                                               nullptr);
            auto pd = ref::to_double(p), xd = ref::to_double(x), hd = ref::to_double(h0);
            std::string name = " I=" + std::to_string(s.I) + " H=" + std::to_string(s.H) + " L=" + std::to_string(s.L) +
                               " B=" + std::to_string(s.B) + " T=" + std::to_string(s.T) + " threads=" + std::to_string(threads) + " smoothing=" + std::to_string(eps);
            double lerr = std::fabs(loss - ref::loss(s, pd, xd, &hd, y, eps));
            ref::expect(lerr <= 1e-5, ("loss" + name).c_str(), lerr, 1e-5);
            double e = worst_error(g, pd, [&](const std::vector<double>& v) { return ref::loss(s, v, xd, &hd, y, eps); });
            ref::expect(e <= 1e-3, ("dL/dparams" + name).c_str(), e, 1e-3);
            e = worst_error(dx, xd, [&](const std::vector<double>& v) { return ref::loss(s, pd, v, &hd, y, eps); });
            ref::expect(e <= 1e-3, ("dL/dx" + name).c_str(), e, 1e-3);
            e = worst_error(dh0, hd, [&](const std::vector<double>& v) { return ref::loss(s, pd, xd, &v, y, eps); });
            ref::expect(e <= 1e-3, ("dL/dh0" + name).c_str(), e, 1e-3);
            // A training batch's own case: h0 = 0 and neither dL/dx nor dL/dh0 asked for, where the core skips step
            // 0's recurrent products (they multiply zeros) and everything after step 0's gate gradients.
            loss = eg_trainer_gradients(trainer, x.data(), x.size(), nullptr, 0, y.data(), y.size(), s.B, s.T, (float)eps,
                                        g.data(), g.size(), nullptr, 0, nullptr, 0, nullptr);
            lerr = std::fabs(loss - ref::loss(s, pd, xd, nullptr, y, eps));
            ref::expect(lerr <= 1e-5, ("loss, h0 = 0" + name).c_str(), lerr, 1e-5);
            e = worst_error(g, pd, [&](const std::vector<double>& v) { return ref::loss(s, v, xd, nullptr, y, eps); });
            ref::expect(e <= 1e-3, ("dL/dparams, h0 = 0" + name).c_str(), e, 1e-3);
            eg_trainer_free(trainer);
            eg_model_free(model);
        }
    return ref::failures == 0 ? 0 : 1;
}
