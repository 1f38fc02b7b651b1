#include "tests/engine/test_tokenizer_fixtures.h"

#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/hf_tokenizer_import.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace tern_test {

namespace {

std::vector<std::string> split(const std::string& s, const std::string& sep) {
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        const size_t hit = s.find(sep, pos);
        if (hit == std::string::npos) {
            out.push_back(s.substr(pos));
            return out;
        }
        out.push_back(s.substr(pos, hit - pos));
        pos = hit + sep.size();
    }
}

struct Loaded {
    std::unique_ptr<tern::GgufFile> file;
    std::unique_ptr<tern::Tokenizer> tok;
    double seconds = 0;
};

Loaded load(const std::string& path) {
    const auto t0 = std::chrono::steady_clock::now();
    Loaded l;
    l.file = std::make_unique<tern::GgufFile>(tern::GgufFile::open(path));
    l.tok = tern::Tokenizer::from_gguf(*l.file);
    l.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return l;
}

bool file_exists(const std::string& p) { return std::ifstream(p).good(); }

const Loaded& llama3_loaded() {
    static std::once_flag once;
    static Loaded loaded;
    std::call_once(once, [] {
        std::string path = work_dir() + "/llama3-vocab.gguf";
        if (!file_exists(path)) {
            // No ctest fixture (e.g. the test binary run by hand): convert it ourselves, under a
            // per-process name so that parallel test processes do not write the same file.
            const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
            path = work_dir() + "/llama3-vocab-tokenizer-test-" + std::to_string(stamp) + ".gguf";
            tern::GgufWriter w;
            w.add("general.architecture", tern::GgufValue::str("llama"));
            tern::import_hf_tokenizer(data_dir() + "/tokenizer/llama3-tokenizer.json", w);
            w.write(path);
        }
        loaded = load(path);
        // The mapping stays valid after the name is gone (POSIX); elsewhere the remove fails
        // harmlessly and the file stays in the work folder.
        if (path != work_dir() + "/llama3-vocab.gguf") std::remove(path.c_str());
    });
    return loaded;
}

}  // namespace

const tern::Tokenizer& llama3_tokenizer() { return *llama3_loaded().tok; }
double llama3_load_seconds() { return llama3_loaded().seconds; }
const tern::GgufFile& llama3_gguf() { return *llama3_loaded().file; }

const tern::Tokenizer& gpt2_tokenizer() {
    static const Loaded l = load(data_dir() + "/tokenizer/gpt-2.gguf");
    return *l.tok;
}

const tern::Tokenizer& spm_tokenizer() {
    static const Loaded l = load(data_dir() + "/tokenizer/llama-spm.gguf");
    return *l.tok;
}

std::vector<VocabCase> read_vocab_cases(const std::string& stem) {
    const std::string dir = data_dir() + "/tokenizer/";
    const std::vector<std::string> inputs = split(read_file(dir + stem + ".inp"), "\n__ggml_vocab_test__\n");
    const std::vector<std::string> outputs = split(read_file(dir + stem + ".out"), "\n");
    REQUIRE(inputs.size() == outputs.size());
    std::vector<VocabCase> cases;
    for (size_t i = 0; i < inputs.size(); ++i) {
        VocabCase c;
        c.input = inputs[i];
        std::istringstream ss(outputs[i]);
        int32_t id;
        while (ss >> id) c.expected.push_back(id);
        cases.push_back(std::move(c));
    }
    return cases;
}

}  // namespace tern_test
