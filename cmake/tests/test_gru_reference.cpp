// Forward (batch and streaming) of the float core against the double reference, on random problems of
// several shapes, boundary sizes included (T = 1, B = 1, H = 1).
#include <algorithm>
#include <string>

#include "earshot/gru_api.h"
#include "reference.h"

int main() {
    const ref::Shape shapes[] = {{1, 1, 1, 2, 1, 1}, {3, 5, 1, 3, 2, 7}, {10, 16, 2, 12, 5, 20},
                                 {40, 64, 1, 12, 3, 49}, {13, 33, 3, 35, 4, 9}, {40, 128, 2, 12, 2, 98}};
    for (const auto& s : shapes) {
        std::mt19937_64 rng(s.I * 131 + s.H * 7 + s.L);
        int64_t model = eg_model_create(s.I, s.H, s.L, s.C, 3);
        int64_t np = eg_param_count(s.I, s.H, s.L, s.C);
        std::vector<float> p = ref::uniform(rng, np, 1.5 / std::sqrt((double)s.H));
        eg_model_set_params(model, p.data(), np);
        std::vector<float> x = ref::uniform(rng, (size_t)s.B * s.T * s.I, 2.0);
        std::vector<float> logits((size_t)s.B * s.C);
        eg_model_infer(model, x.data(), x.size(), s.B, s.T, logits.data(), logits.size());
        std::vector<double> states;
        std::vector<double> want = ref::forward(s, ref::to_double(p), ref::to_double(x), nullptr, &states);
        double err = 0;
        for (size_t i = 0; i < want.size(); i++) err = std::max(err, std::fabs(want[i] - logits[i]));
        std::string name = "logits I=" + std::to_string(s.I) + " H=" + std::to_string(s.H) + " L=" +
                           std::to_string(s.L) + " B=" + std::to_string(s.B) + " T=" + std::to_string(s.T);
        ref::expect(err <= 1e-5, name.c_str(), err, 1e-5);

        // Streaming: one frame at a time for B streams; the state after each frame is h_t.
        int64_t stream = eg_stream_create(model, s.B);
        std::vector<float> frame((size_t)s.B * s.I), out((size_t)s.B * s.C), h((size_t)s.L * s.B * s.H);
        double herr = 0;
        for (int t = 0; t < s.T; t++) {
            for (int b = 0; b < s.B; b++)
                std::copy_n(&x[((size_t)b * s.T + t) * s.I], s.I, &frame[(size_t)b * s.I]);
            eg_stream_step(stream, frame.data(), frame.size(), out.data(), out.size());
            eg_stream_get_state(stream, h.data(), h.size());
            for (int l = 0; l < s.L; l++)
                for (int b = 0; b < s.B; b++)
                    for (int j = 0; j < s.H; j++)
                        herr = std::max(herr, std::fabs(h[((size_t)l * s.B + b) * s.H + j] -
                                                        states[(((size_t)l * s.T + t) * s.B + b) * s.H + j]));
        }
        ref::expect(herr <= 1e-5, ("stream states " + name).c_str(), herr, 1e-5);
        double lerr = 0;
        for (size_t i = 0; i < out.size(); i++) lerr = std::max(lerr, (double)std::fabs(out[i] - logits[i]));
        ref::expect(lerr <= 1e-5, ("stream logits = batch logits " + name).c_str(), lerr, 1e-5);
        eg_stream_free(stream);
        eg_model_free(model);
    }
    return ref::failures == 0 ? 0 : 1;
}
