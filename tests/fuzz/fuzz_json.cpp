// Model JSON files (json_file.h: nlohmann-json behind a nesting bound) on hostile documents:
// parsing must return a value or throw JsonError, whose offset lies inside the input (or at its
// end), never crash. No array or object of a parsed value may be nested deeper than max_depth
// (a top-level container is level 1); the value is walked through the typed accessors and must
// survive a dump and a re-parse unchanged. The first byte picks max_depth (1..64, or the
// default) so that the depth bound itself is exercised at every level.
#include "engine/error.h"
#include "engine/tokenizer/json_file.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

// Every accessor on every value: the right one must succeed, the others throw tern::Error.
template <class F>
void must_throw(F&& f) {
    try {
        f();
    } catch (const tern::Error&) {
        return;
    }
    std::abort();
}

void walk(const nlohmann::json& v, int depth, int max_depth) {
    if (v.is_structured() && ++depth > max_depth) std::abort();  // the bound did not hold
    (void)tern::json_type_name(v);
    if (v.is_boolean()) (void)tern::json_bool(v);
    else must_throw([&] { tern::json_bool(v); });
    if (v.is_number()) (void)tern::json_number(v);
    else must_throw([&] { tern::json_number(v); });
    if (v.is_string()) (void)tern::json_string(v);
    else must_throw([&] { tern::json_string(v); });
    if (v.is_number_integer()) {
        try {
            (void)tern::json_int(v);
        } catch (const tern::Error&) {
            if (!v.is_number_unsigned()) std::abort();  // only beyond int64 may fail
        }
    } else {
        must_throw([&] { tern::json_int(v); });
    }
    if (v.is_array()) {
        for (const nlohmann::json& item : tern::json_array(v)) walk(item, depth, max_depth);
    } else if (v.is_object()) {
        for (const auto& [key, value] : tern::json_object(v).items()) {
            if (tern::json_find(v, key.c_str()) == nullptr && key.find('\0') == std::string::npos) std::abort();
            walk(value, depth, max_depth);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int max_depth = data[0] < 64 ? data[0] + 1 : tern::kJsonDefaultMaxDepth;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    nlohmann::json v;
    try {
        v = tern::parse_json(text, max_depth);
    } catch (const tern::JsonError& e) {
        if (e.offset() > text.size()) std::abort();  // the error must point into the input
        return 0;
    }
    walk(v, 0, max_depth);
    // What was parsed can be written and read back (dump and compare recurse: bounded above).
    if (tern::parse_json(v.dump(), max_depth) != v) std::abort();
    return 0;
}
