#pragma once
// Vocabularies shared by the tokenizer tests, each loaded once per test process.
#include "engine/gguf/gguf_reader.h"
#include "engine/tokenizer/tokenizer.h"

#include <string>
#include <vector>

namespace tern_test {

// LLaMA 3 (128,256 tokens): $TERN_TEST_WORK/llama3-vocab.gguf from the ctest fixture, or, when
// that is missing, converted here from data_dir()/tokenizer/llama3-tokenizer.json.
const tern::Tokenizer& llama3_tokenizer();
// Seconds GgufFile::open + Tokenizer::from_gguf took for the LLaMA 3 vocabulary.
double llama3_load_seconds();
// The GGUF the LLaMA 3 tokenizer was loaded from (the fixture's file or the one converted here).
const tern::GgufFile& llama3_gguf();
const tern::Tokenizer& gpt2_tokenizer();  // data_dir()/tokenizer/gpt-2.gguf
const tern::Tokenizer& spm_tokenizer();   // data_dir()/tokenizer/llama-spm.gguf

struct VocabCase {
    std::string input;
    std::vector<int32_t> expected;
};
// Reads data_dir()/tokenizer/<stem>.inp/.out (format: shared/data/README.md). Every piece of
// the .inp split pairs with one .out line, including the empty piece after the final separator.
std::vector<VocabCase> read_vocab_cases(const std::string& stem);

}  // namespace tern_test
