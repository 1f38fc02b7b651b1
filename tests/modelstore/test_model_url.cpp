// A pasted model address → the URL fetched and the file name in the models folder: the
// ordinary cases, Hugging Face page links, and addresses written to escape the models folder or
// to fetch something that is not a web file.
#include "app/modelstore/model_url.h"

#include <catch2/catch.hpp>

using tern::modelstore::ModelUrl;

namespace {

struct Accepted {
    const char* text;
    const char* url;       // what is fetched
    const char* fileName;  // what it is saved as
};

struct Refused {
    const char* text;
    const char* because;  // a word of the message that says why
};

}  // namespace

TEST_CASE("model url: usable addresses give the file and its name", "[url]") {
    const Accepted cases[] = {
        {"https://example.org/models/tiny.gguf", "https://example.org/models/tiny.gguf", "tiny.gguf"},
        {"  http://127.0.0.1:8080/a.gguf \n", "http://127.0.0.1:8080/a.gguf", "a.gguf"},
        // The query is fetched (signed links need it) but does not name the file; the fragment is dropped.
        {"https://cdn.example.org/x/m.gguf?sig=abc&exp=1#part", "https://cdn.example.org/x/m.gguf?sig=abc&exp=1", "m.gguf"},
        {"https://example.org/My%20Model%20Q4.gguf", "https://example.org/My%20Model%20Q4.gguf", "My Model Q4.gguf"},
        {"https://example.org/UPPER.GGUF", "https://example.org/UPPER.GGUF", "UPPER.GGUF"},
        // A Hugging Face file page becomes the file itself.
        {"https://huggingface.co/a/b/blob/main/m.gguf", "https://huggingface.co/a/b/resolve/main/m.gguf", "m.gguf"},
        {"https://huggingface.co/microsoft/bitnet-b1.58-2B-4T-gguf/blob/main/ggml-model-i2_s.gguf?download=true",
         "https://huggingface.co/microsoft/bitnet-b1.58-2B-4T-gguf/resolve/main/ggml-model-i2_s.gguf?download=true",
         "ggml-model-i2_s.gguf"},
        {"https://hf.co/datasets/a/b/blob/v1/sub/m.gguf", "https://hf.co/datasets/a/b/resolve/v1/sub/m.gguf", "m.gguf"},
        {"https://huggingface.co/a/b/resolve/main/m.gguf", "https://huggingface.co/a/b/resolve/main/m.gguf", "m.gguf"},
        // "blob" elsewhere is an ordinary folder name.
        {"https://example.org/a/b/blob/main/m.gguf", "https://example.org/a/b/blob/main/m.gguf", "m.gguf"},
    };
    for (const Accepted& c : cases) {
        INFO(c.text);
        const ModelUrl m = ModelUrl::parse(QString::fromUtf8(c.text));
        CHECK(m.error.toStdString() == "");
        CHECK(m.url.toString(QUrl::FullyEncoded).toStdString() == c.url);
        CHECK(m.fileName.toStdString() == c.fileName);
    }
}

TEST_CASE("model url: hostile and unusable addresses are refused with a reason", "[url]") {
    const std::string tooLong = "https://example.org/" + std::string(ModelUrl::kMaxFileNameBytes, 'a') + ".gguf";
    const std::string longest = std::string(ModelUrl::kMaxFileNameBytes - 5, 'a') + ".gguf";
    const Refused cases[] = {
        {"", "Paste"},
        {"   ", "Paste"},
        {"file:///etc/passwd", "file:"},
        {"file:///home/me/model.gguf", "file:"},
        {"ftp://example.org/m.gguf", "ftp:"},
        {"javascript:alert(1)//.gguf", "javascript:"},
        {"data:text/plain,x.gguf", "data:"},
        {"example.org/m.gguf", "https://"},
        {"https:///m.gguf", "server"},
        {"https://x/../../etc/passwd.gguf", ".."},
        {"https://x/a/%2e%2e/m.gguf", ".."},
        {"https://x/%2e%2e%2f%2e%2e%2fetc%2fpasswd.gguf", "path"},
        {"https://x/%2e%2e%2f", "path"},
        {"https://x/a%5cb.gguf", "path"},
        {"https://x/evil..gguf", "path"},
        {"https://x/.hidden.gguf", "dot"},
        {"https://x/.gguf", "dot"},
        {"https://x/", "does not name a file"},
        {"https://x", "does not name a file"},
        {"https://x/models/", "does not name a file"},
        {"https://x/readme.md", ".gguf"},
        {"https://x/model.gguf.zip", ".gguf"},
        {"https://x/m.gguf/", "does not name a file"},
        {"https://x/a%3Ab.gguf", "characters"},
        {"https://x/a%00b.gguf", "characters"},
        {"https://x/%20m.gguf", "characters"},
        {tooLong.c_str(), "too long"},
    };
    for (const Refused& c : cases) {
        INFO(c.text);
        const ModelUrl m = ModelUrl::parse(QString::fromUtf8(c.text));
        CHECK_FALSE(m.ok());
        CHECK(m.error.contains(QString::fromUtf8(c.because)));
        CHECK(m.fileName.isEmpty());
        CHECK(m.url.isEmpty());
    }
    const ModelUrl atTheLimit = ModelUrl::parse(QStringLiteral("https://example.org/") + QString::fromStdString(longest));
    CHECK(atTheLimit.fileName.toStdString() == longest);
}

TEST_CASE("model url: a message never quotes a page of the user's text", "[url]") {
    const ModelUrl m = ModelUrl::parse(QStringLiteral("https://x/") + QString(5000, QLatin1Char('b')) + QStringLiteral(".txt"));
    REQUIRE_FALSE(m.ok());
    CHECK(m.error.size() < 300);
}
