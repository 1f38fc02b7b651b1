// The strict JSON parser: values, escapes, numbers, and errors with offsets.
#include "engine/tokenizer/json.h"

#include <catch2/catch.hpp>

#include <string>

using namespace tern;

namespace {

// The error message of parsing `text`, or "(no error)".
std::string error_of(const std::string& text, int max_depth = kJsonDefaultMaxDepth) {
    try {
        parse_json(text, max_depth);
    } catch (const JsonError& e) {
        return e.what();
    }
    return "(no error)";
}

size_t error_offset(const std::string& text) {
    try {
        parse_json(text);
    } catch (const JsonError& e) {
        return e.offset();
    }
    return std::string::npos;
}

}  // namespace

TEST_CASE("json values", "[json]") {
    const JsonValue v = parse_json(R"( {"a": 1, "b": [true, false, null], "c": {"d": "e"}, "f": -2.5e3, "g": []} )");
    REQUIRE(v.is_object());
    CHECK(v.size() == 5);
    CHECK(v.find("a")->as_int() == 1);
    CHECK(v.find("a")->is_integer());
    const JsonValue& b = *v.find("b");
    REQUIRE(b.is_array());
    CHECK(b.size() == 3);
    CHECK(b.as_array()[0].as_bool());
    CHECK_FALSE(b.as_array()[1].as_bool());
    CHECK(b.as_array()[2].is_null());
    CHECK(v.find("c")->find("d")->as_string() == "e");
    CHECK(v.find("f")->as_number() == -2500.0);
    CHECK_FALSE(v.find("f")->is_integer());
    CHECK(v.find("g")->size() == 0);
    CHECK(v.find("missing") == nullptr);
    CHECK(v.as_object()[1].key == "b");  // file order is kept
    CHECK(parse_json("42").as_int() == 42);
    CHECK(parse_json("\"x\"").as_string() == "x");
    CHECK(parse_json("null").is_null());
    CHECK(parse_json("\xEF\xBB\xBF[1]").size() == 1);  // UTF-8 BOM
}

TEST_CASE("json numbers", "[json]") {
    CHECK(parse_json("0").as_int() == 0);
    CHECK(parse_json("-0").as_number() == 0.0);
    CHECK(parse_json("9223372036854775807").as_int() == INT64_MAX);
    CHECK(parse_json("-9223372036854775808").as_int() == INT64_MIN);
    const JsonValue big = parse_json("9223372036854775808");  // beyond int64: a double
    CHECK_FALSE(big.is_integer());
    CHECK(big.as_number() == 9223372036854775808.0);
    CHECK_THROWS_AS(big.as_int(), Error);
    CHECK(parse_json("1.5").as_number() == 1.5);
    CHECK(parse_json("1E2").as_number() == 100.0);
    CHECK(parse_json("1e-400").as_number() == 0.0);  // underflow rounds to zero
    CHECK(error_of("1e400").find("out of range") != std::string::npos);
    CHECK(error_of("01").find("leading zeros") != std::string::npos);
    CHECK(error_of("1.").find("decimal point") != std::string::npos);
    CHECK(error_of("-").find("digits") != std::string::npos);
    CHECK(error_of("1e+").find("exponent") != std::string::npos);
    CHECK(error_of("+1").find("unexpected character '+'") != std::string::npos);
    CHECK(error_of(".5").find("unexpected character") != std::string::npos);
    CHECK(error_of("NaN").find("unexpected character") != std::string::npos);
}

TEST_CASE("json string escapes", "[json]") {
    CHECK(parse_json(R"("a\"b\\c\/d\b\f\n\r\t")").as_string() == "a\"b\\c/d\b\f\n\r\t");
    CHECK(parse_json(R"("\u0041\u00e9\u20AC")").as_string() == "A\xC3\xA9\xE2\x82\xAC");
    CHECK(parse_json(R"("\ud83d\ude00")").as_string() == "\xF0\x9F\x98\x80");  // 😀 as a surrogate pair
    CHECK(parse_json(R"("\u0000")").as_string() == std::string(1, '\0'));
    CHECK(parse_json("\"raw UTF-8 ✓ 中文\"").as_string() == "raw UTF-8 ✓ 中文");
    CHECK(error_of(R"("\ud83d")").find("unpaired high surrogate") != std::string::npos);
    CHECK(error_of(R"("\ud83dx")").find("unpaired high surrogate") != std::string::npos);
    CHECK(error_of(R"("\ud83d\u0041")").find("not followed by a low surrogate") != std::string::npos);
    CHECK(error_of(R"("\ude00")").find("unpaired low surrogate") != std::string::npos);
    CHECK(error_of(R"("\x")").find("invalid escape") != std::string::npos);
    CHECK(error_of(R"("\u12G4")").find("invalid hex digit") != std::string::npos);
    CHECK(error_of(R"("\u12")").find("truncated") != std::string::npos);
    CHECK(error_of("\"tab\there\"").find("control character") != std::string::npos);
    CHECK(error_of("\"bad \xFF utf8\"").find("invalid UTF-8") != std::string::npos);
    CHECK(error_of("\"overlong \xC0\xAF\"").find("invalid UTF-8") != std::string::npos);
    CHECK(error_of("\"unterminated").find("unterminated string") != std::string::npos);
}

TEST_CASE("json syntax errors give offset, line and column", "[json]") {
    CHECK(error_of("").find("unexpected end of input") != std::string::npos);
    CHECK(error_of("[1, 2,]").find("unexpected character ']'") != std::string::npos);
    CHECK(error_of("{\"a\" 1}").find("expected ':'") != std::string::npos);
    CHECK(error_of("{\"a\": 1,}").find("expected a string key") != std::string::npos);
    CHECK(error_of("{a: 1}").find("expected a string key") != std::string::npos);
    CHECK(error_of("[1 2]").find("expected ',' or ']'") != std::string::npos);
    CHECK(error_of("[1, 2").find("unexpected end of input in array") != std::string::npos);
    CHECK(error_of("{\"a\": 1").find("unexpected end of input in object") != std::string::npos);
    CHECK(error_of("tru").find("invalid literal") != std::string::npos);
    CHECK(error_of("[1] x").find("unexpected data after") != std::string::npos);
    CHECK(error_of("1 2").find("unexpected data after") != std::string::npos);

    CHECK(error_offset("[1, 2,]") == 6);
    const std::string msg = error_of("{\n  \"a\": [1,\n  x]\n}");
    CHECK(msg.find("offset 15") != std::string::npos);
    CHECK(msg.find("line 3, column 3") != std::string::npos);
}

TEST_CASE("json nesting depth is limited", "[json]") {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(parse_json(nested(kJsonDefaultMaxDepth)).is_array());
    CHECK(error_of(nested(kJsonDefaultMaxDepth + 1)).find("nesting deeper than 128") != std::string::npos);
    CHECK(error_of(nested(5), 4).find("nesting deeper than 4") != std::string::npos);
    // Deep input that would overflow a naive recursive parser's stack fails cleanly.
    CHECK(error_of(std::string(1000000, '[')).find("nesting deeper") != std::string::npos);
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    CHECK(error_of(objects).find("nesting deeper") != std::string::npos);
}

TEST_CASE("json typed access errors", "[json]") {
    const JsonValue v = parse_json(R"({"s": "x", "n": 1.5})");
    CHECK_THROWS_WITH(v.find("s")->as_int(), Catch::Contains("string") && Catch::Contains("integer"));
    CHECK_THROWS_WITH(v.find("n")->as_int(), Catch::Contains("not an integer"));
    CHECK_THROWS_AS(v.as_array(), Error);
    CHECK(v.find("s")->find("x") == nullptr);  // find on a non-object
    CHECK_THROWS_AS(parse_json_file("/nonexistent/dir/tokenizer.json"), Error);
}
