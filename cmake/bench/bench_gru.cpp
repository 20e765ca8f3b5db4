// Times the GRU core's training step and its parts without the JVM, for profiling (perf record).
//   bench_gru [B T I H threads reps precision]   precision: fp32 (default) or bf16
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>
#include <algorithm>
#include <cblas.h>

#include "earshot/gru_api.h"

int main(int argc, char** argv) {
    int B = argc > 1 ? atoi(argv[1]) : 64, T = argc > 2 ? atoi(argv[2]) : 98, I = argc > 3 ? atoi(argv[3]) : 40;
    int H = argc > 4 ? atoi(argv[4]) : 128, threads = argc > 5 ? atoi(argv[5]) : 1, reps = argc > 6 ? atoi(argv[6]) : 30;
    const std::string precision = argc > 7 ? argv[7] : "fp32";
    if (precision != "fp32" && precision != "bf16") {
        fprintf(stderr, "precision must be fp32 or bf16, got %s\n", precision.c_str());
        return 2;
    }
    const int C = 12;
    eg_blas_set_threads(1);
    int64_t model = eg_model_create(I, H, 1, C, 1);
    int64_t trainer = eg_trainer_create(model, threads);
    if (precision == "bf16") eg_trainer_set_bf16(trainer, 1);
    std::mt19937 rng(1);
    std::normal_distribution<float> n;
    std::vector<float> x((size_t)B * T * I);
    for (auto& v : x) v = n(rng);
    std::vector<int> y(B);
    for (auto& v : y) v = rng() % C;
    std::vector<double> ms;
    for (int r = 0; r < reps + 3; r++) {
        auto t0 = std::chrono::steady_clock::now();
        eg_trainer_step(trainer, x.data(), x.size(), y.data(), y.size(), B, T, 1e-3f, 0.9f, 0.999f, 1e-8f, 0, 5, 0.0f, nullptr);
        auto t1 = std::chrono::steady_clock::now();
        if (r >= 3) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    double flops = 3.0 * 2 * T * B * 3 * H * (I + H);
    printf("train %s B=%d T=%d I=%d H=%d threads=%d ms_median=%.3f gflops=%.1f  [%s]\n", precision.c_str(), B, T, I, H, threads,
           ms[ms.size() / 2], flops / ms[ms.size() / 2] / 1e6, eg_blas_info());
    eg_trainer_free(trainer);
    eg_model_free(model);
    return 0;
}
