// Reading model JSON files (json_file.h, on nlohmann-json): strictness, errors with offset, line
// and column, the nesting bound, and typed access errors.
#include "engine/tokenizer/json_file.h"

#include "tests/engine/test_support.h"

#include <catch2/catch.hpp>

#include <fstream>
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

TEST_CASE("json values and typed access", "[json]") {
    const nlohmann::json v = parse_json(R"( {"a": 1, "b": [true, null], "c": {"d": "e"}, "f": -2.5e3} )");
    CHECK(json_int(*json_find(v, "a")) == 1);
    CHECK(json_bool(json_array(*json_find(v, "b"))[0]));
    CHECK(json_string(*json_find(*json_find(v, "c"), "d")) == "e");
    CHECK(json_number(*json_find(v, "f")) == -2500.0);
    CHECK(json_find(v, "missing") == nullptr);
    CHECK(json_find(*json_find(v, "a"), "x") == nullptr);  // find on a non-object
    CHECK(json_type_name(*json_find(v, "b")) == std::string("array"));
    CHECK(json_int(parse_json("9223372036854775807")) == INT64_MAX);
    CHECK(json_int(parse_json("-9223372036854775808")) == INT64_MIN);
    CHECK(parse_json("\xEF\xBB\xBF[1]").size() == 1);  // UTF-8 BOM
    CHECK_THROWS_WITH(json_int(*json_find(v, "c")), "JSON value is object, expected an integer");
    CHECK_THROWS_WITH(json_int(*json_find(v, "f")), Catch::Contains("not an integer"));
    CHECK_THROWS_WITH(json_int(parse_json("9223372036854775808")), Catch::Contains("not an integer"));
    CHECK_THROWS_WITH(json_string(*json_find(v, "a")), "JSON value is number, expected a string");
    CHECK_THROWS_WITH(json_object(*json_find(v, "b")), "JSON value is array, expected an object");
    CHECK_THROWS_AS(json_array(v), Error);
    CHECK_THROWS_AS(json_bool(v), Error);
}

TEST_CASE("json is strict, with errors giving offset, line and column", "[json]") {
    CHECK(error_of("").find("unexpected end of input") != std::string::npos);
    CHECK(error_of("[1, 2,]").find("unexpected ']'") != std::string::npos);
    CHECK(error_of("01").find("JSON error at offset") != std::string::npos);
    CHECK(error_of("NaN").find("JSON error at offset 0 ") != std::string::npos);
    CHECK(error_of("[1] x").find("offset 4") != std::string::npos);
    CHECK(error_of(R"("\ud83d")").find("surrogate") != std::string::npos);
    CHECK(error_of("\"bad \xFF utf8\"").find("ill-formed UTF-8") != std::string::npos);
    CHECK(error_of("[1 /* comment */]").find("JSON error") != std::string::npos);
    CHECK(error_of("1e400").find("number overflow") != std::string::npos);
    CHECK(error_offset("1e400") == 5);  // no position from the parser: the end
    CHECK(error_offset("[1, 2,]") == 6);
    CHECK(error_offset("[1, 2") == 5);  // at the end of the input
    const std::string msg = error_of("{\n  \"a\": [1,\n  x]\n}");
    INFO(msg);
    CHECK(msg.find("JSON error at offset 15 (line 3, column 3): ") == 0);
}

TEST_CASE("json nesting depth is bounded before parsing", "[json]") {
    auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
    CHECK(parse_json(nested(kJsonDefaultMaxDepth)).is_array());
    CHECK(error_of(nested(kJsonDefaultMaxDepth + 1)) ==
          "JSON error at offset 128 (line 1, column 129): nesting deeper than 128 levels");
    CHECK(error_of(nested(5), 4).find("nesting deeper than 4") != std::string::npos);
    CHECK(parse_json(R"(["[[[[[", "\"[[[[["])", 1).size() == 2);  // brackets in strings do not count
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    CHECK(error_of(objects).find("nesting deeper") != std::string::npos);
    // A hostile 100,000-deep file: a clear error naming the file, not a stack overflow.
    const std::string path = tern_test::work_dir() + "/deep-100000.json";
    std::ofstream(path, std::ios::binary) << std::string(100000, '[') << std::string(100000, ']');
    CHECK_THROWS_WITH(parse_json_file(path), Catch::StartsWith(path + ": JSON error at offset 128") &&
                                                 Catch::Contains("nesting deeper than 128 levels"));
    std::remove(path.c_str());
    CHECK_THROWS_WITH(parse_json_file("/nonexistent/dir/tokenizer.json"), Catch::Contains("cannot open"));
}
