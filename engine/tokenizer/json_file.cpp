#include "engine/tokenizer/json_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

namespace tern {

namespace {

using nlohmann::json;

// 1-based line and column (in bytes) of `offset`, as editors count them.
std::string position(std::string_view text, size_t offset) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return fmt::format("offset {} (line {}, column {})", offset, line, col);
}

[[noreturn]] void fail_at(std::string_view text, size_t offset, const std::string& what) {
    throw JsonError(fmt::format("JSON error at {}: {}", position(text, offset), what), offset);
}

}  // namespace

size_t json_too_deep_at(std::string_view text, int max_depth) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return i;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return std::string_view::npos;
}

namespace {

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line L,
// column C: " prefix (our own position comes first, as byte offset too).
std::string reason(const json::exception& e) {
    const std::string msg = e.what();
    const size_t colon = msg.find(": ");
    return colon == std::string::npos ? msg : msg.substr(colon + 2);
}

[[noreturn]] void type_error(const json& v, const char* expected) {
    throw Error(fmt::format("JSON value is {}, expected {}", json_type_name(v), expected));
}

}  // namespace

// nlohmann skips a UTF-8 BOM itself, and counts its bytes in the error offset.
json parse_json(std::string_view text, int max_depth) {
    if (const size_t at = json_too_deep_at(text, max_depth); at != std::string_view::npos)
        fail_at(text, at, fmt::format("nesting deeper than {} levels", max_depth));
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        // e.byte counts the bytes read, the offending one included (size + 1 at the end).
        fail_at(text, std::min<size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size()), reason(e));
    } catch (const json::exception& e) {
        // out_of_range 406: a number beyond a double's range; nlohmann gives no position.
        throw JsonError(fmt::format("JSON error: {}", reason(e)), text.size());
    }
}

json parse_json_file(const std::string& path, int max_depth) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot open {}", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error(fmt::format("cannot read {}", path));
    const std::string text = ss.str();
    try {
        return parse_json(text, max_depth);
    } catch (const JsonError& e) {
        throw JsonError(fmt::format("{}: {}", path, e.what()), e.offset());
    }
}

const char* json_type_name(const json& v) {
    switch (v.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "bool";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: return "number";
        case json::value_t::string: return "string";
        case json::value_t::array: return "array";
        case json::value_t::object: return "object";
        default: return "binary";  // never produced by parse_json
    }
}

const json* json_find(const json& v, const char* key) {
    if (!v.is_object()) return nullptr;
    const auto it = v.find(key);
    return it == v.end() ? nullptr : &*it;
}

bool json_bool(const json& v) {
    if (!v.is_boolean()) type_error(v, "a bool");
    return v.get<bool>();
}

double json_number(const json& v) {
    if (!v.is_number()) type_error(v, "a number");
    return v.get<double>();
}

int64_t json_int(const json& v) {
    if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<int64_t>();
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u <= (uint64_t)std::numeric_limits<int64_t>::max()) return (int64_t)u;
    }
    if (!v.is_number()) type_error(v, "an integer");
    throw Error(fmt::format("JSON number {} is not an integer", v.get<double>()));
}

const std::string& json_string(const json& v) {
    if (!v.is_string()) type_error(v, "a string");
    return v.get_ref<const std::string&>();
}

const json& json_array(const json& v) {
    if (!v.is_array()) type_error(v, "an array");
    return v;
}

const json& json_object(const json& v) {
    if (!v.is_object()) type_error(v, "an object");
    return v;
}

}  // namespace tern
