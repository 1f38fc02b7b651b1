// Markdown for the bubbles: fenced code cut out (also while a fence is still open), prose to
// HTML with headings, lists, tables and monospace inline code.
#include <catch2/catch.hpp>

#include "app/markdown.h"

using namespace tern::app;

TEST_CASE("fenced code blocks are split from the prose", "[markdown]") {
    const auto blocks = splitFencedCode("Intro\n\n```python\nprint(1)\n\nx = 2\n```\nAfter\n~~~\nraw ``` inside\n~~~");
    REQUIRE(blocks.size() == 4);
    CHECK_FALSE(blocks[0].code);
    CHECK(blocks[0].text.trimmed() == "Intro");
    CHECK(blocks[1].code);
    CHECK(blocks[1].language == "python");
    CHECK(blocks[1].text == "print(1)\n\nx = 2");
    CHECK(blocks[2].text.trimmed() == "After");
    CHECK(blocks[3].code);
    CHECK(blocks[3].text == "raw ``` inside");
}

TEST_CASE("a fence still open while streaming is shown as code", "[markdown]") {
    const auto blocks = splitFencedCode("Here:\n```cpp\nint main() {");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[1].code);
    CHECK(blocks[1].language == "cpp");
    CHECK(blocks[1].text == "int main() {");
    CHECK(splitFencedCode("").isEmpty());
    CHECK(splitFencedCode("plain").size() == 1);
}

TEST_CASE("prose becomes HTML with headings, lists, tables and inline code", "[markdown]") {
    const QString html = markdownToHtml("# Title\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nuse `ls -l` now",
                                        "#eeeeee", "#cccccc");
    CHECK(html.contains("<h1"));
    CHECK(html.contains("<li"));
    CHECK(html.contains("<table"));
    CHECK(html.contains("monospace"));
    CHECK(html.contains("ls -l"));
    CHECK(html.contains("background-color:#eeeeee"));
    CHECK(html.contains("<body>"));  // no pinned font: the item's font and colour apply
}
