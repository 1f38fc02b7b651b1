// Memory of a loaded model (Tern issue 15, item 2): matrices the kernels read in the file's own
// layout are computed from the mapping in place, pages of tensors copied (repacked) out of the
// file are released, and the logits are exactly those of the path that copies everything.
#include "engine/chat/sampler.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/mapped_file.h"
#include "engine/model/model.h"
#include "engine/model/model_inspect.h"
#include "engine/chat/session.h"
#include "engine/tokenizer/tokenizer.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <algorithm>
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
    // Looking up four tokens reads their rows through the file (MappedFileReader): nothing of the
    // embedding becomes resident (through the mapping, each lookup mapped the page-cache folio
    // around its row: on ext4 with large folios, the whole 132 KB).
    Session s(*m);
    s.logits_all({1, 5, 9, 2});
    const int64_t after = resident_bytes_of_mapping(m->token_embd().weight_data());
    INFO("after a forward pass: " << after << " bytes");
    CHECK(after < 64 * 1024);
}

TEST_CASE("screened decoding keeps the mapped output matrix out of the resident set", "[memory]") {
    // bitnet.cpp's tiny 2B4T-style file: a 64 MiB tied F16 embedding/output matrix, used in place
    // from the mapping with a screening copy.
    const std::string path = tern_test::data_dir() + "/models/bitnetcpp-2b4t-tiny-i2_s.gguf";
    LoadOptions lo = tern_test::threads(2);
    lo.output_screening = true;
    const auto m = Model::load(path, lo);
    REQUIRE(m->can_screen());
    const void* matrix = m->token_embd().weight_data();
    REQUIRE(m->in_mapping(matrix, m->token_embd().weight_bytes()));
    SamplerParams p;
    p.temperature = 0.8f;
    p.top_k = 40;  // ~140 candidate rows per step on this random model
    p.seed = 7;
    SessionOptions so;
    so.n_ctx = 256;
    Session s(*m, so);
    const std::vector<int32_t> prompt = m->tokenizer().encode("The quick brown fox", true, false);
    s.prefill(prompt, {}, &p);
    Sampler sampler(p);
    for (int32_t id : s.tokens()) sampler.accept(id);
    ScreenStats st;
    for (int i = 0; i < 64; ++i) {
        const int32_t id = sampler.sample(s.last_logits().data(), m->tokenizer().n_vocab());
        sampler.accept(id);
        st.add(s.advance(id, sampler));
    }
    CHECK(st.candidates.size() == 64);  // every step screened: thousands of scattered row reads
    // Through the mapping, each candidate row mapped the page-cache folio around it (~850 KiB
    // on ext4 with large folios; 64 KiB of fault-around elsewhere): most of the matrix resident.
    const int64_t after_decode = resident_bytes_of_mapping(matrix);
    INFO("resident bytes of the file after 64 screened steps: " << after_decode);
    CHECK(after_decode < 4 << 20);

    // A full pass (every logit) reads the whole matrix through the mapping; the next screened
    // step gives those pages back.
    (void)s.logits_all(prompt);
    const int64_t after_full = resident_bytes_of_mapping(matrix);
    INFO("after a full pass: " << after_full);
    CHECK(after_full > 32 << 20);
    s.prefill(prompt, {}, &p);
    s.advance(sampler.sample(s.last_logits().data(), m->tokenizer().n_vocab()), sampler);
    const int64_t after_next = resident_bytes_of_mapping(matrix);
    INFO("after the next screened step: " << after_next);
    CHECK(after_next < 4 << 20);
}
#endif

TEST_CASE("a mapped file's bytes read through the file equal the mapping's", "[memory]") {
    const MappedFile f = MappedFile::open(tern_test::data_dir() + "/models/bitnetcpp-2b4t-tiny-i2_s.gguf");
    const std::shared_ptr<const MappedFileReader> reader = f.reader();
#if defined(_WIN32)
    CHECK(reader == nullptr);  // rows are read through the mapping there
#else
    REQUIRE(reader != nullptr);
    for (uint64_t off : {uint64_t(0), uint64_t(4093), f.size() / 2, f.size() - 5120}) {
        std::vector<uint8_t> got(5120);
        REQUIRE(reader->read(f.data() + off, got.size(), got.data()));
        CHECK(std::equal(got.begin(), got.end(), f.data() + off));
    }
    std::vector<uint8_t> buf(64);
    CHECK_FALSE(reader->read(f.data() + f.size() - 10, 64, buf.data()));  // runs past the end
    CHECK_FALSE(reader->read(f.data() - 1, 1, buf.data()));              // before the start
    CHECK(reader->read(f.data() + f.size(), 0, buf.data()));             // empty, at the end
#endif
}
