// Sizes a hostile model file claims are range-checked in one place (engine/model/model_limits.h)
// before anything is allocated or indexed: a clear tern::Error naming the tensor or key, never
// a truncated count, a giant copy or an out-of-bounds write.
#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/model.h"
#include "engine/model/model_limits.h"
#include "engine/chat/session.h"
#include "engine/model/system_memory.h"
#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>
#include <winioctl.h>
#endif

using namespace tern;

namespace {

// Grows a file to `size` bytes without writing (or allocating on disk) the new part.
void extend_sparse(const std::string& path, uint64_t size) {
#ifdef _WIN32
    // NTFS allocates clusters for an extended file unless it is marked sparse first.
    HANDLE h = CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    DWORD returned = 0;
    LARGE_INTEGER end;
    end.QuadPart = static_cast<LONGLONG>(size);
    const bool ok = DeviceIoControl(h, FSCTL_SET_SPARSE, nullptr, 0, nullptr, 0, &returned, nullptr) &&
                    SetFilePointerEx(h, end, nullptr, FILE_BEGIN) && SetEndOfFile(h);
    CloseHandle(h);
    REQUIRE(ok);
#else
    std::filesystem::resize_file(path, size);  // ftruncate: a hole, no blocks
#endif
}

// Removes a file when the test ends, pass or fail (the sparse model's apparent size is 16 GiB).
struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() { std::remove(path.c_str()); }
};

std::string bytes_u64(uint64_t v) {
    std::string s;
    for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
    return s;
}

// The crafted file: a llama-architecture model with 2-wide embeddings whose
// token_embd.weight claims 2^32 + n_tokens rows (16 GiB of F16), n_tokens being the size of the
// tokenizer copied from the tiny model. Truncated to int32, that row count reads as n_tokens,
// a perfectly consistent vocabulary. Written with GgufWriter at n_tokens rows, then the row count
// is patched in the header and the file extended sparsely: a few KiB on disk.
std::string huge_vocab_model(const std::string& path) {
    const GgufFile tiny = GgufFile::open(tern_test::tiny_model());
    GgufWriter w;
    const std::string a = "llama.";
    w.add("general.architecture", GgufValue::str("llama"));
    w.add(a + "context_length", GgufValue::u32(16));
    w.add(a + "embedding_length", GgufValue::u32(2));
    w.add(a + "block_count", GgufValue::u32(1));
    w.add(a + "feed_forward_length", GgufValue::u32(2));
    w.add(a + "attention.head_count", GgufValue::u32(1));
    int64_t n_tokens = 0;
    for (const auto& kv : tiny.metadata())
        if (kv.first.rfind("tokenizer.", 0) == 0) {
            w.add(kv.first, kv.second);
            if (kv.first == "tokenizer.ggml.tokens") n_tokens = (int64_t)kv.second.array_size();
        }
    REQUIRE(n_tokens > 0);
    const float ones[2] = {1.0f, 1.0f};
    const float identity[4] = {1.0f, 0.0f, 0.0f, 1.0f};
    w.add_tensor("output_norm.weight", GgmlType::F32, {2}, ones, sizeof ones);
    for (const char* norm : {"attn_norm", "ffn_norm"})
        w.add_tensor(std::string("blk.0.") + norm + ".weight", GgmlType::F32, {2}, ones, sizeof ones);
    for (const char* mat : {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"})
        w.add_tensor(std::string("blk.0.") + mat + ".weight", GgmlType::F32, {2, 2}, identity, sizeof identity);
    w.add_tensor("token_embd.weight", GgmlType::F16, {2, n_tokens}, [](uint8_t*, uint64_t) {});  // last: grows
    w.write(path);

    const GgufFile small = GgufFile::open(path);
    const GgufTensorInfo& embd = small.get_tensor("token_embd.weight");
    const uint64_t rows = (uint64_t{1} << 32) + (uint64_t)n_tokens;
    const uint64_t end = small.data_offset() + embd.offset + rows * 2 * sizeof(uint16_t);

    // Tensor info: name (u64 length + bytes), u32 dim count, u64 dims. Patch ne[1].
    std::string bytes = tern_test::read_file(path);
    const std::string info = bytes_u64(embd.name.size()) + embd.name + std::string("\x02\0\0\0", 4) + bytes_u64(2) +
                             bytes_u64((uint64_t)n_tokens);
    const size_t at = bytes.find(info);
    REQUIRE(at != std::string::npos);
    bytes.replace(at + info.size() - 8, 8, bytes_u64(rows));
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), (std::streamsize)bytes.size());
        REQUIRE(out.good());
    }
    extend_sparse(path, end);
    return path;
}

std::string load_error(const std::string& path, const LoadOptions& options) {
    try {
        Model::load(path, options);
    } catch (const Error& e) {
        return e.what();
    }
    return "(loaded without error)";
}

}  // namespace

TEST_CASE("an embedding claiming 2^32 + n rows is refused, not read as n rows", "[model]") {
    const RemoveOnExit file{tern_test::work_dir() + "/huge-vocab.gguf"};
    huge_vocab_model(file.path);
    // The crafted file is valid GGUF: the reader accepts it, the model's limits must not.
    const GgufFile f = GgufFile::open(file.path);
    CHECK(f.get_tensor("token_embd.weight").ne[1] == (int64_t{1} << 32) + 259);
    CHECK(std::filesystem::file_size(file.path) > (uint64_t{16} << 30));

    SECTION("memory-mapped") {
        LoadOptions o = tern_test::threads(1);
        o.use_mmap = true;
        const std::string msg = load_error(file.path, o);
        INFO(msg);
        CHECK_THAT(msg, Catch::Contains("token_embd.weight") && Catch::Contains("4294967555 rows"));
    }
    SECTION("copied into memory") {
        const std::string msg = load_error(file.path, tern_test::threads(1));
        INFO(msg);
        CHECK_THAT(msg, Catch::Contains("token_embd.weight") && Catch::Contains("4294967555 rows"));
    }
}

TEST_CASE("a model needing more memory than is available is refused before copying", "[model]") {
    LoadOptions o = tern_test::threads(1);
    o.memory_available = 64 * 1024;  // the tiny model's weights take a few hundred KiB
    const std::string msg = load_error(tern_test::tiny_model(), o);
    INFO(msg);
    CHECK_THAT(msg, Catch::Contains("needs 0.") && Catch::Contains("MiB of memory, this computer has 0.1 MiB available"));
    CHECK_THAT(msg, Catch::Contains(tern_test::tiny_model()));
    // With the mapping nothing is copied (the ternary layers compute from the file's layout).
    o.use_mmap = true;
    CHECK_NOTHROW(Model::load(tern_test::tiny_model(), o));
    // The system's own figure lets the tiny model through.
    CHECK_NOTHROW(Model::load(tern_test::tiny_model(), tern_test::threads(1)));
}

TEST_CASE("the system reports available memory", "[model]") {
    const std::optional<uint64_t> avail = available_physical_memory();
    REQUIRE(avail);
    CHECK(*avail > (uint64_t{16} << 20));
}

TEST_CASE("model limits check counts, products and memory", "[model]") {
    CHECK(checked_count("key 'x'", 7, 8) == 7);
    CHECK_THROWS_WITH(checked_count("key 'x'", 0, 8), Catch::Contains("key 'x' has an implausible value 0"));
    CHECK_THROWS_WITH(checked_count("key 'x'", (uint64_t{1} << 32) + 8, limits::kMaxVocab),
                      Catch::Contains("4294967304"));

    ModelConfig c;
    c.n_vocab = 128256;
    c.n_embd = 2560;
    c.n_layer = 30;
    c.n_ff = 6912;
    c.n_head = 20;
    c.n_head_kv = 5;
    c.head_dim = 128;
    c.n_ctx_train = 4096;
    CHECK_NOTHROW(check_model_config(c));
    CHECK(kv_cache_bytes(c, 4096) == 2ull * 30 * 4096 * 5 * 128 * 4);  // 2B4T: 600 MiB
    CHECK_THROWS_WITH(kv_cache_bytes(c, 0), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(kv_cache_bytes(c, limits::kMaxContext + 1), Catch::Contains("out of range"));
    CHECK(logits_bytes(c, 64) == 64ull * 128256 * 4);
    CHECK_THROWS_WITH(logits_bytes(c, uint64_t{1} << 62), Catch::Contains("logits of"));

    ModelConfig bad = c;
    bad.n_vocab = -8;  // what (int32_t)(2^32 - 8) gives
    CHECK_THROWS_WITH(check_model_config(bad), Catch::Contains("vocabulary size"));
    bad = c;
    bad.n_head_kv = 40;
    CHECK_THROWS_WITH(check_model_config(bad), Catch::Contains("head_count_kv"));

    CHECK_NOTHROW(check_fits_in_memory("x", 100, std::nullopt));
    CHECK_NOTHROW(check_fits_in_memory("x", 100, 100));
    CHECK_THROWS_WITH(check_fits_in_memory("loading m.gguf", uint64_t{3} << 30, uint64_t{1} << 30),
                      "loading m.gguf needs 3072.0 MiB of memory, this computer has 1024.0 MiB available");
}

TEST_CASE("a session context out of range is refused before its KV cache is allocated", "[session]") {
    auto model = Model::load(tern_test::tiny_model(), tern_test::threads(1));
    SessionOptions o;
    o.n_ctx = (int32_t)limits::kMaxContext + 1;
    CHECK_THROWS_WITH(Session(*model, o), Catch::Contains("out of range"));
}
