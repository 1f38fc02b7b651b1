#pragma once
// A loaded model: configuration, weights, tokenizer and chat format. Immutable after load and
// shared by any number of sessions (engine/chat/session.h), which hold the per-conversation state.
#include "engine/model/arch.h"
#include "engine/chat/chat_template.h"
#include "engine/chat/logit_penalty.h"
#include "engine/model/linear.h"
#include "engine/model/model_config.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tern {

class GgufFile;
class KvCache;
struct ModelInspection;
class ThreadPool;
class Tokenizer;

struct LoadOptions {
    int n_threads = 0;     // 0: all hardware threads
    // Compute straight from the memory-mapped file instead of copying weights into ordinary
    // memory. Off by default: mmapped weights measured 2-4x slower on the target machines.
    bool use_mmap = false;
    std::function<void(float fraction)> progress;  // 0..1 while weights are read
    // Requantise the output matrix (the tied F16 embedding of BitNet 2B4T: 0.66 GB) to 8 bits
    // (Q8_0) at load: half its bytes per decoded token, for a small perplexity cost. Opt-in.
    bool output_q8 = false;
    // Repack weights (ternary and F16 matrices) at load into the kernels' row-interleaved
    // layouts (ignored with use_mmap, which computes from the file's own layout). Off only for
    // comparisons.
    bool repack = true;
    // Use the matrices the kernels can read in the file's own layout (the F16 token embedding,
    // which is also the tied output matrix of BitNet 2B4T; float and Q8_0 matrices) straight from
    // the file's mapping instead of copying them into ordinary memory, and release the mapped
    // pages of every tensor copied (repacked) out of the file as soon as it is: so that the
    // process never holds two copies of a weight. The mapping then stays open while the model
    // lives (the file may be deleted or renamed meanwhile, not rewritten in place). Off: every
    // matrix is copied and the F16 embedding repacked as well (the layout-for-speed choice; for
    // comparisons). Ignored with use_mmap, which maps everything anyway.
    bool map_in_place = true;
    // Output screening (issue 15): keep a Q8_0 copy of an F16 output matrix with per-row error
    // bounds (linear.h, ScreenBounds), so that a decode step whose sampler keeps at most K tokens
    // computes every row at 8 bits and only the rows that can reach the top K from F16
    // (Model::forward, ScreenRequest). The sampled token is the same as with the full F16 pass.
    // With map_in_place the F16 matrix then stays mapped in the file's layout (only the rows
    // recomputed become resident). Ignored with use_mmap or output_q8.
    bool output_screening = true;
    // Output matrices smaller than this are not screened: they stay in the CPU's caches, where the
    // full F16 pass costs less than screening plus recomputing (the built-in model's 2 MiB matrix
    // decoded 5-15 % slower screened; 2B4T's 0.66 GB one 1.1-1.3x faster). Tests set 0.
    uint64_t screening_min_bytes = 8ull << 20;
    // Bytes of memory the weights may take. 0: the physical memory available at load time
    // (engine/model/system_memory.h). A model needing more is refused with a clear error before
    // anything is allocated.
    uint64_t memory_available = 0;
};

// Per-batch work buffers of the forward pass, owned by the caller (a session) so that the model
// itself stays immutable.
struct ForwardScratch {
    int capacity = 0;  // tokens
    std::vector<float> x, xn, q, k, v, att, gate, up, ffn, logits_in;
    std::vector<float> screen_lo, screen_hi;  // output screening bounds (n_vocab each)
    std::vector<int32_t> screen_rows, screen_penalised;
    std::vector<float> screen_heap;
    void reserve(const ModelConfig& c, int n_tokens);
};

// Output screening for one decode step (one token, LogitsFor::Last): what the sampler will do
// with the logits (Sampler::max_kept, Sampler::penalised_ids).
//
// Why the result is exact: the sampler keeps the K best tokens by (penalised logit desc, id asc)
// before temperature, top-p and min-p (greedy: K = 1), and only those K tokens' logits enter any
// later step. Screening gives lo[r] <= y[r] <= hi[r] for every row's F16 logit y[r]; the sampler's
// penalties (LogitPenalty::apply: repetition, then frequency and presence) are monotone, also in
// float arithmetic, so applying them to lo and hi keeps the bracket. Let T be the K-th largest
// (penalised) lo among the rows that can be sampled: K rows have y >= lo >= T, so the K-th best y
// is >= T, and every row of the true top K (ties included) has hi >= y >= T. The candidates are
// every row with hi >= T; their logits are recomputed with the F16 kernel over the same row group
// as the full pass (bit-identical), every other row is set to -inf. The sampler skips -inf rows
// before anything else, so it sees exactly the K rows it would have kept, with the same logits, and
// returns the same token from the same random draw. Fallback to the full pass: no screening copy,
// K <= 0 or K >= n_rows, non-finite activations or bounds, more than max_candidates rows, or an
// exact logit outside its bracket (never expected: counted as a violation).
struct ScreenRequest {
    int32_t keep = 0;            // K: the sampler keeps at most this many tokens; <= 0: all logits
    int32_t n_rows = 0;          // rows [0, n_rows) can be sampled (<= 0: all); the rest get -inf
    LogitPenalty penalty;                // Sampler::penalty()
    const int32_t* penalised = nullptr;  // ids the penalty changes, one entry per occurrence
    int32_t n_penalised = 0;
    int32_t max_candidates = 4096;
};

struct ScreenOutcome {
    enum class Kind { Full, Screened, TooMany, Unbounded, Violation };
    Kind kind = Kind::Full;  // Full: not asked, or the layer/request cannot be screened
    int32_t candidates = 0;  // rows recomputed from F16 (Screened, TooMany)
};

// Which positions of a batch need logits. Only the last one does during generation; computing
// the others would read the (large) output matrix for nothing.
enum class LogitsFor { None, Last, All };

class Model {
public:
    struct Layer {
        std::vector<float> attn_norm, attn_sub_norm, ffn_norm, ffn_sub_norm;  // sub-norms may be empty
        std::unique_ptr<Linear> wq, wk, wv, wo, gate, up, down;
    };

    // Starts with inspect_model (engine/model/model_inspect.h), so a file the inspection refuses is
    // refused here with the same error, and loads the tensors of its plan.
    static std::unique_ptr<Model> load(const std::string& path, const LoadOptions& options = {});
    ~Model();

    const ModelConfig& config() const { return config_; }
    const ArchSpec& arch() const { return *arch_; }
    FfnActivation activation() const { return activation_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    ChatFormat chat_format() const { return chat_format_; }
    const std::string& path() const { return path_; }
    int n_threads() const;
    // Threads a decode step (one token) uses: 1 for a model under kSerialDecodeBytes per token.
    int decode_threads() const;
    bool tied_output() const { return output_ == nullptr; }
    // Bytes of weights one decode step reads (all linear layers plus the output matrix, or its
    // screening copy when it has one: LoadOptions::output_screening).
    uint64_t weight_bytes_per_token() const;
    // Bytes of tensor data held (in ordinary memory, or mapped).
    uint64_t weight_bytes_total() const { return weight_bytes_total_; }
    // Part of weight_bytes_total() computed from the file's mapping in place (use_mmap, or the
    // matrices map_in_place keeps there).
    uint64_t mapped_weight_bytes() const { return mapped_weight_bytes_; }
    // True if [p, p + n) lies in the model file's mapping, kept open while the model lives (tests
    // check that a matrix is used in place).
    bool in_mapping(const void* p, uint64_t n) const;
    // The token embedding (also the output matrix when tied_output()).
    const Linear& token_embd() const { return *embd_; }
    double load_seconds() const { return load_seconds_; }
    // Part of load_seconds() spent repacking / requantising weights (included in the copy).
    double repack_seconds() const { return repack_seconds_; }

    // Runs n tokens at positions pos0.. through the network, appending their keys and values to
    // kv. logits receives n_vocab floats per requested position (one row for Last, n for All).
    // One forward pass at a time per model: calls are serialised internally.
    // With `screen` (LogitsFor::Last) the logits row holds exact F16 logits for a
    // candidate set containing the sampler's top K and -inf elsewhere (ScreenRequest); `outcome`
    // says whether that happened.
    void forward(const int32_t* tokens, int n, int32_t pos0, KvCache& kv, ForwardScratch& scratch,
                 LogitsFor which, float* logits, const ScreenRequest* screen = nullptr,
                 ScreenOutcome* outcome = nullptr) const;
    // True if the output matrix has a screening copy (LoadOptions::output_screening).
    bool can_screen() const { return (output_ ? output_ : embd_)->can_screen(); }
    // The output matrix (token_embd when tied).
    const Linear& output_matrix() const { return output_ ? *output_ : *embd_; }

    // Largest number of tokens forward() processes at once; longer inputs are split by callers.
    static constexpr int kMaxBatch = 64;

private:
    Model() = default;
    void load_tensors(const GgufFile& f, const ModelInspection& inspection, const LoadOptions& options);
    void forward_batch(const int32_t* tokens, int n, int32_t pos0, KvCache& kv, ForwardScratch& s,
                       LogitsFor which, float* logits, const ScreenRequest* screen, ScreenOutcome* outcome) const;
    ScreenOutcome::Kind screen_logits(const float* x, const ScreenRequest& req, ForwardScratch& s, float* logits,
                                      int32_t* candidates) const;
    void attention(int layer, int n, int32_t pos0, KvCache& kv, ForwardScratch& s, ThreadPool& pool) const;
    void rope(float* head, int32_t pos) const;

    std::string path_;
    ModelConfig config_;
    const ArchSpec* arch_ = nullptr;
    FfnActivation activation_ = FfnActivation::Silu;
    std::unique_ptr<Tokenizer> tokenizer_;
    ChatFormat chat_format_ = ChatFormat::ChatML;

    std::unique_ptr<Linear> embd_;    // token_embd: rows are looked up, and it is the tied output
    std::unique_ptr<Linear> output_;  // separate output.weight, or null when tied
    std::vector<float> output_norm_;
    std::vector<Layer> layers_;

    // Weight bytes: the layers' own (repacked) memory, an anonymous copy of matrices that cannot
    // be used in place, and the mapped file, kept open when any matrix is used from it.
    std::unique_ptr<WeightBuffer> storage_;
    std::unique_ptr<GgufFile> mapped_;
    uint64_t weight_bytes_total_ = 0;
    uint64_t mapped_weight_bytes_ = 0;
    double load_seconds_ = 0;
    double repack_seconds_ = 0;

    std::unique_ptr<ThreadPool> pool_;
    // Decode steps of a model this small run on the calling thread alone (decode_pool): one
    // token's whole work (~0.1 ms for 3 MiB of weights) is then comparable to the ~150 hand-offs
    // to the pool per token, and a pool thread that the OS deschedules (a GUI thread busy on
    // the same cores) stalls every one of them. Measured on 2 cores (AMD EPYC Zen 5), built-in
    // model (2.7 MiB per token), tern-app-bench with 2 threads, before/after alternated: the whole
    // app decoding 1,805 and 1,769 tok/s before, 7,804 and 8,061 after (4.4x; the engine alone
    // on an idle machine: 2 threads 4,100-9,200 tok/s from run to run, 1 thread ~8,200-9,600).
    // bitnet.cpp's tiny 2B4T file (35.5 MiB per token): 2 threads 1.5x faster than 1.
    static constexpr uint64_t kSerialDecodeBytes = 8ull << 20;
    std::unique_ptr<ThreadPool> serial_pool_;
    ThreadPool& pool_for(int n_tokens) const {
        return n_tokens == 1 && serial_pool_ ? *serial_pool_ : *pool_;
    }
    mutable std::mutex forward_mutex_;
};

}  // namespace tern
