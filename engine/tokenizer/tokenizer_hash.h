#pragma once
// Flat open-addressing hash tables for the tokenizers' two hot lookups. std::unordered_map
// allocates one node per entry and chases pointers on every probe; with 128,256 tokens and
// 280,147 merges that made loading the LLaMA 3 vocabulary take about half a second. These
// tables are one array each, probed linearly, and build in a fraction of that.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern {

// Token text -> id. The texts are not copied: the index refers to the vector it was built
// from, which must outlive it and not change.
class TokenIndex {
public:
    // Later duplicates of a text win (as in llama.cpp).
    void build(const std::vector<std::string>& texts);
    int32_t find(std::string_view text) const;  // -1 if absent

private:
    struct Slot {
        uint32_t hash;  // low bits of the full hash, to skip most string compares
        int32_t id;     // -1: empty
    };
    std::vector<Slot> slots_;
    size_t mask_ = 0;
    const std::vector<std::string>* texts_ = nullptr;
};

// (left id, right id) -> (merge rank, merged token id).
class MergeTable {
public:
    struct Entry {
        uint64_t key;  // left << 32 | right; kEmpty for an unused slot
        uint32_t rank;
        int32_t result;
    };
    void reserve(size_t n);
    // Keeps an existing entry (the lower rank, since merges are inserted in rank order).
    void insert(int32_t left, int32_t right, uint32_t rank, int32_t result);
    const Entry* find(int32_t left, int32_t right) const;  // nullptr if absent
    size_t size() const { return size_; }

private:
    static constexpr uint64_t kEmpty = ~uint64_t{0};
    static uint64_t key_of(int32_t l, int32_t r) {
        return (uint64_t{static_cast<uint32_t>(l)} << 32) | static_cast<uint32_t>(r);
    }
    void grow();
    std::vector<Entry> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace tern
