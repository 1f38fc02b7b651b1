// Hugging Face tokenizer.json files through the importer (hf_tokenizer_import.h), which reads
// downloaded files: anything it cannot convert must be a tern::Error. What it does convert must
// be a vocabulary the engine accepts, so the metadata is written as a GGUF and loaded as a
// Tokenizer, which then encodes and decodes a fixed text (the importer and the tokenizer must
// agree on what a valid vocabulary is; a rejection there is a tern::Error too, and allowed).
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/hf_tokenizer_import.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

#include <cstdint>
#include <cstdlib>
#include <memory>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The name ends in "tokenizer.json" like the real files; no tokenizer_config.json lies
    // beside it, so BOS/EOS come from the usual texts.
    const std::string& json_path = tern_fuzz::scratch_path("tokenizer.json");
    tern_fuzz::write_file(json_path, data, size);
    tern::GgufWriter w;
    try {
        tern::import_hf_tokenizer(json_path, w);
    } catch (const tern::Error&) {
        return 0;
    }
    try {
        const std::string& gguf_path = tern_fuzz::scratch_path("imported-vocab.gguf");
        w.write(gguf_path);
        tern::GgufFile f = tern::GgufFile::open(gguf_path);
        std::unique_ptr<tern::Tokenizer> tok = tern::Tokenizer::from_gguf(f);
        const std::string text = "Hello, world! <|eot_id|> 123 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\xA6\x99";
        const std::vector<int32_t> ids = tok->encode(text, true, true);
        for (int32_t id : ids)
            if (id < 0 || id >= tok->n_vocab()) std::abort();  // an id outside the vocabulary
        (void)tok->decode(ids);
    } catch (const tern::Error&) {
        // A vocabulary the importer wrote but the tokenizer refuses (e.g. a byte without a
        // token): allowed, it is reported to the user as an error.
    }
    return 0;
}
