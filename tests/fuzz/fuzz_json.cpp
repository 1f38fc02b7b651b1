// The JSON parser (json.h) on hostile documents: it must return a value or throw JsonError,
// whose offset lies inside the input, never crash or recurse past max_depth. Parsed values are
// walked through every accessor, and no array or object may be nested deeper than max_depth
// (a top-level container is level 1). The first byte picks max_depth (1..64, or the default) so
// that the depth limit itself is exercised at every level.
#include "engine/error.h"
#include "engine/tokenizer/json.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

void walk(const tern::JsonValue& v, int depth, int max_depth) {
    if ((v.is_array() || v.is_object()) && ++depth > max_depth) std::abort();  // the limit did not hold
    (void)v.type_name();
    (void)v.size();
    switch (v.type()) {
        case tern::JsonValue::Type::Null: break;
        case tern::JsonValue::Type::Bool: (void)v.as_bool(); break;
        case tern::JsonValue::Type::Number:
            (void)v.as_number();
            if (v.is_integer()) (void)v.as_int();
            break;
        case tern::JsonValue::Type::String: (void)v.as_string(); break;
        case tern::JsonValue::Type::Array:
            for (const tern::JsonValue& item : v.as_array()) walk(item, depth, max_depth);
            break;
        case tern::JsonValue::Type::Object:
            for (const tern::JsonMember& m : v.as_object()) {
                // find() returns the first member with that key, which may be an earlier duplicate.
                if (!v.find(m.key)) std::abort();
                walk(m.value, depth, max_depth);
            }
            break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const int max_depth = data[0] < 64 ? data[0] + 1 : tern::kJsonDefaultMaxDepth;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        walk(tern::parse_json(text, max_depth), 0, max_depth);
    } catch (const tern::JsonError& e) {
        if (e.offset() > text.size()) std::abort();  // the error must point into the input
    }
    return 0;
}
