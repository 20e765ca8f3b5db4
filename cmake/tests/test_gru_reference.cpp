// Forward (batch and streaming) of the float core against the double reference, on random problems of
// several shapes, boundary sizes included (T = 1, B = 1, H = 1). Also int8 streams: with every Wh made of
// int8 multiples of a per-row, per-64-column scale, they must compute the reference's own numbers (the VNNI kernel
// within its rounding of x to 16 bits). CTest runs this once per int8 kernel (EARSHOT_Q8_KERNEL = avx512, avx2,
// scalar; unset = the widest the CPU has).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "earshot/gru_api.h"
#include "reference.h"

// Rounds w[rows, cols] to int8 steps as ModelFile's INT8 encoding does, per row and 64-column block:
// s = max|w| / 127, w ← round(w / s)·s.
void round_rows_to_int8(float* w, int rows, int cols) {
    for (int r = 0; r < rows; r++)
        for (int c0 = 0; c0 < cols; c0 += 64) {
            float* b = w + (size_t)r * cols + c0;
            const int n = std::min(64, cols - c0);
            float max = 0;
            for (int i = 0; i < n; i++) max = std::max(max, std::fabs(b[i]));
            const float scale = max / 127.0f;
            for (int i = 0; i < n; i++) b[i] = scale == 0 ? 0.0f : (float)std::lround(b[i] / scale) * scale;
        }
}

// What an int8 stream reads as int8 (gru.h, Q8Layer): every Wh, and every Wx of 64 columns or more.
void round_matrices_to_int8(const ref::Shape& s, std::vector<float>& p) {
    size_t off = 0;
    for (int l = 0; l < s.L; l++) {
        const int in = l == 0 ? s.I : s.H;
        if (in >= 64) round_rows_to_int8(p.data() + off, 3 * s.H, in);
        round_rows_to_int8(p.data() + off + (size_t)3 * s.H * in, 3 * s.H, s.H);
        off += (size_t)3 * s.H * (in + s.H) + 3 * s.H;
    }
}

// Steps `stream` through x[B, T, I] frame by frame; returns the largest difference of its states from the
// reference's and puts the last logits in out.
double stream_error(int64_t stream, const ref::Shape& s, const std::vector<float>& x,
                    const std::vector<double>& states, std::vector<float>& out) {
    std::vector<float> frame((size_t)s.B * s.I), h((size_t)s.L * s.B * s.H);
    out.assign((size_t)s.B * s.C, 0.0f);
    double herr = 0;
    for (int t = 0; t < s.T; t++) {
        for (int b = 0; b < s.B; b++) std::copy_n(&x[((size_t)b * s.T + t) * s.I], s.I, &frame[(size_t)b * s.I]);
        eg_stream_step(stream, frame.data(), frame.size(), out.data(), out.size());
        eg_stream_get_state(stream, h.data(), h.size());
        for (int l = 0; l < s.L; l++)
            for (int b = 0; b < s.B; b++)
                for (int j = 0; j < s.H; j++)
                    herr = std::max(herr, std::fabs(h[((size_t)l * s.B + b) * s.H + j] -
                                                    states[(((size_t)l * s.T + t) * s.B + b) * s.H + j]));
    }
    return herr;
}

int main() {
    const char* forced = std::getenv("EARSHOT_Q8_KERNEL");
    const std::string info = eg_blas_info();
    const size_t at = info.find("int8=") + 5;
    const std::string kernel = info.substr(at, info.find(' ', at) - at);
    std::printf("int8 kernel: %s\n", kernel.c_str());
    if (forced && kernel != forced) {
        std::printf("FAIL EARSHOT_Q8_KERNEL=%s but the %s kernel runs\n", forced, kernel.c_str());
        return 1;
    }
    const ref::Shape shapes[] = {{1, 1, 1, 2, 1, 1}, {3, 5, 1, 3, 2, 7}, {10, 16, 2, 12, 5, 20},
                                 {40, 64, 1, 12, 3, 49}, {13, 33, 3, 35, 4, 9}, {40, 128, 2, 12, 2, 98},
                                 {80, 100, 2, 12, 2, 30}};
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
        int64_t stream = eg_stream_create(model, s.B, 0);
        std::vector<float> out;
        double herr = stream_error(stream, s, x, states, out);
        ref::expect(herr <= 1e-5, ("stream states " + name).c_str(), herr, 1e-5);
        double lerr = 0;
        for (size_t i = 0; i < out.size(); i++) lerr = std::max(lerr, (double)std::fabs(out[i] - logits[i]));
        ref::expect(lerr <= 1e-5, ("stream logits = batch logits " + name).c_str(), lerr, 1e-5);
        eg_stream_free(stream);

        // int8 streams on weights that int8 holds exactly: the reference's states and logits.
        round_matrices_to_int8(s, p);
        eg_model_set_params(model, p.data(), np);
        std::vector<double> want8 = ref::forward(s, ref::to_double(p), ref::to_double(x), nullptr, &states);
        int64_t stream8 = eg_stream_create(model, s.B, 1);
        herr = stream_error(stream8, s, x, states, out);
        // The float kernels sum the exact products in float. The VNNI kernel rounds x to int16 per 64-column block
        // first: each product off by up to 2^-16 of the block's largest |x|, which a step's sums and T steps of the
        // recurrence carry to 1e-5..4e-5 on these shapes (measured): ten times the float bound, where a wrong product
        // (a block or a scale missed) is off by orders of magnitude more.
        const double bound8 = kernel == "avx512vnni" ? 1e-4 : 1e-5;
        ref::expect(herr <= bound8, ("int8 stream states " + name).c_str(), herr, bound8);
        lerr = 0;
        for (size_t i = 0; i < out.size(); i++) lerr = std::max(lerr, std::fabs(out[i] - want8[i]));
        ref::expect(lerr <= bound8, ("int8 stream logits " + name).c_str(), lerr, bound8);
        // A change of parameters makes the int8 copy stale: the stream refuses to step.
        eg_model_set_params(model, p.data(), np);
        bool refused = false;
        try {
            std::vector<float> frame((size_t)s.B * s.I);
            eg_stream_step(stream8, frame.data(), frame.size(), out.data(), out.size());
        } catch (const std::invalid_argument& e) {
            refused = std::strstr(e.what(), "parameters changed") != nullptr;
        }
        ref::expect(refused, ("stale int8 stream refused " + name).c_str(), refused ? 0 : 1, 0);
        eg_stream_free(stream8);
        eg_model_free(model);
    }
    return ref::failures == 0 ? 0 : 1;
}
