#pragma once
// The JSON files that come with models (tokenizer.json, tokenizer_config.json, a model card),
// read with nlohmann-json. Those files are downloaded, so reading is written for hostile input:
// nesting depth is bounded before nlohmann sees the text (code that walks a parsed document
// recursively, and nlohmann's own dump and comparison, would otherwise be open to a stack
// overflow), and every error is a tern::Error giving the byte offset, line and column. Typed
// access throws tern::Error naming the expected and the actual type, not nlohmann's exceptions.
#include "engine/error.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern {

class JsonError : public Error {
public:
    JsonError(const std::string& message, size_t offset) : Error(message), offset_(offset) {}
    // Byte offset of the problem in the input; the input's size when the parser does not say
    // where (a number too large for a double).
    size_t offset() const { return offset_; }

private:
    size_t offset_;
};

constexpr int kJsonDefaultMaxDepth = 128;

// Offset of the first '[' or '{' nested deeper than max_depth, or npos, without parsing: a
// hostile nesting is refused before it reaches a parser or code that walks the document. Strings
// are skipped (escapes included), so brackets inside them do not count; on malformed input the
// scan may stop elsewhere than a parser would, but either way the text is refused.
size_t json_too_deep_at(std::string_view text, int max_depth);

// Parses a whole document (one value, surrounded only by whitespace; a UTF-8 BOM is skipped):
// strict RFC 8259 (valid UTF-8 and escapes, no comments). Arrays and objects may nest at most
// max_depth levels (a top-level container is level 1). Throws JsonError whose message reads
// "JSON error at offset N (line L, column C): ...".
nlohmann::json parse_json(std::string_view text, int max_depth = kJsonDefaultMaxDepth);
// Reads and parses a file; errors name the path. Throws tern::Error if it cannot be read.
nlohmann::json parse_json_file(const std::string& path, int max_depth = kJsonDefaultMaxDepth);

// "null", "bool", "number", "string", "array", "object".
const char* json_type_name(const nlohmann::json& v);
// Object member by key; nullptr if absent or `v` is not an object.
const nlohmann::json* json_find(const nlohmann::json& v, const char* key);

// Typed access: throws tern::Error "JSON value is <type>, expected <what>" (or "JSON number X is
// not an integer"). json_array/json_object return `v` itself once checked.
bool json_bool(const nlohmann::json& v);
double json_number(const nlohmann::json& v);
int64_t json_int(const nlohmann::json& v);  // a number written without fraction that fits int64
const std::string& json_string(const nlohmann::json& v);
const nlohmann::json& json_array(const nlohmann::json& v);
const nlohmann::json& json_object(const nlohmann::json& v);

}  // namespace tern
