// tern-convert: writes GGUF files — vocabularies from Hugging Face tokenizers, and synthetic
// models with random ternary weights in real models' layouts.
#include "engine/error.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/tokenizer/hf_tokenizer_import.h"
#include "engine/model/synthetic_model.h"
#include "engine/tools/tool_args.h"

#include <fmt/core.h>

#include <chrono>
#include <cstring>

using namespace tern;

namespace {

const char* kUsage = R"(usage:
  tern-convert vocab TOKENIZER.json OUT.gguf
      vocabulary-only GGUF from a Hugging Face tokenizer.json (byte-level BPE)
  tern-convert synthetic --shape tiny|2b4t --type i2_s|tq1_0|tq2_0
                         [--arch bitnet-b1.58|bitnet|llama] [--seed N] [--vocab FILE.gguf] OUT.gguf
      model with random ternary weights; 2b4t has the official BitNet b1.58 2B4T file's keys,
      tensors, types and shapes (--vocab takes its 128,256-token vocabulary from a GGUF)
  tern-convert --version
)";

GgmlType parse_ternary_type(const std::string& s) {
    if (s == "i2_s") return GgmlType::I2_S;
    if (s == "tq1_0") return GgmlType::TQ1_0;
    if (s == "tq2_0") return GgmlType::TQ2_0;
    throw Error("unknown --type '" + s + "' (use i2_s, tq1_0 or tq2_0)");
}

int run(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!std::strcmp(argv[1], "--version")) { fmt::print("tern-convert {}\n", TERN_VERSION); return 0; }
    const std::string command = argv[1];
    const auto t0 = std::chrono::steady_clock::now();
    if (command == "vocab") {
        tools::Args a(argc - 1, argv + 1, {}, {});
        if (a.positional().size() != 2) throw Error("usage: tern-convert vocab TOKENIZER.json OUT.gguf");
        GgufWriter w;
        w.add("general.architecture", GgufValue::str("vocab-only"));
        import_hf_tokenizer(a.positional()[0], w);
        w.write(a.positional()[1]);
    } else if (command == "synthetic") {
        tools::Args a(argc - 1, argv + 1, {"--shape", "--type", "--arch", "--seed", "--vocab"}, {});
        if (a.positional().size() != 1) throw Error("synthetic needs exactly one output file (see --help)");
        SyntheticOptions o;
        o.shape = a.get_or("--shape", "tiny");
        o.type = parse_ternary_type(a.get_or("--type", "i2_s"));
        o.arch = a.get_or("--arch", "bitnet-b1.58");
        o.seed = (uint64_t)a.get_int("--seed", 1, 0, INT64_MAX);
        o.vocab_path = a.get_or("--vocab", "");
        write_synthetic_model(o, a.positional()[0]);
    } else {
        throw Error("unknown command '" + command + "' (use vocab or synthetic)");
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "wrote {} in {:.1f} s\n", argv[argc - 1], s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) { return tern::tools::run_tool("tern-convert", run, argc, argv); }
