#pragma once
// A small, strict JSON (RFC 8259) parser for the files that come with models (tokenizer.json,
// tokenizer_config.json, config.json). Those files are downloaded, so the parser is written for
// hostile input: bounded nesting depth, strict UTF-8 and escapes, and errors that give the byte
// offset, line and column of the problem.
#include "engine/error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tern {

class JsonError : public Error {
public:
    JsonError(const std::string& message, size_t offset) : Error(message), offset_(offset) {}
    size_t offset() const { return offset_; }  // byte offset of the problem in the input

private:
    size_t offset_;
};

struct JsonMember;

class JsonValue {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<JsonValue>;
    using Object = std::vector<JsonMember>;  // file order; duplicate keys are kept

    JsonValue() = default;  // null
    static JsonValue boolean(bool b);
    static JsonValue number(double d);
    static JsonValue integer(int64_t i);
    static JsonValue string(std::string s);
    static JsonValue array(Array items);
    static JsonValue object(Object members);

    Type type() const { return static_cast<Type>(data_.index()); }
    const char* type_name() const;  // "null", "bool", "number", "string", "array", "object"
    bool is_null() const { return type() == Type::Null; }
    bool is_bool() const { return type() == Type::Bool; }
    bool is_string() const { return type() == Type::String; }
    bool is_array() const { return type() == Type::Array; }
    bool is_object() const { return type() == Type::Object; }
    // True for numbers written without fraction/exponent that fit in int64.
    bool is_integer() const;

    // Typed access; throws tern::Error naming the expected and actual type.
    bool as_bool() const;
    double as_number() const;
    int64_t as_int() const;  // integers only (see is_integer)
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;

    // Object member by key (the first one if duplicated); nullptr if absent or not an object.
    const JsonValue* find(std::string_view key) const;
    // Elements of an array or members of an object; 0 otherwise.
    size_t size() const;

private:
    struct Number {
        double value;
        int64_t integer;
        bool exact;  // `integer` holds the exact value
    };
    [[noreturn]] void type_error(const char* expected) const;

    std::variant<std::monostate, bool, Number, std::string, Array, Object> data_;
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

constexpr int kJsonDefaultMaxDepth = 128;

// Parses a whole document (one value, surrounded only by whitespace; a UTF-8 BOM is skipped).
// Throws JsonError with "offset N (line L, column C)" in the message.
JsonValue parse_json(std::string_view text, int max_depth = kJsonDefaultMaxDepth);
// Reads and parses a file; errors name the path. Throws tern::Error if it cannot be read.
JsonValue parse_json_file(const std::string& path, int max_depth = kJsonDefaultMaxDepth);

}  // namespace tern
