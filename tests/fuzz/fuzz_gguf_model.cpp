// Hostile model files through everything a GGUF reaches: GgufFile::open (header validation),
// Model::load (configuration, tokenizer, weights, repacking) and, when the file loads, a few
// tokens of greedy generation, which runs the forward pass and the kernels on the weights read.
// The engine promises a tern::Error for any bad file, never a crash, an over-read or a giant
// allocation (gguf_reader.h), so only tern::Error is caught here: anything else (another
// exception, a sanitizer report, an allocation above -malloc_limit_mb) is a finding.
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/model/model.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string& path = tern_fuzz::scratch_path("model.gguf");
    tern_fuzz::write_file(path, data, size);
    try {
        // The reader on its own first: most mutated inputs stop here, and a file that opens must
        // answer every accessor on every tensor without throwing anything but tern::Error.
        {
            tern::GgufFile f = tern::GgufFile::open(path);
            for (const tern::GgufTensorInfo& t : f.tensors()) (void)f.tensor_data(t);
        }
        tern::LoadOptions options;
        options.n_threads = 1;  // deterministic, and the fuzzer runs one job per core
        // Both weight paths, chosen by a bit the mutator flips often: the mmapped file's own
        // layout, and the default copy with repacking into the kernels' interleaved layouts.
        options.use_mmap = (size & 1) != 0;
        std::unique_ptr<tern::Model> model = tern::Model::load(path, options);

        tern::SessionOptions so;
        so.n_ctx = 32;  // bounds the KV cache whatever context_length the file claims
        tern::Session session(*model, so);
        tern::GenerateParams params;
        params.max_tokens = 4;
        params.sampling.temperature = 0;  // greedy: no randomness between runs of one input
        params.sampling.seed = 1;
        std::vector<int32_t> prompt = model->tokenizer().encode("once upon a time", true, true);
        if (prompt.empty()) prompt.push_back(0);  // a vocabulary may encode the text to nothing
        const tern::GenerateResult r = session.generate(prompt, params);
        for (int32_t id : r.tokens)
            if (id < 0 || id >= model->tokenizer().n_vocab()) std::abort();  // sampled outside the vocabulary
    } catch (const tern::Error&) {
        // Rejected cleanly: what a bad file must get.
    }
    return 0;
}
