#pragma once
// Internal: the generated code point class table (engine/tokenizer/unicode_tables.cpp, produced by
// engine/tokenizer/gen_unicode_tables.py). Use the functions in engine/tokenizer/unicode.h instead.
#include <cstddef>
#include <cstdint>

namespace tern::unicode_detail {

// Code points from `first` up to the next run's `first` share `flags` (kCp* bits of unicode.h).
struct UnicodeRun {
    uint32_t first;
    uint8_t flags;
};

extern const UnicodeRun kUnicodeRuns[];
extern const size_t kUnicodeRunCount;
extern const char* const kUnicodeVersion;

}  // namespace tern::unicode_detail
