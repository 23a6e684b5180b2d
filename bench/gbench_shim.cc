// The only C++ in simdpool: forwards the C API of gbench.h to Google Benchmark.
#include "gbench.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <string>
#include <vector>

namespace {
benchmark::State *S(gb_state *st) { return reinterpret_cast<benchmark::State *>(st); }
const benchmark::State *S(const gb_state *st) { return reinterpret_cast<const benchmark::State *>(st); }
benchmark::internal::Benchmark *B(gb_bench *b) { return reinterpret_cast<benchmark::internal::Benchmark *>(b); }

// Hands every run to the C callback, then to the display reporter, if any.
class Forwarder : public benchmark::BenchmarkReporter {
  public:
    Forwarder(benchmark::BenchmarkReporter *inner, gb_result_fn fn, void *user)
        : inner_(inner), fn_(fn), user_(user) {}
    bool ReportContext(const Context &c) override { return inner_ ? inner_->ReportContext(c) : true; }
    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &r : runs) {
            gb_result g;
            g.name = r.run_name.function_name.c_str(); // as registered, without "/real_time"

            g.aggregate = r.aggregate_name.c_str();
            g.label = r.report_label.c_str();
            g.error = r.error_occurred ? r.error_message.c_str() : nullptr;
            g.iterations = r.iterations;
            double mul = 1e9 / benchmark::GetTimeUnitMultiplier(r.time_unit);
            g.real_ns = r.GetAdjustedRealTime() * mul;
            g.cpu_ns = r.GetAdjustedCPUTime() * mul;
            g.impl = &r;
            if (fn_) fn_(&g, user_);
        }
        if (inner_) inner_->ReportRuns(runs);
    }
    void Finalize() override {
        if (inner_) inner_->Finalize();
    }

  private:
    benchmark::BenchmarkReporter *inner_;
    gb_result_fn fn_;
    void *user_;
};
} // namespace

extern "C" {

gb_bench *gb_register(const char *name, gb_body body, void *ctx)
{
    auto *b = benchmark::RegisterBenchmark(name, [body, ctx](benchmark::State &s) {
        body(reinterpret_cast<gb_state *>(&s), ctx);
    });
    return reinterpret_cast<gb_bench *>(b);
}

void gb_bench_min_time(gb_bench *b, double seconds) { B(b)->MinTime(seconds); }
void gb_bench_use_real_time(gb_bench *b) { B(b)->UseRealTime(); }
void gb_bench_unit(gb_bench *b, int unit)
{
    B(b)->Unit(unit == GB_MS ? benchmark::kMillisecond : unit == GB_US ? benchmark::kMicrosecond
                                                                        : benchmark::kNanosecond);
}

int gb_keep_running(gb_state *st) { return S(st)->KeepRunning(); }
int64_t gb_max_iterations(const gb_state *st) { return S(st)->max_iterations; }
int64_t gb_iterations(const gb_state *st) { return S(st)->iterations(); }
void gb_pause_timing(gb_state *st) { S(st)->PauseTiming(); }
void gb_resume_timing(gb_state *st) { S(st)->ResumeTiming(); }
void gb_skip_with_error(gb_state *st, const char *msg) { S(st)->SkipWithError(msg); }
void gb_set_bytes_processed(gb_state *st, int64_t bytes) { S(st)->SetBytesProcessed(bytes); }
void gb_set_items_processed(gb_state *st, int64_t items) { S(st)->SetItemsProcessed(items); }
void gb_set_label(gb_state *st, const char *label) { S(st)->SetLabel(label); }

void gb_set_counter(gb_state *st, const char *name, double value, unsigned flags)
{
    int f = benchmark::Counter::kDefaults;
    if (flags & GB_COUNTER_RATE) f |= benchmark::Counter::kIsRate;
    if (flags & GB_COUNTER_AVG_ITER) f |= benchmark::Counter::kAvgIterations;
    S(st)->counters[name] = benchmark::Counter(value, static_cast<benchmark::Counter::Flags>(f));
}

int gb_initialize(int *argc, char **argv)
{
    benchmark::Initialize(argc, argv);
    for (int i = 1; i < *argc; i++)
        if (std::string(argv[i]).rfind("--benchmark", 0) == 0) return benchmark::ReportUnrecognizedArguments(*argc, argv);
    return 0;
}

double gb_result_counter(const gb_result *r, const char *name)
{
    const auto *run = static_cast<const benchmark::BenchmarkReporter::Run *>(r->impl);
    auto it = run->counters.find(name);
    return it == run->counters.end() ? std::nan("") : it->second.value;
}

int64_t gb_run(int display, gb_result_fn on_result, void *user)
{
    // The default display reporter is a process-wide static owned by the library.
    benchmark::BenchmarkReporter *inner =
        display == GB_DISPLAY_DEFAULT ? benchmark::CreateDefaultDisplayReporter() : nullptr;
    Forwarder fw(inner, on_result, user);
    return static_cast<int64_t>(benchmark::RunSpecifiedBenchmarks(&fw));
}

} // extern "C"
