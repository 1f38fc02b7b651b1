// Model loading: architectures, configuration, and clear errors for files that cannot run.
#include "engine/error.h"
#include "engine/gguf_reader.h"
#include "engine/gguf_writer.h"
#include "engine/model.h"
#include "engine/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

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
