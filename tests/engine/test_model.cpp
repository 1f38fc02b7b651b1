// Model loading and inspection: architectures, configuration, and clear errors for files that
// cannot run, the same from inspect_model as from Model::load.
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model.h"
#include "engine/model/model_inspect.h"
#include "engine/model/model_limits.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>

using namespace tern;

namespace {

// Rewrites a model with one change made to its metadata or tensors.
std::string variant(const std::string& name, const std::function<void(GgufWriter&, const GgufFile&)>& edit,
                    const std::function<bool(const std::string&)>& keep_tensor = {}) {
    GgufFile f = GgufFile::open(tern_test::tiny_model());
    GgufWriter w;
    for (const auto& kv : f.metadata()) w.add(kv.first, kv.second);
    for (const GgufTensorInfo& t : f.tensors())
        if (!keep_tensor || keep_tensor(t.name)) w.add_tensor(t.name, t.type, t.ne, f.tensor_data(t), t.nbytes);
    edit(w, f);
    const std::string path = tern_test::work_dir() + "/variant-" + name + ".gguf";
    w.write(path);
    return path;
}

std::string load_error(const std::string& path) {
    try {
        Model::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded without error)";
}

}  // namespace

TEST_CASE("tiny synthetic models load with their architecture's settings", "[model]") {
    for (const char* arch : {"bitnet-b1.58", "bitnet", "llama"}) {
        auto m = Model::load(tern_test::tiny_model(arch));
        INFO(arch);
        CHECK(m->arch().name == arch);
        CHECK(m->config().n_embd == 256);
        CHECK(m->config().n_head_kv == 2);
        CHECK(m->config().rope_base == 500000.0f);
        CHECK(m->tied_output() == (std::string(arch) != "llama"));
        CHECK(m->activation() == (std::string(arch) == "bitnet-b1.58" ? FfnActivation::Relu2 : FfnActivation::Silu));
        CHECK(m->chat_format() == ChatFormat::BitNet);  // the BITNET placeholder template
        CHECK(m->weight_bytes_per_token() > 0);
    }
}

TEST_CASE("the older architecture name bitnet-25 loads as bitnet-b1.58", "[model]") {
    std::string path = variant("bitnet25", [](GgufWriter& w, const GgufFile& f) {
        w.add("general.architecture", GgufValue::str("bitnet-25"));
        for (const auto& kv : f.metadata())
            if (kv.first.rfind("bitnet-b1.58.", 0) == 0) w.add("bitnet-25." + kv.first.substr(13), kv.second);
    });
    auto m = Model::load(path);
    CHECK(m->arch().name == "bitnet-b1.58");
    CHECK(m->activation() == FfnActivation::Relu2);
}

TEST_CASE("models that cannot run get errors naming the problem", "[model]") {
    CHECK_THAT(load_error(variant("arch", [](GgufWriter& w, const GgufFile&) {
                   w.add("general.architecture", GgufValue::str("mamba"));
               })),
               Catch::Contains("unsupported model architecture 'mamba'"));
    CHECK_THAT(load_error(variant("missing", [](GgufWriter&, const GgufFile&) {},
                                  [](const std::string& n) { return n != "blk.1.ffn_down.weight"; })),
               Catch::Contains("blk.1.ffn_down.weight"));
    CHECK_THAT(load_error(variant("heads", [](GgufWriter& w, const GgufFile&) {
                   w.add("bitnet-b1.58.attention.head_count", GgufValue::u32(3));
               })),
               Catch::Contains("head_count"));
    CHECK_THAT(load_error(variant("act", [](GgufWriter& w, const GgufFile&) {
                   w.add("bitnet-b1.58.hidden_activation", GgufValue::str("gelu"));
               })),
               Catch::Contains("gelu"));
    CHECK_THAT(load_error(variant("ffn", [](GgufWriter& w, const GgufFile&) {
                   w.add("bitnet-b1.58.feed_forward_length", GgufValue::u32(768));
               })),
               Catch::Contains("blk.0.ffn_"));
    CHECK_THAT(load_error(tern_test::work_dir() + "/does-not-exist.gguf"), Catch::Contains("does-not-exist.gguf"));
    // A truncated copy fails cleanly in the GGUF reader.
    const std::string good = tern_test::read_file(tern_test::tiny_model());
    const std::string cut = tern_test::work_dir() + "/truncated.gguf";
    std::ofstream(cut, std::ios::binary).write(good.data(), (std::streamsize)(good.size() * 2 / 3));
    CHECK_THROWS_AS(Model::load(cut), Error);
}

namespace {

std::string inspect_error(const std::string& path) {
    try {
        inspect_model(GgufFile::open(path));
    } catch (const Error& e) {
        return e.what();
    }
    return "(inspected without error)";
}

}  // namespace

TEST_CASE("inspect_model agrees with what Model::load builds", "[model]") {
    for (const std::string& path :
         {tern_test::builtin_model(), tern_test::tiny_model("bitnet-b1.58"), tern_test::tiny_model("bitnet"),
          tern_test::tiny_model("llama", GgmlType::TQ2_0)}) {
        INFO(path);
        const GgufFile f = GgufFile::open(path);
        LoadOptions copy_all = tern_test::threads(2);
        copy_all.repack = false;  // every matrix in the loader's one copy: its size is exact
        copy_all.map_in_place = false;
        copy_all.output_screening = false;  // no Q8_0 screening copy (test_screening.cpp)
        const ModelInspection in = inspect_model(f, copy_all);
        const auto m = Model::load(path, copy_all);
        CHECK(in.arch == &m->arch());
        CHECK(in.config.n_vocab == m->config().n_vocab);
        CHECK(in.config.n_layer == m->config().n_layer);
        CHECK(in.config.n_ff == m->config().n_ff);
        CHECK(in.config.n_head_kv == m->config().n_head_kv);
        CHECK(in.activation == m->activation());
        CHECK(in.chat_format == m->chat_format());
        CHECK(in.tied_output == m->tied_output());
        CHECK(in.tokenizer->n_vocab() == m->tokenizer().n_vocab());
        // These files hold exactly the tensors of their architecture's plan (with the bitnet
        // architecture's optional scales).
        const auto scales = std::count_if(in.tensors.begin(), in.tensors.end(),
                                          [](const InspectedTensor& t) { return t.scale != nullptr; });
        CHECK(in.tensors.size() + scales == f.tensors().size());
        CHECK((scales > 0) == (m->arch().name == "bitnet"));
        CHECK(in.owned_bytes == 0);
        CHECK(in.weight_memory == in.copied_bytes);
        CHECK(m->weight_bytes_total() == in.copied_bytes);
        CHECK(in.default_context == default_context(*m));
        CHECK(in.kv_cache_bytes == kv_cache_bytes(m->config(), default_context(*m)));
        CHECK(in.mapped_bytes == 0);
        CHECK(in.memory_needed() == in.weight_memory + in.kv_cache_bytes);

        // Repacking moves the matrices into the layers' own memory, except an embedding that is
        // not also the output matrix, used from the mapping in place; computing from the mapping
        // allocates none.
        LoadOptions unscreened;
        unscreened.output_screening = false;
        const ModelInspection repacked = inspect_model(f, unscreened);
        CHECK(repacked.owned_bytes > 0);
        CHECK(repacked.mapped_bytes == (in.tied_output ? 0 : f.get_tensor("token_embd.weight").nbytes));
        CHECK(repacked.owned_bytes + repacked.copied_bytes + repacked.mapped_bytes >= in.matrix_file_bytes);
        LoadOptions mapped;
        mapped.use_mmap = true;
        CHECK(inspect_model(f, mapped).weight_memory == 0);
    }
    const ModelInspection builtin = inspect_model(GgufFile::open(tern_test::builtin_model()));
    CHECK(std::find(builtin.types.begin(), builtin.types.end(), GgmlType::I2_S) != builtin.types.end());
    CHECK(builtin.arch->name == "bitnet-b1.58");
}

TEST_CASE("inspect_model refuses what Model::load refuses, with the same message", "[model]") {
    const std::string missing = variant("no-ffn-down", [](GgufWriter&, const GgufFile&) {},
                                        [](const std::string& n) { return n != "blk.1.ffn_down.weight"; });
    CHECK_THAT(inspect_error(missing), Catch::Contains("lacks the tensor 'blk.1.ffn_down.weight'"));
    CHECK(inspect_error(missing) == load_error(missing));

    // attn_k of a tiny model is [256, 128] (two KV heads of 64).
    const std::string shape = variant(
        "attn-k-shape",
        [](GgufWriter& w, const GgufFile&) {
            w.add_tensor("blk.0.attn_k.weight", GgmlType::F32, {256, 64}, [](uint8_t* p, uint64_t n) { std::memset(p, 0, n); });
        },
        [](const std::string& n) { return n != "blk.0.attn_k.weight"; });
    CHECK_THAT(inspect_error(shape), Catch::Contains("tensor 'blk.0.attn_k.weight' has shape [256, 64], expected [256, 128]"));
    CHECK(inspect_error(shape) == load_error(shape));

    const std::string norm = variant(
        "norm-type",
        [](GgufWriter& w, const GgufFile&) {
            w.add_tensor("blk.1.attn_norm.weight", GgmlType::Q8_0, {256}, [](uint8_t* p, uint64_t n) { std::memset(p, 0, n); });
        },
        [](const std::string& n) { return n != "blk.1.attn_norm.weight"; });
    CHECK_THAT(inspect_error(norm), Catch::Contains("'blk.1.attn_norm.weight' must be f32, f16 or bf16"));
    CHECK(inspect_error(norm) == load_error(norm));

    const std::string arch = variant("arch-inspect", [](GgufWriter& w, const GgufFile&) {
        w.add("general.architecture", GgufValue::str("mamba"));
    });
    CHECK_THAT(inspect_error(arch), Catch::Contains("unsupported model architecture 'mamba'"));
    CHECK(inspect_error(arch) == load_error(arch));
}

TEST_CASE("a model read in a few MiB per token decodes on one thread", "[model]") {
    // The built-in model (2.7 MiB per token): the pool's hand-offs cost more than they gain.
    const auto small = Model::load(tern_test::builtin_model(), tern_test::threads(2));
    CHECK(small->n_threads() == 2);  // prompts still use both
    CHECK(small->decode_threads() == 1);
    const auto tiny = Model::load(tern_test::data_dir() + "/models/bitnetcpp-2b4t-tiny-i2_s.gguf", tern_test::threads(2));
    CHECK(tiny->weight_bytes_per_token() > (8u << 20));
    CHECK(tiny->decode_threads() == 2);
}
