// A plain double-precision GRU written straight from the equations (explicit [h, x] loops), the
// reference the C++ tests hold the float core to. Parameter layout as in gru.h.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace ref {

struct Shape {
    int I, H, L, C, B, T;
};

inline double sigm(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Returns logits[B, C]; states (if not null) gets h_t of every layer: [L][T][B][H] flattened.
inline std::vector<double> forward(const Shape& s, const std::vector<double>& p, const std::vector<double>& x,
                                   const std::vector<double>* h0, std::vector<double>* states = nullptr) {
    const int H = s.H;
    std::vector<double> below;  // [T][B][H] of the layer below
    std::vector<double> all((size_t)s.L * s.T * s.B * H);
    size_t off = 0;
    std::vector<double> cur;
    for (int l = 0; l < s.L; l++) {
        int in = l == 0 ? s.I : H;
        size_t wx = off, wh = wx + (size_t)3 * H * in, bias = wh + (size_t)3 * H * H;
        off = bias + 3 * H;
        cur.assign((size_t)s.T * s.B * H, 0.0);
        for (int b = 0; b < s.B; b++) {
            std::vector<double> h(H);
            for (int j = 0; j < H; j++) h[j] = h0 ? (*h0)[((size_t)l * s.B + b) * H + j] : 0.0;
            for (int t = 0; t < s.T; t++) {
                std::vector<double> xt(in);
                for (int k = 0; k < in; k++)
                    xt[k] = l == 0 ? x[((size_t)b * s.T + t) * in + k] : below[((size_t)t * s.B + b) * H + k];
                std::vector<double> z(H), r(H), c(H);
                for (int j = 0; j < H; j++) {
                    double sz = p[bias + j], sr = p[bias + H + j];
                    for (int k = 0; k < H; k++) {
                        sz += p[wh + (size_t)j * H + k] * h[k];
                        sr += p[wh + (size_t)(H + j) * H + k] * h[k];
                    }
                    for (int k = 0; k < in; k++) {
                        sz += p[wx + (size_t)j * in + k] * xt[k];
                        sr += p[wx + (size_t)(H + j) * in + k] * xt[k];
                    }
                    z[j] = sigm(sz);
                    r[j] = sigm(sr);
                }
                for (int j = 0; j < H; j++) {
                    double a = p[bias + 2 * H + j];
                    for (int k = 0; k < H; k++) a += p[wh + (size_t)(2 * H + j) * H + k] * r[k] * h[k];
                    for (int k = 0; k < in; k++) a += p[wx + (size_t)(2 * H + j) * in + k] * xt[k];
                    c[j] = std::tanh(a);
                }
                for (int j = 0; j < H; j++) h[j] = (1 - z[j]) * h[j] + z[j] * c[j];
                for (int j = 0; j < H; j++) cur[((size_t)t * s.B + b) * H + j] = h[j];
            }
        }
        std::copy(cur.begin(), cur.end(), all.begin() + (size_t)l * s.T * s.B * H);
        below = cur;
    }
    if (states) *states = all;
    std::vector<double> logits((size_t)s.B * s.C);
    size_t wo = off, bo = wo + (size_t)s.C * H;
    for (int b = 0; b < s.B; b++)
        for (int k = 0; k < s.C; k++) {
            double v = p[bo + k];
            for (int j = 0; j < H; j++) v += p[wo + (size_t)k * H + j] * below[((size_t)(s.T - 1) * s.B + b) * H + j];
            logits[(size_t)b * s.C + k] = v;
        }
    return logits;
}

// Mean cross-entropy against (1 − eps)·onehot + eps/C.
inline double loss(const Shape& s, const std::vector<double>& p, const std::vector<double>& x,
                   const std::vector<double>* h0, const std::vector<int>& y, double eps = 0.0) {
    std::vector<double> z = forward(s, p, x, h0);
    double sum = 0;
    for (int b = 0; b < s.B; b++) {
        double mx = -1e300;
        for (int k = 0; k < s.C; k++) mx = std::max(mx, z[(size_t)b * s.C + k]);
        double e = 0;
        for (int k = 0; k < s.C; k++) e += std::exp(z[(size_t)b * s.C + k] - mx);
        double logsum = std::log(e) + mx;
        for (int k = 0; k < s.C; k++) {
            double q = (k == y[b] ? 1.0 - eps : 0.0) + eps / s.C;
            sum += q * (logsum - z[(size_t)b * s.C + k]);
        }
    }
    return sum / s.B;
}

inline std::vector<float> uniform(std::mt19937_64& rng, size_t n, double scale) {
    std::uniform_real_distribution<double> u(-scale, scale);
    std::vector<float> v(n);
    for (auto& e : v) e = (float)u(rng);
    return v;
}

inline std::vector<double> to_double(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

inline int failures = 0;
inline void expect(bool ok, const char* what, double value, double limit) {
    std::printf("%s %-60s %.3g (limit %.3g)\n", ok ? "ok  " : "FAIL", what, value, limit);
    if (!ok) failures++;
}

}  // namespace ref
