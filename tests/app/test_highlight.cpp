// The code blocks' syntax colouring: which ranges of a line get the keyword, string, comment and
// number formats, per language, and that an unknown language is left plain.
#include <catch2/catch.hpp>

#include "app/code_highlighter.h"

#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <string>

using tern::app::CodeColours;
using tern::app::CodeHighlighter;

namespace {

const CodeColours kColours{QColor("#000001"), QColor("#000002"), QColor("#000003"), QColor("#000004")};

// What a line looks like coloured: the text of each range with a one-letter kind, in order,
// e.g. "k:def s:'x' c:# hi" (k keyword, s string, c comment, n number).
std::string coloured(QTextDocument& doc, int line) {
    QStringList out;
    const QTextBlock block = doc.findBlockByNumber(line);
    QList<QTextLayout::FormatRange> ranges = block.layout()->formats();
    std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) { return a.start < b.start; });
    for (const QTextLayout::FormatRange& r : ranges) {
        const QColor c = r.format.foreground().color();
        const char* kind = c == kColours.keyword ? "k" : c == kColours.string ? "s" : c == kColours.comment ? "c"
                         : c == kColours.number  ? "n" : "?";
        out << QStringLiteral("%1:%2").arg(QLatin1String(kind), block.text().mid(r.start, r.length));
    }
    return out.join(QLatin1Char(' ')).toStdString();
}

}  // namespace

TEST_CASE("C++: keywords, strings, comments and numbers at their ranges", "[highlight]") {
    QTextDocument doc;
    doc.setPlainText(QStringLiteral("#include <vector>\n"
                                    "int main() { return 0x1f; } // \"not a string\"\n"
                                    "const char* s = \"a \\\" // b\"; /* one\n"
                                    "two */ char c = '\\'';"));
    CodeHighlighter h(&doc, QStringLiteral("cpp"), kColours);
    REQUIRE(h.knowsLanguage());
    CHECK(coloured(doc, 0) == "k:#include");
    CHECK(coloured(doc, 1) == "k:int k:return n:0x1f c:// \"not a string\"");
    CHECK(coloured(doc, 2) == "k:const k:char s:\"a \\\" // b\" c:/* one");
    CHECK(coloured(doc, 3) == "c:two */ k:char s:'\\''");
}

TEST_CASE("Python: triple-quoted strings over lines and # comments", "[highlight]") {
    QTextDocument doc;
    doc.setPlainText(QStringLiteral("def f(x=1.5):\n"
                                    "    \"\"\"doc # not a comment\n"
                                    "    still doc\"\"\" # a comment\n"
                                    "    return 'it\\'s' if x else None"));
    CodeHighlighter h(&doc, QStringLiteral("Python"), kColours);
    CHECK(coloured(doc, 0) == "k:def n:1.5");
    CHECK(coloured(doc, 1) == "s:\"\"\"doc # not a comment");
    CHECK(coloured(doc, 2) == "s:    still doc\"\"\" c:# a comment");
    CHECK(coloured(doc, 3) == "k:return s:'it\\'s' k:if k:else k:None");
}

TEST_CASE("JavaScript, JSON, shell, Rust and Go by their fence names", "[highlight]") {
    struct Case { const char* language; const char* line; const char* expected; };
    const Case cases[] = {
        {"ts", "const x = `a ${b}` // t", "k:const s:`a ${b}` c:// t"},
        {"json", "{\"a\": [1, true, null]}", "s:\"a\" n:1 k:true k:null"},
        {"bash", "if [ $# -gt 0 ]; then echo \"hi\" # greet", "k:if n:0 k:then s:\"hi\" c:# greet"},
        {"rust", "let mut v: u32 = 10u32; // n", "k:let k:mut n:10u32 c:// n"},
        {"go", "func main() { s := `raw` }", "k:func s:`raw`"},
        {"{.sh}", "export A=1", "k:export n:1"},
    };
    for (const Case& c : cases) {
        INFO(c.language);
        QTextDocument doc;
        doc.setPlainText(QString::fromUtf8(c.line));
        CodeHighlighter h(&doc, QString::fromLatin1(c.language), kColours);
        CHECK(coloured(doc, 0) == c.expected);
    }
}

TEST_CASE("An unknown or missing language is not coloured", "[highlight]") {
    for (const char* language : {"", "text", "cobol"}) {
        INFO(language);
        QTextDocument doc;
        doc.setPlainText(QStringLiteral("int x = \"s\"; // c\nreturn 1"));
        CodeHighlighter h(&doc, QString::fromLatin1(language), kColours);
        CHECK_FALSE(h.knowsLanguage());
        CHECK(coloured(doc, 0).empty());
        CHECK(coloured(doc, 1).empty());
    }
}

TEST_CASE("New colours reach the text already highlighted", "[highlight]") {
    QTextDocument doc;
    doc.setPlainText(QStringLiteral("return 1"));
    CodeHighlighter h(&doc, QStringLiteral("c"), CodeColours{Qt::red, Qt::red, Qt::red, Qt::red});
    h.setColours(kColours);
    CHECK(coloured(doc, 0) == "k:return n:1");
}
