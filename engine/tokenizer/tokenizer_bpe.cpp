#include "engine/tokenizer/tokenizer_bpe.h"

#include "engine/error.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/tokenizer/unicode.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace tern {

namespace {

constexpr const char* kMergesKey = "tokenizer.ggml.merges";
constexpr int32_t kLlama3VocabSize = 128256;

struct ByteAlphabet {
    std::array<uint32_t, 256> to_cp{};
    std::array<int16_t, 324> to_byte{};  // code points 0..U+0143
    ByteAlphabet() {
        to_byte.fill(-1);
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
            to_cp[b] = printable ? static_cast<uint32_t>(b) : next++;
            to_byte[to_cp[b]] = static_cast<int16_t>(b);
        }
    }
};

const ByteAlphabet& alphabet() {
    static const ByteAlphabet a;
    return a;
}

// tokenizer.ggml.pre names whose models were trained with the LLaMA 3 split (llama.cpp maps
// the same names to its LLAMA3 pre-tokenizer and sets ignore_merges for them).
bool is_llama3_pre(const std::string& pre) {
    return pre == "llama-bpe" || pre == "llama3" || pre == "llama-v3" || pre == "falcon3";
}

}  // namespace

uint32_t gpt2_byte_to_codepoint(uint8_t byte) { return alphabet().to_cp[byte]; }

int gpt2_codepoint_to_byte(uint32_t cp) {
    return cp < alphabet().to_byte.size() ? alphabet().to_byte[cp] : -1;
}

BpeTokenizer::BpeTokenizer(const GgufFile& file) : Tokenizer(file) {
    // Pre-tokenizer choice: an explicit LLaMA 3 name; otherwise GPT-2's rule, except that a file
    // without the key but with LLaMA 3's 128,256-token vocabulary (the official BitNet b1.58 2B4T
    // GGUF) gets the LLaMA 3 rule, which is what its tokenizer was trained with. Unknown names
    // fall back to GPT-2 rather than refusing the model.
    const std::optional<std::string> pre = file.get_string_opt("tokenizer.ggml.pre");
    const bool llama3 = pre ? is_llama3_pre(*pre) : vocab_.size() == kLlama3VocabSize;
    pre_ = llama3 ? PreTokenizerKind::Llama3 : PreTokenizerKind::Gpt2;
    ignore_merges_ = llama3;
    pre_name_ = pre_tokenizer_name(pre_);
    add_bos_ = vocab_.add_bos_key().value_or(llama3);

    for (int b = 0; b < 256; ++b) {
        byte_text_[b].clear();
        utf8_append(byte_text_[b], gpt2_byte_to_codepoint(static_cast<uint8_t>(b)));
        byte_token_[b] = vocab_.find(byte_text_[b]).value_or(-1);
    }
    const GgufValue* merges = file.find(kMergesKey);
    if (!merges) throw Error(fmt::format("{} is missing: a 'gpt2' tokenizer needs its merges", kMergesKey));
    load_merges(*merges);
}

void BpeTokenizer::load_merges(const GgufValue& merges) {
    if (merges.type() != GgufValueType::ARRAY || merges.array_type() != GgufValueType::STRING)
        throw Error(fmt::format("{} must be an array of strings", kMergesKey));
    const std::vector<std::string>& list = merges.as_string_array();
    merges_.reserve(list.size());
    std::string joined;  // reused: no allocation per merge once it has grown
    for (size_t rank = 0; rank < list.size(); ++rank) {
        const std::string_view m = list[rank];
        // Search from 1 so that a merge whose left part is a literal space still splits right.
        const size_t sp = m.find(' ', 1);
        if (sp == std::string_view::npos)
            throw Error(fmt::format("{}[{}] = '{}' is not of the form 'left right'", kMergesKey, rank, m));
        const std::string_view left = m.substr(0, sp), right = m.substr(sp + 1);
        const auto l = vocab_.find(left), r = vocab_.find(right);
        joined.assign(left).append(right);
        const auto result = vocab_.find(joined);
        // Hugging Face refuses such merges at load; skipping them keeps broken files usable.
        if (!l || !r || !result) continue;
        // The first (lowest-rank) entry of a duplicated merge is kept.
        merges_.insert(*l, *r, static_cast<uint32_t>(rank), *result);
    }
}

struct BpeTokenizer::Scratch {
    struct Symbol {
        int32_t id;
        int32_t prev, next;  // neighbours in the linked list; -1 at the ends
    };
    struct Candidate {
        uint32_t rank;
        int32_t left, right;           // symbol positions
        int32_t left_id, right_id;     // their ids when queued, to detect stale entries
        int32_t result;
        bool operator>(const Candidate& o) const {
            return rank != o.rank ? rank > o.rank : left > o.left;
        }
    };
    std::vector<Symbol> symbols;
    std::vector<Candidate> heap;
    std::string spelled;
};

void BpeTokenizer::encode_text(std::string_view text, bool, std::vector<int32_t>& out) const {
    Scratch scratch;
    for (std::string_view word : pre_tokenize(text, pre_)) encode_word(word, scratch, out);
}

void BpeTokenizer::encode_word(std::string_view word, Scratch& s, std::vector<int32_t>& out) const {
    if (ignore_merges_ && word.size() > 1) {
        s.spelled.clear();
        for (char c : word) s.spelled += byte_text_[static_cast<uint8_t>(c)];
        if (auto id = vocab_.find(s.spelled); id && !vocab_.is_boundary(*id)) {
            out.push_back(*id);
            return;
        }
    }
    // One symbol per byte, then merge the lowest-ranked adjacent pair (leftmost on ties) until no
    // pair has a merge. A heap of candidates with lazy invalidation makes this O(n log n) even
    // for very long words (e.g. a run of 100k letters with no spaces).
    auto& sym = s.symbols;
    sym.clear();
    for (size_t i = 0; i < word.size(); ++i) {
        const int32_t n = static_cast<int32_t>(i);
        sym.push_back({byte_token_[static_cast<uint8_t>(word[i])], n - 1,
                       i + 1 < word.size() ? n + 1 : -1});
    }
    auto& heap = s.heap;
    heap.clear();
    const std::greater<Scratch::Candidate> cmp;
    auto push = [&](int32_t left, int32_t right) {
        if (left < 0 || right < 0) return;
        const MergeTable::Entry* m = merges_.find(sym[left].id, sym[right].id);
        if (!m) return;
        heap.push_back({m->rank, left, right, sym[left].id, sym[right].id, m->result});
        std::push_heap(heap.begin(), heap.end(), cmp);
    };
    for (int32_t i = 0; i + 1 < static_cast<int32_t>(sym.size()); ++i) push(i, i + 1);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), cmp);
        const Scratch::Candidate c = heap.back();
        heap.pop_back();
        Scratch::Symbol& l = sym[c.left];
        // Stale if either side was merged away or changed since it was queued.
        if (l.id != c.left_id || l.next != c.right || sym[c.right].id != c.right_id) continue;
        l.id = c.result;
        Scratch::Symbol& r = sym[c.right];
        r.id = -2;  // dead
        l.next = r.next;
        if (r.next >= 0) sym[r.next].prev = c.left;
        push(l.prev, c.left);
        push(c.left, l.next);
    }
    for (int32_t i = 0; i >= 0 && i < static_cast<int32_t>(sym.size()); i = sym[i].next) {
        if (sym[i].id >= 0) {
            out.push_back(sym[i].id);
        } else if (vocab_.unk_id() >= 0) {
            out.push_back(vocab_.unk_id());  // a byte missing from a broken vocabulary
        }
    }
}

std::string BpeTokenizer::token_bytes(int32_t id) const {
    check_id(id);
    const std::string& text = vocab_.text(id);
    // Markup and added tokens are stored as plain text, not in the byte alphabet.
    const TokenType t = vocab_.type(id);
    if (t == TokenType::Control || t == TokenType::Unknown || t == TokenType::UserDefined) return text;
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t start = pos;
        const uint32_t cp = utf8_next(text, pos);
        const int b = gpt2_codepoint_to_byte(cp);
        if (b >= 0) {
            out += static_cast<char>(b);
        } else {
            out.append(text, start, pos - start);  // not in the alphabet: keep as written
        }
    }
    return out;
}

}  // namespace tern
