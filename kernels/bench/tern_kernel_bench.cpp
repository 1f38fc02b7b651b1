// tern-kernel-bench: single-thread speed of each kernel at BitNet b1.58 2B4T shapes, for every
// dispatch level this CPU supports, with ratios to the scalar level measured in the same run.
// A small harness of our own (no benchmark library needed to build it). Not run by ctest.
//
// "hot": the same matrix again and again (it sits in L2/L3: the kernel's compute speed).
// "cold": a rotation of copies larger than the last-level cache (streams from DRAM, as a decode
// step does). GB/s counts weight bytes only.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/float_dot.h"
#include "kernels/fp16.h"
#include "kernels/splitmix64.h"
#include "kernels/ternary_formats.h"
#include "kernels/ternary_gemm.h"

using namespace tern::kernels;

namespace {

double g_min_seconds = 0.25;
bool g_median = false;  // --median: the median call instead of the fastest

// Seconds per call of fn(i) (i counts calls, for rotating through copies): the fastest of many
// calls, the one least disturbed by other processes on a shared machine.
double time_it(const std::function<void(int)>& fn) {
  fn(0);  // warm-up (page faults, caches)
  std::vector<double> samples;
  const auto start = std::chrono::steady_clock::now();
  int i = 1;
  while (samples.size() < 5 || std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < g_min_seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    fn(i++);
    samples.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (samples.size() > 2000) break;
  }
  std::sort(samples.begin(), samples.end());
  return g_median ? samples[samples.size() / 2] : samples.front();
}

struct Row {
  std::string name;
  double bytes;     // weight bytes per call
  double ops;       // multiply-adds per call
  std::vector<double> secs;  // per level
};

std::vector<CpuLevel> g_levels;
std::vector<Row> g_rows;

void measure(const std::string& name, double bytes, double ops, const std::function<void(const KernelTable&, int)>& fn) {
  Row r{name, bytes, ops, {}};
  for (CpuLevel l : g_levels) {
    const KernelTable& t = kernel_table(l);
    r.secs.push_back(time_it([&](int i) { fn(t, i); }));
  }
  // Print as we go: the scalar level of a big shape takes a while.
  std::printf("%-34s", r.name.c_str());
  for (size_t i = 0; i < r.secs.size(); ++i) {
    const double s = r.secs[i];
    std::printf(" | %9.1f us %6.1f GB/s %6.1f Gop/s x%5.1f", s * 1e6, bytes / s / 1e9, ops / s / 1e9, r.secs[0] / s);
  }
  std::printf("\n");
  std::fflush(stdout);
  g_rows.push_back(r);
}

// Weight memory aligned like the engine's (engine/model/linear.h WeightBuffer): 2 MiB. Transparent
// huge pages only with TERN_HUGEPAGES=1: the engine takes them when they are free
// (engine/model/huge_pages.h), but 4 KiB pages by default keep these figures comparable between
// runs and machines.
struct HugeBuffer {
  uint8_t* p = nullptr;
  size_t n = 0;
  explicit HugeBuffer(size_t bytes) : n(bytes) {
    const size_t a = 2u << 20, size = (bytes + a - 1) / a * a;
#if defined(_WIN32)
    p = static_cast<uint8_t*>(_aligned_malloc(size, a));
#else
    void* v = nullptr;
    if (posix_memalign(&v, a, size) == 0) p = static_cast<uint8_t*>(v);
#endif
    if (!p) { std::fprintf(stderr, "out of memory\n"); std::exit(1); }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const char* e = std::getenv("TERN_HUGEPAGES");
    if (e && std::string(e) == "1") madvise(p, size, MADV_HUGEPAGE);
#endif
  }
  ~HugeBuffer() {
#if defined(_WIN32)
    _aligned_free(p);
#else
    std::free(p);
#endif
  }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
};

// A value uniform in [-0.5, 0.5): inputs of the float kernels (53 random bits, then rounded).
float centered(uint64_t& seed) { return (float)((double)(tern::splitmix64_next(seed) >> 11) / 9007199254740992.0 - 0.5); }

// Copies of a packed matrix, enough to exceed the last-level cache when cold.
struct Copies {
  std::unique_ptr<HugeBuffer> buf;
  size_t stride = 0, count = 0;
  const uint8_t* at(int i, bool cold) const { return buf->p + (cold ? (size_t)i % count : 0) * stride; }
};

Copies make_copies(const std::vector<uint8_t>& src, bool cold) {
  Copies c;
  c.count = cold ? std::max<size_t>(2, (size_t)(384u << 20) / src.size() + 1) : 1;
  c.stride = (src.size() + 4095) / 4096 * 4096;
  c.buf = std::make_unique<HugeBuffer>(c.stride * c.count);
  for (size_t i = 0; i < c.count; ++i) std::memcpy(c.buf->p + i * c.stride, src.data(), src.size());
  return c;
}

void bench_ternary(int64_t k, int64_t rows, int n_tokens, bool cold, TernaryLayout layout) {
  uint64_t seed = 42 + k + rows;
  std::vector<int8_t> w((size_t)(k * rows));
  for (auto& v : w) v = (int8_t)((int)(tern::splitmix64_next(seed) % 3) - 1);
  std::vector<uint8_t> i2s(i2s_nbytes(k * rows));
  i2s_pack(w.data(), k * rows, 1.0f, i2s.data());
  std::vector<uint8_t> packed = i2s;
  if (layout == TernaryLayout::I2S_R4) {
    packed.assign(i2s_r4_nbytes(rows, k), 0);
    i2s_repack_r4(i2s.data(), rows, k, packed.data(), 0, (rows + 3) / 4);
  }
  const Copies copies = make_copies(packed, cold);
  std::vector<int8_t> q((size_t)(k * n_tokens));
  for (auto& v : q) v = (int8_t)(tern::splitmix64_next(seed) & 0xFF);
  std::vector<int32_t> qsum(n_tokens, 0);
  std::vector<float> factor(n_tokens, 1e-3f), y((size_t)(rows * n_tokens));
  char name[128];
  std::snprintf(name, sizeof name, "ternary %s %lldx%lld t%d %s", layout == TernaryLayout::I2S ? "i2s" : "r4",
                (long long)k, (long long)rows, n_tokens, cold ? "cold" : "hot");
  measure(name, (double)packed.size(), (double)k * rows * n_tokens, [&](const KernelTable& t, int i) {
    TernaryGemm g;
    g.layout = layout;
    g.w = copies.at(i, cold);
    g.rows = rows;
    g.k = k;
    g.q = q.data();
    g.qsum = qsum.data();
    g.factor = factor.data();
    g.n_tokens = n_tokens;
    g.y = y.data();
    g.ldy = rows;
    t.ternary_gemm(g, 0, rows);
  });
}

void bench_float_out(bool q8, int n_tokens, int64_t rows, FloatLayout layout = FloatLayout::Rows) {
  const int64_t k = 2560;
  uint64_t seed = 7;
  std::vector<float> row(k);
  const int64_t row_bytes = q8 ? k / 32 * 34 : k * 2;
  HugeBuffer hw((size_t)(rows * row_bytes));
  uint8_t* w = hw.p;
  for (int64_t r = 0; r < rows; ++r) {
    for (auto& v : row) v = centered(seed);
    if (q8) q8_0_quantize(row.data(), k, w + r * row_bytes);
    else for (int64_t i = 0; i < k; ++i) reinterpret_cast<uint16_t*>(w + r * row_bytes)[i] = f32_to_fp16(row[i]);
  }
  if (layout == FloatLayout::R4) {  // the layout the engine repacks F16 into
    std::vector<uint16_t> tmp((size_t)(rows * k));
    std::memcpy(tmp.data(), w, tmp.size() * 2);
    f16_repack_r4(tmp.data(), rows, k, reinterpret_cast<uint16_t*>(w), 0, (rows + 3) / 4);
  }
  std::vector<float> x((size_t)(k * n_tokens));
  for (auto& v : x) v = centered(seed);
  std::vector<uint8_t> xq((size_t)(k / 32 * 34 * n_tokens));
  q8_0_quantize(x.data(), k * n_tokens, xq.data());
  std::vector<float> y((size_t)(rows * n_tokens));
  // All 128256 rows (0.66 / 0.35 GB) are larger than any cache: cold. 512 rows stay in L2/L3: hot.
  char name[128];
  std::snprintf(name, sizeof name, "%s out 2560x%lld t%d %s", q8 ? "q8_0" : layout == FloatLayout::R4 ? "f16 r4" : "f16 rows",
                (long long)rows, n_tokens, rows > 100000 ? "cold" : "hot");
  measure(name, (double)hw.n, (double)k * rows * n_tokens, [&](const KernelTable& t, int) {
    FloatGemm g;
    g.layout = layout;
    g.w = w;
    g.rows = rows;
    g.k = k;
    g.x = x.data();
    g.n_tokens = n_tokens;
    g.y = y.data();
    g.ldy = rows;
    if (q8) t.q8_0_gemm(Q8Gemm{g, xq.data()}, 0, rows);
    else t.f16_gemm(g, 0, rows);
  });
}

void bench_act_quant(int64_t n) {
  std::vector<float> x((size_t)n);
  uint64_t seed = 3;
  for (auto& v : x) v = centered(seed);
  std::vector<int8_t> q((size_t)n);
  measure("act quant n" + std::to_string(n), 0, (double)n, [&](const KernelTable& t, int) { t.quantize_act_i8(x.data(), q.data(), n); });
}

void bench_attention(int n_pos) {
  const int hd = 128, kv_dim = 640;
  std::vector<float> kv((size_t)n_pos * kv_dim), q(hd), s(n_pos), out(hd);
  uint64_t seed = 5;
  for (auto& v : kv) v = centered(seed);
  for (auto& v : q) v = centered(seed);
  measure("attention head hd128 pos" + std::to_string(n_pos), 0, 2.0 * n_pos * hd, [&](const KernelTable& t, int) {
    t.attn_scores(q.data(), kv.data(), kv_dim, n_pos, hd, 0.088f, s.data());
    t.softmax(s.data(), n_pos);
    t.attn_values(s.data(), kv.data(), kv_dim, n_pos, hd, out.data());
  });
}

// One decode step's attention for one key/value head as the engine runs it (engine/model/forward.cpp):
// 2B4T's group of 4 query heads, head_dim 128, over n_pos cached positions (keys, then values,
// each head's rows contiguous), F32 or F16. Cold: each call reads another head's cache from a
// rotation larger than the last-level cache, as a decode step reads 30 layers x 5 heads.
void bench_attention_group_cold(int n_pos, bool f16) {
  const int hd = 128, group = 4;
  const size_t elem = f16 ? 2 : 4, head_bytes = (size_t)n_pos * hd * elem;
  std::vector<uint8_t> kv(2 * head_bytes);
  uint64_t seed = 11;
  for (size_t i = 0; i < 2 * (size_t)n_pos * hd; ++i) {
    const float v = centered(seed);
    if (f16) reinterpret_cast<uint16_t*>(kv.data())[i] = f32_to_fp16(v);
    else reinterpret_cast<float*>(kv.data())[i] = v;
  }
  const Copies copies = make_copies(kv, true);
  std::vector<float> q((size_t)group * hd), s((size_t)group * n_pos), out((size_t)group * hd);
  for (auto& v : q) v = centered(seed);
  measure(std::string("attention group4 hd128 pos") + std::to_string(n_pos) + (f16 ? " f16" : " f32") + " cold",
          (double)kv.size(), 2.0 * group * n_pos * hd, [&](const KernelTable& t, int i) {
            const uint8_t* k = copies.at(i, true);
            const uint8_t* v = k + head_bytes;
            if (f16) t.attn_scores_group_f16(q.data(), hd, group, reinterpret_cast<const uint16_t*>(k), hd, n_pos, hd,
                                             0.088f, s.data(), n_pos);
            else t.attn_scores_group(q.data(), hd, group, reinterpret_cast<const float*>(k), hd, n_pos, hd, 0.088f,
                                     s.data(), n_pos);
            for (int h = 0; h < group; ++h) t.softmax(s.data() + h * n_pos, n_pos);
            if (f16) t.attn_values_group_f16(s.data(), n_pos, group, reinterpret_cast<const uint16_t*>(v), hd, n_pos, hd,
                                             out.data(), hd);
            else t.attn_values_group(s.data(), n_pos, group, reinterpret_cast<const float*>(v), hd, n_pos, hd, out.data(),
                                     hd);
          });
}

void bench_bandwidth() {
  HugeBuffer buf((size_t)1 << 30);
  std::memset(buf.p, 1, buf.n);
  uint64_t sink = 0;
  measure("read bandwidth (1 GiB xor)", (double)buf.n, 0, [&](const KernelTable& t, int) { sink ^= t.xor_words(buf.p, buf.n); });
  if (sink == 42) std::printf("!\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string only;
  bool no_scalar = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick") g_min_seconds = 0.05;
    else if (a == "--filter" && i + 1 < argc) only = argv[++i];
    else if (a == "--no-scalar") no_scalar = true;
    else if (a == "--median") g_median = true;
    else {
      std::printf("usage: tern-kernel-bench [--quick] [--median] [--filter WORD] [--no-scalar]\n"
                  "  times every kernel at BitNet 2B4T shapes for each CPU level (TERN_CPU caps the levels)\n");
      return a == "--help" ? 0 : 2;
    }
  }
  const CpuLevel cap = active_cpu_level();  // TERN_CPU lowers the highest level measured
  for (CpuLevel l : supported_cpu_levels())
    if (static_cast<int>(l) <= static_cast<int>(cap) && !(no_scalar && l == CpuLevel::Scalar)) g_levels.push_back(l);
  std::printf("CPU features: %s\nlevels:", std::string(cpu_feature_summary()).c_str());
  for (CpuLevel l : g_levels) std::printf(" %s", cpu_level_name(l));
  std::printf("   (per level: time per call, weight GB/s, G multiply-adds/s, speed-up vs the first level)\n");
  auto want = [&](const char* w) { return only.empty() || std::string(w).find(only) != std::string::npos; };
  const int64_t shapes[][2] = {{2560, 2560}, {2560, 640}, {2560, 6912}, {6912, 2560}};
  if (want("ternary gemv")) {
    for (bool cold : {false, true})
      for (auto& s : shapes) bench_ternary(s[0], s[1], 1, cold, TernaryLayout::I2S_R4);
    for (auto& s : shapes) bench_ternary(s[0], s[1], 1, true, TernaryLayout::I2S);
  }
  if (want("ternary gemm"))
    for (auto& s : shapes) bench_ternary(s[0], s[1], 64, false, TernaryLayout::I2S_R4);
  if (want("output")) {
    for (int64_t rows : {512, 128256}) {
      bench_float_out(false, 1, rows, FloatLayout::R4);
      if (rows > 512) bench_float_out(false, 1, rows, FloatLayout::Rows);
      bench_float_out(true, 1, rows);
    }
  }
  if (want("act")) {
    bench_act_quant(2560);
    bench_act_quant(6912);
  }
  if (want("attention")) {
    bench_attention(128);
    bench_attention(512);
    for (bool f16 : {false, true}) bench_attention_group_cold(2048, f16);
  }
  if (want("bandwidth")) bench_bandwidth();
  return 0;
}
