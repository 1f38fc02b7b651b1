#include "engine/tokenizer/tokenizer_hash.h"

#include "kernels/splitmix64.h"

#include <functional>

namespace tern {

namespace {

// Smallest power of two >= 2n (load factor <= 0.5 keeps linear probes short), at least 16.
size_t table_size(size_t n) {
    size_t s = 16;
    while (s < 2 * n) s *= 2;
    return s;
}

}  // namespace

void TokenIndex::build(const std::vector<std::string>& texts) {
    texts_ = &texts;
    slots_.assign(table_size(texts.size()), Slot{0, -1});
    mask_ = slots_.size() - 1;
    const std::hash<std::string_view> hasher;
    for (size_t id = 0; id < texts.size(); ++id) {
        const std::string_view t = texts[id];
        const size_t h = hasher(t);
        for (size_t i = h & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (s.id < 0) {
                s = {static_cast<uint32_t>(h), static_cast<int32_t>(id)};
                break;
            }
            if (s.hash == static_cast<uint32_t>(h) && texts[static_cast<size_t>(s.id)] == t) {
                s.id = static_cast<int32_t>(id);  // duplicate text: the later id wins
                break;
            }
        }
    }
}

int32_t TokenIndex::find(std::string_view text) const {
    if (slots_.empty()) return -1;
    const size_t h = std::hash<std::string_view>()(text);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.id < 0) return -1;
        if (s.hash == static_cast<uint32_t>(h) && (*texts_)[static_cast<size_t>(s.id)] == text) return s.id;
    }
}

void MergeTable::reserve(size_t n) {
    if (table_size(n) <= slots_.size()) return;
    std::vector<Entry> old = std::move(slots_);
    slots_.assign(table_size(n), Entry{kEmpty, 0, 0});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Entry& e : old)
        if (e.key != kEmpty) insert(static_cast<int32_t>(e.key >> 32), static_cast<int32_t>(e.key & 0xFFFFFFFFu), e.rank, e.result);
}

void MergeTable::grow() { reserve(slots_.empty() ? 8 : slots_.size()); }

void MergeTable::insert(int32_t left, int32_t right, uint32_t rank, int32_t result) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    const uint64_t key = key_of(left, right);
    for (size_t i = splitmix64_mix(key) & mask_;; i = (i + 1) & mask_) {
        Entry& e = slots_[i];
        if (e.key == key) return;
        if (e.key == kEmpty) {
            e = {key, rank, result};
            ++size_;
            return;
        }
    }
}

const MergeTable::Entry* MergeTable::find(int32_t left, int32_t right) const {
    if (slots_.empty() || left < 0 || right < 0) return nullptr;
    const uint64_t key = key_of(left, right);
    for (size_t i = splitmix64_mix(key) & mask_;; i = (i + 1) & mask_) {
        const Entry& e = slots_[i];
        if (e.key == key) return &e;
        if (e.key == kEmpty) return nullptr;
    }
}

}  // namespace tern
