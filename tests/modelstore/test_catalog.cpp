// The catalog file, fit hints and the small formatting helpers the tool and the app show.
#include "app/modelstore/catalog.h"
#include "app/modelstore/progress_line.h"
#include "app/modelstore/system_memory.h"

#include <catch2/catch.hpp>

using namespace tern::modelstore;

namespace {
const char* kGood = R"({ "version": 1, "models": [
  { "id": "a", "name": "Model A", "description": "first", "license": "MIT",
    "homepage": "https://example.org/a", "url": "https://example.org/a.gguf", "file": "a.gguf",
    "size": 1187801280, "ram": 1600000000,
    "sha256": "4221B252FDD5FD25E15847ADFEB5EE88886506BA50B8A34548374492884C2162",
    "recommended": { "temperature": 0.6, "top_p": 0.9, "context": 4096 } },
  { "id": "b", "name": "Model B", "url": "https://example.org/b.gguf", "file": "b.gguf",
    "sha256": null, "hash_on_first_download": true } ] })";

QString parseError(const QByteArray& json) {
    Catalog c;
    QString error;
    REQUIRE_FALSE(Catalog::parse(json, QStringLiteral("test.json"), &c, &error));
    CHECK(c.entries.isEmpty());
    return error;
}
}  // namespace

TEST_CASE("catalog: a good file gives every field", "[catalog]") {
    Catalog c;
    QString error;
    REQUIRE(Catalog::parse(kGood, QStringLiteral("test.json"), &c, &error));
    REQUIRE(c.entries.size() == 2);
    const CatalogEntry* a = c.find(QStringLiteral("a"));
    REQUIRE(a);
    CHECK(a->name == QStringLiteral("Model A"));
    CHECK(a->license == QStringLiteral("MIT"));
    CHECK(a->url == QUrl(QStringLiteral("https://example.org/a.gguf")));
    CHECK(a->fileName == QStringLiteral("a.gguf"));
    CHECK(a->sizeBytes == 1187801280);
    CHECK(a->ramBytes == 1600000000);
    CHECK(a->sha256 == QStringLiteral("4221b252fdd5fd25e15847adfeb5ee88886506ba50b8a34548374492884c2162"));
    CHECK_FALSE(a->hashOnFirstDownload);
    CHECK(a->recommended.value(QStringLiteral("context")).toInt() == 4096);
    const CatalogEntry* b = c.find(QStringLiteral("b"));
    REQUIRE(b);
    CHECK(b->sha256.isEmpty());
    CHECK(b->hashOnFirstDownload);
    CHECK(b->sizeBytes == 0);
    CHECK(c.find(QStringLiteral("nope")) == nullptr);
}

TEST_CASE("catalog: malformed files are refused with a reason", "[catalog]") {
    CHECK(parseError("{ \"version\": 1, \"models\": [ ").contains(QStringLiteral("offset")));
    CHECK(parseError("[]").contains(QStringLiteral("not an object")));
    CHECK(parseError("{\"version\": 2, \"models\": []}").contains(QStringLiteral("version")));
    CHECK(parseError("{\"version\": 1}").contains(QStringLiteral("models")));
    CHECK(parseError("{\"version\": 1, \"models\": [3]}").contains(QStringLiteral("model 1")));
    const QString noUrl = parseError(R"({"version":1,"models":[{"id":"x","name":"X","file":"x.gguf"}]})");
    CHECK(noUrl.contains(QStringLiteral("missing \"url\"")));
    CHECK(noUrl.contains(QStringLiteral("(x)")));
    CHECK(parseError(R"({"version":1,"models":[{"name":"X","url":"https://e.org/x","file":"x.gguf"}]})")
              .contains(QStringLiteral("missing \"id\"")));
    CHECK(parseError(R"({"version":1,"models":[{"id":"x","name":"X","url":"ftp://e.org/x","file":"x.gguf"}]})")
              .contains(QStringLiteral("url")));
    CHECK(parseError(R"({"version":1,"models":[{"id":"x","name":"X","url":"https://e.org/x","file":"../x.gguf"}]})")
              .contains(QStringLiteral("plain file name")));
    CHECK(parseError(R"({"version":1,"models":[{"id":"x","name":"X","url":"https://e.org/x","file":"x.gguf","sha256":"abc"}]})")
              .contains(QStringLiteral("64 hex")));
    CHECK(parseError(R"({"version":1,"models":[{"id":"x","name":"X","url":"https://e.org/x","file":"x.gguf","size":-5}]})")
              .contains(QStringLiteral("size")));
    CHECK(parseError(R"({"version":1,"models":[{"id":"x","name":"X","url":"https://e.org/x","file":"x.gguf"},
                                              {"id":"x","name":"Y","url":"https://e.org/y","file":"y.gguf"}]})")
              .contains(QStringLiteral("twice")));
    Catalog c;
    QString error;
    CHECK_FALSE(Catalog::load(QStringLiteral("/nonexistent/catalog.json"), &c, &error));
    CHECK(error.contains(QStringLiteral("/nonexistent/catalog.json")));
}

TEST_CASE("catalog: the bundled catalog parses and names the 2B4T model exactly", "[catalog]") {
    // The file the app ships (resources/catalog.json): a mistake there breaks the Models page.
    Catalog c;
    QString error;
    INFO(error.toStdString());
    REQUIRE(Catalog::load(QStringLiteral(TERN_SOURCE_CATALOG), &c, &error));
    REQUIRE_FALSE(c.entries.isEmpty());
    bool found2b4t = false;
    for (const CatalogEntry& e : c.entries) {
        INFO(e.id.toStdString());
        CHECK(e.url.scheme() == QStringLiteral("https"));
        CHECK((e.hashOnFirstDownload || isSha256Hex(e.sha256)));
        if (e.sha256 == QStringLiteral("4221b252fdd5fd25e15847adfeb5ee88886506ba50b8a34548374492884c2162")) {
            found2b4t = true;
            CHECK(e.sizeBytes == 1187801280);
        }
    }
    CHECK(found2b4t);
}

TEST_CASE("catalog: fit hints from RAM", "[catalog]") {
    const qint64 gb = 1000LL * 1000 * 1000;
    CHECK(fitFor(6 * gb, 10 * gb) == Fit::Fits);     // 60 % exactly
    CHECK(fitFor(6 * gb + 1, 10 * gb) == Fit::Tight);
    CHECK(fitFor(9 * gb, 10 * gb) == Fit::Tight);    // 90 % exactly
    CHECK(fitFor(9 * gb + 1, 10 * gb) == Fit::WontFit);
    CHECK(fitFor(0, 10 * gb) == Fit::Fits);          // unknown need
    CHECK(fitFor(5 * gb, 0) == Fit::Fits);           // unknown RAM: no warning
    CHECK(fitLabel(Fit::WontFit) == QStringLiteral("Won't fit"));
    CHECK(totalPhysicalMemory() > 64LL * 1000 * 1000);  // every test machine has more than 64 MB
}

TEST_CASE("catalog: sizes, durations, rates and the progress line", "[catalog]") {
    CHECK(formatBytes(1187801280) == QStringLiteral("1.19 GB"));
    CHECK(formatBytes(7400000) == QStringLiteral("7.4 MB"));
    CHECK(formatBytes(999) == QStringLiteral("999 B"));
    CHECK(formatBytes(123456789) == QStringLiteral("123 MB"));
    CHECK(formatDuration(45) == QStringLiteral("45 s"));
    CHECK(formatDuration(187) == QStringLiteral("3 min 07 s"));
    CHECK(formatDuration(7500) == QStringLiteral("2 h 05 min"));
    CHECK(formatDuration(-1).isEmpty());
    CHECK(parseRate(QStringLiteral("500k")) == 512000);
    CHECK(parseRate(QStringLiteral("2M")) == 2 * 1024 * 1024);
    CHECK(parseRate(QStringLiteral("1000")) == 1000);
    CHECK(parseRate(QStringLiteral("fast")) == -1);
    CHECK(parseRate(QStringLiteral("-3")) == -1);
    CHECK(progressLine(500000000, 1000000000, 12500000, 40) == QStringLiteral("500 MB / 1.00 GB  50%  12.5 MB/s  40 s left"));
    CHECK(progressLine(1000, 0, 0, -1) == QStringLiteral("1 kB"));
}
