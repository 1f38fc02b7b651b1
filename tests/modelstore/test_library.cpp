// Installed models: GGUF validation, import by copy or reference, duplicates, remove, default.
#include "app/modelstore/model_library.h"
#include "engine/gguf/gguf_reader.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/model/synthetic_model.h"
#include "support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <catch2/catch.hpp>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
const QString kDefault = QStringLiteral(TERN_DEFAULT_GGUF);

// A small, well-formed GGUF of the given architecture: named, but not a complete model.
QString writeGguf(const QString& path, const std::string& arch) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    tern::GgufWriter w;
    w.add("general.architecture", tern::GgufValue::str(arch));
    w.add("general.name", tern::GgufValue::str("tiny " + arch));
    w.add("tokenizer.ggml.tokens", tern::GgufValue::string_array({"a", "b", "c", "d"}));
    w.add_tensor("token_embd.weight", tern::GgmlType::F32, {8, 4}, [](uint8_t*, uint64_t) {});
    w.add_tensor("output_norm.weight", tern::GgmlType::F32, {8}, [](uint8_t*, uint64_t) {});
    w.write(path.toStdString());
    return path;
}

// A tiny complete model of the given architecture (engine/model/synthetic_model.h), with one tensor
// left out if `drop` names one.
QString writeModel(const QString& path, const std::string& arch, const std::string& drop = {}) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    tern::SyntheticOptions o;
    o.arch = arch;
    if (drop.empty()) {
        tern::write_synthetic_model(o, path.toStdString());
        return path;
    }
    const std::string full = path.toStdString() + ".full";
    tern::write_synthetic_model(o, full);
    {
        const tern::GgufFile f = tern::GgufFile::open(full);
        tern::GgufWriter w;
        for (const auto& kv : f.metadata()) w.add(kv.first, kv.second);
        for (const tern::GgufTensorInfo& t : f.tensors())
            if (t.name != drop) w.add_tensor(t.name, t.type, t.ne, f.tensor_data(t), t.nbytes);
        w.write(path.toStdString());
    }
    QFile::remove(QString::fromStdString(full));
    return path;
}
}  // namespace

TEST_CASE("library: checkGguf accepts the built-in model and names what is wrong with others", "[library]") {
    QTemporaryDir tmp;
    const GgufCheck good = checkGguf(kDefault);
    INFO(good.error.toStdString());
    REQUIRE(good.ok);
    CHECK(good.architecture == QStringLiteral("bitnet-b1.58"));
    CHECK(good.tensorCount > 10);
    CHECK(good.tensorTypes.contains(QStringLiteral("i2_s")));
    CHECK(good.memoryNeeded > 0);

    const QByteArray bytes = readFile(kDefault);
    REQUIRE(bytes.size() > 100000);
    writeFile(tmp.filePath(QStringLiteral("truncated.gguf")), bytes.left(bytes.size() / 2));
    const GgufCheck truncated = checkGguf(tmp.filePath(QStringLiteral("truncated.gguf")));
    CHECK_FALSE(truncated.ok);
    CHECK(truncated.error.contains(QStringLiteral("truncated.gguf")));

    writeFile(tmp.filePath(QStringLiteral("header.gguf")), bytes.left(200));
    CHECK_FALSE(checkGguf(tmp.filePath(QStringLiteral("header.gguf"))).ok);

    writeFile(tmp.filePath(QStringLiteral("random.gguf")), randomBytes(4096, 7));
    const GgufCheck random = checkGguf(tmp.filePath(QStringLiteral("random.gguf")));
    CHECK_FALSE(random.ok);
    CHECK(random.error.contains(QStringLiteral("not a GGUF")));

    const GgufCheck gpt2 = checkGguf(writeGguf(tmp.filePath(QStringLiteral("gpt2.gguf")), "gpt2"));
    CHECK_FALSE(gpt2.ok);
    CHECK(gpt2.architecture == QStringLiteral("gpt2"));
    CHECK(gpt2.error.contains(QStringLiteral("cannot run")));

    const GgufCheck incomplete = checkGguf(writeGguf(tmp.filePath(QStringLiteral("incomplete.gguf")), "llama"));
    CHECK_FALSE(incomplete.ok);
    CHECK(incomplete.error.contains(QStringLiteral("llama.embedding_length")));

    const GgufCheck noEmbd = checkGguf(writeModel(tmp.filePath(QStringLiteral("noembd.gguf")), "llama", "token_embd.weight"));
    CHECK_FALSE(noEmbd.ok);
    CHECK(noEmbd.error.contains(QStringLiteral("token_embd")));

    const GgufCheck llama = checkGguf(writeModel(tmp.filePath(QStringLiteral("llama.gguf")), "llama"));
    INFO(llama.error.toStdString());
    CHECK(llama.ok);
    CHECK(llama.memoryNeeded > 0);
    CHECK_FALSE(checkGguf(tmp.filePath(QStringLiteral("missing.gguf"))).ok);
    CHECK_FALSE(checkGguf(tmp.path()).ok);
}

TEST_CASE("library: import by copy, duplicates, remove", "[library]") {
    QTemporaryDir tmp;
    ModelLibrary lib(tmp.filePath(QStringLiteral("models")));
    CHECK(lib.list().isEmpty());
    CHECK_FALSE(QFileInfo::exists(lib.modelsDir()));  // nothing written yet

    QString error;
    InstalledModel m;
    qint64 lastDone = 0, lastTotal = 0;
    REQUIRE(lib.importFile(kDefault, ModelLibrary::ImportMode::Copy, &error, &m, [&](qint64 done, qint64 total) {
        lastDone = done;
        lastTotal = total;
        return true;
    }));
    CHECK(lastDone == QFileInfo(kDefault).size());
    CHECK(lastTotal == lastDone);
    CHECK(m.path == QDir(lib.modelsDir()).filePath(QStringLiteral("tern-default.gguf")));
    CHECK_FALSE(m.inPlace);
    CHECK(readFile(m.path) == readFile(kDefault));
    CHECK(m.sha256 == sha256Hex(readFile(kDefault)));  // recorded in the card while copying
    CHECK_FALSE(QFileInfo::exists(m.path + QStringLiteral(".part")));
    REQUIRE(lib.list().size() == 1);
    CHECK(lib.list()[0].sizeBytes == QFileInfo(kDefault).size());

    // Same file again, by copy or by reference: refused, and the library is unchanged.
    CHECK_FALSE(lib.importFile(kDefault, ModelLibrary::ImportMode::Copy, &error));
    CHECK(error.contains(QStringLiteral("already")));
    CHECK_FALSE(lib.importFile(m.path, ModelLibrary::ImportMode::Reference, &error));
    CHECK(error.contains(QStringLiteral("already")));
    CHECK(lib.list().size() == 1);

    // A canceled copy leaves nothing behind.
    const QString other = writeModel(tmp.filePath(QStringLiteral("other.gguf")), "llama");
    CHECK_FALSE(lib.importFile(other, ModelLibrary::ImportMode::Copy, &error, nullptr, [](qint64, qint64) { return false; }));
    CHECK(error.contains(QStringLiteral("canceled")));
    CHECK_FALSE(QFileInfo::exists(QDir(lib.modelsDir()).filePath(QStringLiteral("other.gguf"))));
    CHECK_FALSE(QFileInfo::exists(QDir(lib.modelsDir()).filePath(QStringLiteral("other.gguf.part"))));

    // Invalid files are refused before anything is written.
    writeFile(tmp.filePath(QStringLiteral("junk.gguf")), randomBytes(1000, 3));
    CHECK_FALSE(lib.importFile(tmp.filePath(QStringLiteral("junk.gguf")), ModelLibrary::ImportMode::Copy, &error));
    CHECK(error.contains(QStringLiteral("not a GGUF")));
    CHECK(lib.list().size() == 1);

    REQUIRE(lib.remove(QStringLiteral("tern-default"), &error));
    CHECK_FALSE(QFileInfo::exists(m.path));
    CHECK_FALSE(QFileInfo::exists(ModelLibrary::cardPath(m.path)));
    CHECK(lib.list().isEmpty());
    CHECK_FALSE(lib.remove(QStringLiteral("tern-default"), &error));
    CHECK(error.contains(QStringLiteral("No installed model")));
}

TEST_CASE("library: references, missing files, default model", "[library]") {
    QTemporaryDir tmp;
    ModelLibrary lib(tmp.filePath(QStringLiteral("models")));
    const QString src = writeModel(tmp.filePath(QStringLiteral("elsewhere/ref.gguf")), "bitnet");
    QString error;
    InstalledModel m;
    REQUIRE(lib.importFile(src, ModelLibrary::ImportMode::Reference, &error, &m));
    CHECK(m.inPlace);
    CHECK(m.path == QFileInfo(src).canonicalFilePath());
    CHECK(m.name == QStringLiteral("ref"));
    REQUIRE(lib.list().size() == 1);
    CHECK(lib.list()[0].inPlace);

    CHECK(lib.defaultModel().isEmpty());
    REQUIRE(lib.setDefault(QStringLiteral("ref"), &error));
    CHECK(lib.defaultModel() == m.path);
    CHECK(ModelLibrary(lib.modelsDir()).defaultModel() == m.path);  // persisted in library.json
    CHECK_FALSE(lib.setDefault(QStringLiteral("/no/such.gguf"), &error));
    CHECK(lib.defaultModel() == m.path);

    // The file disappears: still listed (so the user can forget it), marked missing.
    QFile::rename(src, src + QStringLiteral(".moved"));
    REQUIRE(lib.list().size() == 1);
    CHECK(lib.list()[0].missing);
    QFile::rename(src + QStringLiteral(".moved"), src);

    // Removing a reference forgets it and keeps the file; the default goes back to built-in.
    REQUIRE(lib.remove(m.path, &error));
    CHECK(QFileInfo::exists(src));
    CHECK(lib.list().isEmpty());
    CHECK(lib.defaultModel().isEmpty());
    REQUIRE(lib.setDefault(QString(), &error));
}

TEST_CASE("library: the default models folder is the app's and never the real one in tests", "[library]") {
    const QString dir = ModelLibrary::defaultModelsDir();
    CHECK(dir.endsWith(QStringLiteral("/models")));
    CHECK(dir.contains(QStringLiteral("qttest"), Qt::CaseInsensitive));  // QStandardPaths test mode
}
