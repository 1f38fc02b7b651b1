#include "engine/tokenizer/json.h"

#include "engine/tokenizer/unicode.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace tern {

// ---- JsonValue ---------------------------------------------------------------------------------

JsonValue JsonValue::boolean(bool b) {
    JsonValue v;
    v.data_ = b;
    return v;
}
JsonValue JsonValue::number(double d) {
    JsonValue v;
    v.data_ = Number{d, 0, false};
    return v;
}
JsonValue JsonValue::integer(int64_t i) {
    JsonValue v;
    v.data_ = Number{static_cast<double>(i), i, true};
    return v;
}
JsonValue JsonValue::string(std::string s) {
    JsonValue v;
    v.data_ = std::move(s);
    return v;
}
JsonValue JsonValue::array(Array items) {
    JsonValue v;
    v.data_ = std::move(items);
    return v;
}
JsonValue JsonValue::object(Object members) {
    JsonValue v;
    v.data_ = std::move(members);
    return v;
}

const char* JsonValue::type_name() const {
    static const char* const names[] = {"null", "bool", "number", "string", "array", "object"};
    return names[data_.index()];
}

void JsonValue::type_error(const char* expected) const {
    throw Error(fmt::format("JSON value is {}, expected {}", type_name(), expected));
}

bool JsonValue::is_integer() const {
    const Number* n = std::get_if<Number>(&data_);
    return n && n->exact;
}
bool JsonValue::as_bool() const {
    if (const bool* b = std::get_if<bool>(&data_)) return *b;
    type_error("a bool");
}
double JsonValue::as_number() const {
    if (const Number* n = std::get_if<Number>(&data_)) return n->value;
    type_error("a number");
}
int64_t JsonValue::as_int() const {
    const Number* n = std::get_if<Number>(&data_);
    if (!n) type_error("an integer");
    if (!n->exact) throw Error(fmt::format("JSON number {} is not an integer", n->value));
    return n->integer;
}
const std::string& JsonValue::as_string() const {
    if (const std::string* s = std::get_if<std::string>(&data_)) return *s;
    type_error("a string");
}
const JsonValue::Array& JsonValue::as_array() const {
    if (const Array* a = std::get_if<Array>(&data_)) return *a;
    type_error("an array");
}
const JsonValue::Object& JsonValue::as_object() const {
    if (const Object* o = std::get_if<Object>(&data_)) return *o;
    type_error("an object");
}

const JsonValue* JsonValue::find(std::string_view key) const {
    const Object* o = std::get_if<Object>(&data_);
    if (!o) return nullptr;
    for (const JsonMember& m : *o)
        if (m.key == key) return &m.value;
    return nullptr;
}

size_t JsonValue::size() const {
    if (const Array* a = std::get_if<Array>(&data_)) return a->size();
    if (const Object* o = std::get_if<Object>(&data_)) return o->size();
    return 0;
}

// ---- Parser ------------------------------------------------------------------------------------

namespace {

class Parser {
public:
    Parser(std::string_view text, int max_depth) : s_(text), max_depth_(max_depth) {}

    JsonValue document() {
        if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // BOM, as written by some editors
        skip_ws();
        JsonValue v = value(0);
        skip_ws();
        if (pos_ < s_.size()) fail("unexpected data after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const { fail_at(what, pos_); }
    [[noreturn]] void fail_at(const std::string& what, size_t at) const {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < at && i < s_.size(); ++i) {
            if (s_[i] == '\n') {
                ++line;
                col = 1;
            } else if ((static_cast<uint8_t>(s_[i]) & 0xC0) != 0x80) {
                ++col;  // count characters, not UTF-8 continuation bytes
            }
        }
        throw JsonError(fmt::format("JSON error at offset {} (line {}, column {}): {}", at, line, col, what), at);
    }

    bool at_end() const { return pos_ >= s_.size(); }
    char peek() const { return at_end() ? '\0' : s_[pos_]; }

    void skip_ws() {
        while (!at_end()) {
            const char c = s_[pos_];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            ++pos_;
        }
    }

    void expect_literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) fail("invalid literal (expected a JSON value)");
        pos_ += word.size();
    }

    JsonValue value(int depth) {
        if (at_end()) fail("unexpected end of input, expected a value");
        switch (peek()) {
            case '{': return object(depth + 1);
            case '[': return array(depth + 1);
            case '"': return JsonValue::string(string());
            case 't': expect_literal("true"); return JsonValue::boolean(true);
            case 'f': expect_literal("false"); return JsonValue::boolean(false);
            case 'n': expect_literal("null"); return JsonValue();
            default:
                if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number();
                fail(fmt::format("unexpected character '{}', expected a value", printable(peek())));
        }
    }

    static std::string printable(char c) {
        const auto u = static_cast<uint8_t>(c);
        return (u >= 0x20 && u < 0x7F) ? std::string(1, c) : fmt::format("\\x{:02X}", u);
    }

    void check_depth(int depth) const {
        if (depth > max_depth_) fail(fmt::format("nesting deeper than {} levels", max_depth_));
    }

    JsonValue array(int depth) {
        check_depth(depth);
        ++pos_;  // '['
        JsonValue::Array items;
        skip_ws();
        if (peek() == ']') {
            ++pos_;
            return JsonValue::array(std::move(items));
        }
        for (;;) {
            skip_ws();
            items.push_back(value(depth));
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == ']') {
                ++pos_;
                return JsonValue::array(std::move(items));
            }
            fail(at_end() ? "unexpected end of input in array" : "expected ',' or ']' in array");
        }
    }

    JsonValue object(int depth) {
        check_depth(depth);
        ++pos_;  // '{'
        JsonValue::Object members;
        skip_ws();
        if (peek() == '}') {
            ++pos_;
            return JsonValue::object(std::move(members));
        }
        for (;;) {
            skip_ws();
            if (peek() != '"') fail(at_end() ? "unexpected end of input in object" : "expected a string key in object");
            std::string key = string();
            skip_ws();
            if (peek() != ':') fail("expected ':' after object key");
            ++pos_;
            skip_ws();
            members.push_back({std::move(key), value(depth)});
            skip_ws();
            if (peek() == ',') {
                ++pos_;
                continue;
            }
            if (peek() == '}') {
                ++pos_;
                return JsonValue::object(std::move(members));
            }
            fail(at_end() ? "unexpected end of input in object" : "expected ',' or '}' in object");
        }
    }

    uint32_t hex4() {
        if (pos_ + 4 > s_.size()) fail("truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = s_[pos_ + i];
            int d = -1;
            if (c >= '0' && c <= '9') d = c - '0';
            if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0) fail_at("invalid hex digit in \\u escape", pos_ + i);
            v = v * 16 + static_cast<uint32_t>(d);
        }
        pos_ += 4;
        return v;
    }

    // At '"'; returns the decoded string and leaves pos_ after the closing quote.
    std::string string() {
        const size_t start = pos_++;
        std::string out;
        for (;;) {
            // Copy the run of ordinary ASCII characters in one go.
            size_t run = pos_;
            while (run < s_.size()) {
                const auto u = static_cast<uint8_t>(s_[run]);
                if (u == '"' || u == '\\' || u < 0x20 || u >= 0x80) break;
                ++run;
            }
            out.append(s_, pos_, run - pos_);
            pos_ = run;
            if (at_end()) fail_at("unterminated string", start);
            const auto u = static_cast<uint8_t>(s_[pos_]);
            if (u == '"') {
                ++pos_;
                return out;
            }
            if (u < 0x20) fail("control character in string (must be escaped)");
            if (u >= 0x80) {
                const Utf8Scan r = utf8_scan(reinterpret_cast<const uint8_t*>(s_.data()) + pos_, s_.size() - pos_);
                if (r.status != Utf8Scan::Complete) fail("invalid UTF-8 in string");
                out.append(s_, pos_, r.length);
                pos_ += r.length;
                continue;
            }
            escape(out);
        }
    }

    void escape(std::string& out) {
        const size_t at = pos_++;  // '\\'
        if (at_end()) fail_at("unterminated escape", at);
        const char c = s_[pos_++];
        switch (c) {
            case '"': out += '"'; return;
            case '\\': out += '\\'; return;
            case '/': out += '/'; return;
            case 'b': out += '\b'; return;
            case 'f': out += '\f'; return;
            case 'n': out += '\n'; return;
            case 'r': out += '\r'; return;
            case 't': out += '\t'; return;
            case 'u': break;
            default: fail_at(fmt::format("invalid escape '\\{}'", printable(c)), at);
        }
        uint32_t cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) fail_at("unpaired low surrogate in \\u escape", at);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by a \u low surrogate; together one code point.
            if (s_.substr(pos_, 2) != "\\u") fail_at("unpaired high surrogate in \\u escape", at);
            pos_ += 2;
            const uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail_at("high surrogate not followed by a low surrogate", at);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        utf8_append(out, cp);
    }

    JsonValue number() {
        const size_t start = pos_;
        auto digits = [&] {
            const size_t d0 = pos_;
            while (!at_end() && peek() >= '0' && peek() <= '9') ++pos_;
            return pos_ - d0;
        };
        if (peek() == '-') ++pos_;
        if (peek() == '0') {
            ++pos_;
            if (peek() >= '0' && peek() <= '9') fail("leading zeros are not allowed in numbers");
        } else if (digits() == 0) {
            fail("expected digits in number");
        }
        bool integral = true, negative_exp = false;
        if (peek() == '.') {
            integral = false;
            ++pos_;
            if (digits() == 0) fail("expected digits after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            ++pos_;
            if (peek() == '+' || peek() == '-') negative_exp = s_[pos_++] == '-';
            if (digits() == 0) fail("expected digits in exponent");
        }
        const char* first = s_.data() + start;
        const char* last = s_.data() + pos_;
        if (integral) {
            int64_t i = 0;
            const auto r = std::from_chars(first, last, i);
            if (r.ec == std::errc() && r.ptr == last) return JsonValue::integer(i);
        }
        // from_chars ignores the C locale (strtod would read "1.5" wrongly under a German
        // locale, which Qt apps switch to).
        double d = 0.0;
        const auto r = std::from_chars(first, last, d);
        if (r.ec == std::errc::result_out_of_range) {
            if (!negative_exp) fail_at("number out of range", start);
            d = *first == '-' ? -0.0 : 0.0;  // underflow: as close to the value as a double gets
        } else if (r.ec != std::errc() || r.ptr != last) {
            fail_at("invalid number", start);
        }
        return JsonValue::number(d);
    }

    std::string_view s_;
    size_t pos_ = 0;
    int max_depth_;
};

}  // namespace

JsonValue parse_json(std::string_view text, int max_depth) {
    return Parser(text, max_depth).document();
}

JsonValue parse_json_file(const std::string& path, int max_depth) {
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

}  // namespace tern
