// Memory of a loaded model (Tern issue 15, item 2): matrices the kernels read in the file's own
// layout are computed from the mapping in place, pages of tensors copied (repacked) out of the
// file are released, and the logits are exactly those of the path that copies everything.
#include "engine/gguf/gguf_reader.h"
#include "engine/model/model.h"
#include "engine/model/model_inspect.h"
#include "engine/chat/session.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using namespace tern;

namespace {

const std::vector<int32_t> kTokens = {128000, 791, 6864, 315, 9822, 374, 12366, 13, 578, 4062, 14198};

// These tests pin the layout without output screening (the output matrix repacked, read whole
// every token); the screened layout (the output matrix mapped, a Q8_0 copy owned) is tested in
// test_screening.cpp.
LoadOptions unscreened(int threads) {
    LoadOptions o = tern_test::threads(threads);
    o.output_screening = false;
    return o;
}

std::string official_tiny() { return tern_test::data_dir() + "/models/bitnetcpp-2b4t-tiny-i2_s.gguf"; }

LoadOptions copy_everything() {
    LoadOptions o = unscreened(2);
    o.map_in_place = false;  // the old path: every matrix copied, the F16 embedding repacked
    return o;
}

#if defined(__linux__)
// Resident bytes of the mapping that contains p, from /proc/self/smaps (-1 if not found).
int64_t resident_bytes_of_mapping(const void* p) {
    std::ifstream in("/proc/self/smaps");
    std::string line;
    bool inside = false;
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    while (std::getline(in, line)) {
        unsigned long long lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%llx-%llx ", &lo, &hi) == 2 && line.find(':') > line.find(' ')) {
            inside = a >= lo && a < hi;
            continue;
        }
        unsigned long long kb = 0;
        if (inside && std::sscanf(line.c_str(), "Rss: %llu kB", &kb) == 1) return (int64_t)kb * 1024;
    }
    return -1;
}
#endif

}  // namespace

TEST_CASE("an embedding only looked up is used from the mapping in place", "[memory]") {
    // The tiny llama model has an F16 token_embd (looked up) and a separate F16 output.weight.
    const std::string path = tern_test::tiny_model("llama", GgmlType::TQ2_0);
    const GgufFile f = GgufFile::open(path);
    const GgufTensorInfo& embd = f.get_tensor("token_embd.weight");
    REQUIRE(embd.type == GgmlType::F16);
    REQUIRE(f.find_tensor("output.weight") != nullptr);

    // The inspection's figures: the embedding moves from the layers' own memory to the mapping;
    // what the model needs stays the same.
    const ModelInspection in_place = inspect_model(f, unscreened(2));
    const ModelInspection copied = inspect_model(f, copy_everything());
    CHECK(in_place.mapped_bytes == embd.nbytes);
    CHECK(in_place.copied_bytes == 0);
    CHECK(in_place.owned_bytes + embd.nbytes == copied.owned_bytes);
    CHECK(copied.mapped_bytes == 0);
    CHECK(in_place.weight_memory + embd.nbytes == copied.weight_memory);
    CHECK(in_place.memory_needed() == copied.memory_needed());
    for (const InspectedTensor& t : in_place.tensors)
        if (tensor_kind_is_matrix(t.plan.kind)) CHECK(t.in_place == (t.plan.kind == TensorKind::TokenEmbd));

    const auto a = Model::load(path, unscreened(2));
    const auto b = Model::load(path, copy_everything());
    const Linear& ea = a->token_embd();
    CHECK(a->in_mapping(ea.weight_data(), ea.weight_bytes()));
    CHECK(a->mapped_weight_bytes() == embd.nbytes);
    CHECK(b->mapped_weight_bytes() == 0);
    CHECK_FALSE(b->in_mapping(b->token_embd().weight_data(), 1));
    // The same bytes, but for R4's padding of the rows to a multiple of four.
    CHECK(b->weight_bytes_total() - a->weight_bytes_total() == (uint64_t)((ea.out() + 3) / 4 * 4 - ea.out()) * ea.in() * 2);

    Session sa(*a), sb(*b);
    CHECK(sa.logits_all({1, 5, 9, 2, 258}) == sb.logits_all({1, 5, 9, 2, 258}));
    std::vector<float> row_a(ea.in()), row_b(ea.in());
    for (int64_t r : {int64_t{0}, int64_t{7}, ea.out() - 1}) {
        ea.dequantize_row(r, row_a.data());
        b->token_embd().dequantize_row(r, row_b.data());
        CHECK(row_a == row_b);
    }
}

TEST_CASE("a tied F16 output matrix is repacked, and its file rows give the same logits", "[memory]") {
    const std::string path = official_tiny();
    const GgufFile f = GgufFile::open(path);
    REQUIRE(f.get_tensor("token_embd.weight").type == GgmlType::F16);
    REQUIRE(f.find_tensor("output.weight") == nullptr);  // tied, as 2B4T
    // Read whole every token, the output matrix is repacked for the kernel (R4), its file pages
    // released: nothing stays mapped.
    const auto a = Model::load(path, unscreened(2));
    CHECK(a->mapped_weight_bytes() == 0);
    CHECK_FALSE(a->in_mapping(a->token_embd().weight_data(), 1));
    CHECK(inspect_model(f, unscreened(2)).mapped_bytes == 0);
    // Without repacking it is used from the mapping in place, in the file's rows: the F16 kernel
    // sums those exactly as it sums R4, so the logits are the same to the bit, for a prompt (GEMM)
    // and for the last position alone.
    LoadOptions rows = unscreened(2);
    rows.repack = false;
    const auto b = Model::load(path, rows);
    CHECK(b->in_mapping(b->token_embd().weight_data(), b->token_embd().weight_bytes()));
    Session sa(*a), sb(*b);
    CHECK(sa.logits_all(kTokens) == sb.logits_all(kTokens));
    CHECK(sa.logits_all({kTokens[0]}) == sb.logits_all({kTokens[0]}));
}

TEST_CASE("computing from the mapping on request still maps every matrix", "[memory]") {
    const std::string path = official_tiny();
    LoadOptions mapped = unscreened(2);
    mapped.use_mmap = true;
    const auto m = Model::load(path, mapped);
    const ModelInspection in = inspect_model(GgufFile::open(path), mapped);
    CHECK(in.weight_memory == 0);
    CHECK(in.mapped_bytes == in.matrix_file_bytes);
    CHECK(m->mapped_weight_bytes() == in.matrix_file_bytes);
    CHECK(m->in_mapping(m->token_embd().weight_data(), m->token_embd().weight_bytes()));
    const auto b = Model::load(path, copy_everything());
    Session sa(*m), sb(*b);
    CHECK(sa.logits_all(kTokens) == sb.logits_all(kTokens));
}

TEST_CASE("matrices no layer repacks are used in place, not copied", "[memory]") {
    // Without repacking every matrix (ternary and F16) is computed in the file's layout.
    for (const std::string& path : {tern_test::tiny_model("bitnet-b1.58"), tern_test::tiny_model("llama", GgmlType::TQ2_0)}) {
        INFO(path);
        LoadOptions no_repack = unscreened(1);
        no_repack.repack = false;
        LoadOptions no_repack_copy = no_repack;
        no_repack_copy.map_in_place = false;
        const ModelInspection in = inspect_model(GgufFile::open(path), no_repack);
        CHECK(in.copied_bytes == 0);
        CHECK(in.owned_bytes == 0);
        CHECK(in.mapped_bytes == in.matrix_file_bytes);
        const auto a = Model::load(path, no_repack);
        const auto b = Model::load(path, no_repack_copy);
        CHECK(a->mapped_weight_bytes() == in.matrix_file_bytes);
        CHECK(b->mapped_weight_bytes() == 0);
        Session sa(*a), sb(*b);
        CHECK(sa.logits_all({1, 5, 9, 2}) == sb.logits_all({1, 5, 9, 2}));
    }
}

#if defined(__linux__)
TEST_CASE("pages of tensors copied out of the mapping are released", "[memory]") {
    // The tiny llama model: its F16 embedding (132 KB) stays mapped, untouched until a token is
    // looked up; the header, the ternary layers and the repacked output matrix (~0.45 MB), all
    // read while loading, are released.
    const std::string path = tern_test::tiny_model("llama", GgmlType::TQ2_0);
    const auto m = Model::load(path, unscreened(2));
    REQUIRE(m->mapped_weight_bytes() > 0);
    const int64_t rss = resident_bytes_of_mapping(m->token_embd().weight_data());
    INFO("mapping resident after load: " << rss << " bytes");
    REQUIRE(rss >= 0);
    CHECK(rss < 64 * 1024);
    // Looking up four tokens makes their rows resident, not the whole embedding.
    Session s(*m);
    s.logits_all({1, 5, 9, 2});
    const int64_t after = resident_bytes_of_mapping(m->token_embd().weight_data());
    INFO("after a forward pass: " << after << " bytes");
    CHECK(after > 0);
    CHECK(after < (int64_t)m->token_embd().weight_bytes() / 2);
}
#endif
