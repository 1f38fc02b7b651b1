// The tern-models executable as users run it: killed with SIGKILL mid-pull and run again,
// interrupted with SIGINT, run under a file-size limit (a full disk), and its other commands.
#include "app/modelstore/download_journal.h"
#include "support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <catch2/catch.hpp>
#include <csignal>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
constexpr qint64 kSize = 4 * 1000 * 1000 + 11;
const QString kExe = QStringLiteral(TERN_MODELS_EXE);

struct Run {
    int code = -1;
    QString out, err;
};

Run run(const QStringList& args, int timeoutMs = 30000) {
    QProcess p;
    p.start(kExe, args);
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

struct Fixture {
    WebRoot web{kSize};
    HttpServer server{web.dir.path()};
    QTemporaryDir models;
    Fixture() {
        QString error;
        INFO(error.toStdString());
        REQUIRE(server.start(&error));
    }
    QString modelPath() const { return QDir(models.path()).filePath(QStringLiteral("model.gguf")); }
    QString partPath() const { return modelPath() + QStringLiteral(".part"); }
    QStringList pull(const QStringList& extra = {}) const {
        return QStringList{QStringLiteral("--models-dir"), models.path(), QStringLiteral("pull"),
                           server.url(QStringLiteral("model.gguf")), QStringLiteral("--sha256"), web.sha} +
               extra;
    }
};

qint64 fetchedThisRun(const QString& out) {
    static const QRegularExpression re(QStringLiteral("(\\d+) bytes fetched this run"));
    const auto m = re.match(out);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}
}  // namespace

TEST_CASE("tool: killed with SIGKILL mid-pull, the next run resumes from the .part", "[tool]") {
    Fixture f;
    QProcess p;
    p.start(kExe, f.pull({QStringLiteral("--limit-rate"), QStringLiteral("2M")}));
    REQUIRE(p.waitForStarted());
    REQUIRE(waitFor([&] { return QFileInfo(f.partPath()).size() > kSize / 4 && QFileInfo::exists(f.partPath() + QStringLiteral(".json")); }, 15000));
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    REQUIRE(p.waitForFinished(5000));
    const qint64 kept = QFileInfo(f.partPath()).size();
    CHECK(kept > 0);
    CHECK(kept < kSize);
    CHECK_FALSE(QFileInfo::exists(f.modelPath()));

    const Run r = run(f.pull());
    INFO(r.err.toStdString());
    REQUIRE(r.code == 0);
    CHECK(r.err.contains(QStringLiteral("Resuming model.gguf from")));
    CHECK(readFile(f.modelPath()) == f.web.data);
    const qint64 fetched = fetchedThisRun(r.out);
    CHECK(fetched > 0);
    CHECK(fetched <= kSize - kept + Download::kResumeOverlap);  // only the rest (and the checked overlap)
    CHECK_FALSE(QFileInfo::exists(f.partPath()));
    CHECK_FALSE(QFileInfo::exists(f.partPath() + QStringLiteral(".json")));
}

TEST_CASE("tool: SIGINT pauses, keeps the .part and exits 130", "[tool]") {
    Fixture f;
    QProcess p;
    p.start(kExe, f.pull({QStringLiteral("--limit-rate"), QStringLiteral("1M")}));
    REQUIRE(p.waitForStarted());
    REQUIRE(waitFor([&] { return QFileInfo(f.partPath()).size() > 100000; }, 15000));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    REQUIRE(p.waitForFinished(5000));
    CHECK(p.exitStatus() == QProcess::NormalExit);
    CHECK(p.exitCode() == 130);
    CHECK(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("run the same command again")));
    DownloadJournal j;
    REQUIRE(DownloadJournal::load(f.partPath() + QStringLiteral(".json"), &j));
    CHECK(j.state == QStringLiteral("paused"));
    CHECK(j.received == QFileInfo(f.partPath()).size());
    const Run r = run(f.pull());
    REQUIRE(r.code == 0);
    CHECK(readFile(f.modelPath()) == f.web.data);
}

TEST_CASE("tool: a full disk (file-size limit) pauses with exit 3; a later run completes", "[tool]") {
    Fixture f;
    // ulimit -f counts 512-byte blocks in sh (dash): 2048 blocks = 1 MiB.
    QProcess p;
    QStringList args;
    for (const QString& a : f.pull()) args << QLatin1Char('\'') + a + QLatin1Char('\'');
    p.start(QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("ulimit -f 2048; exec '%1' %2").arg(kExe, args.join(QLatin1Char(' ')))});
    REQUIRE(p.waitForFinished(30000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    INFO(err.toStdString());
    CHECK(p.exitStatus() == QProcess::NormalExit);  // not killed by SIGXFSZ
    CHECK(p.exitCode() == 3);
    CHECK(err.contains(QStringLiteral("Could not write")));
    CHECK_FALSE(err.contains(QStringLiteral("Unknown error")));  // the real reason (EFBIG) is named
    CHECK(err.contains(QStringLiteral("resume")));
    CHECK(QFileInfo(f.partPath()).size() == 1024 * 1024);  // everything up to the limit is kept
    DownloadJournal j;
    REQUIRE(DownloadJournal::load(f.partPath() + QStringLiteral(".json"), &j));
    CHECK(j.state == QStringLiteral("paused"));
    CHECK_FALSE(j.message.isEmpty());
    CHECK_FALSE(QFileInfo::exists(f.modelPath()));

    const Run r = run(f.pull());
    INFO(r.err.toStdString());
    REQUIRE(r.code == 0);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(fetchedThisRun(r.out) == kSize - 1024 * 1024 + Download::kResumeOverlap);
}

TEST_CASE("tool: errors have exit codes and messages", "[tool]") {
    Fixture f;
    const Run notFound = run({QStringLiteral("--models-dir"), f.models.path(), QStringLiteral("pull"),
                              f.server.url(QStringLiteral("missing.gguf"))});
    CHECK(notFound.code == 1);
    CHECK(notFound.err.contains(QStringLiteral("HTTP 404")));
    const Run bad = run(f.pull({QStringLiteral("--limit-rate"), QStringLiteral("fast")}));
    CHECK(bad.code == 2);
    CHECK(run({QStringLiteral("frobnicate")}).code == 2);
    CHECK(run({QStringLiteral("pull")}).code == 2);
    const Run unknown = run({QStringLiteral("--models-dir"), f.models.path(), QStringLiteral("--catalog"),
                             QStringLiteral(TERN_SOURCE_CATALOG), QStringLiteral("pull"), QStringLiteral("no-such-model")});
    CHECK(unknown.code == 1);
    CHECK(unknown.err.contains(QStringLiteral("No model no-such-model in the catalog")));
    const Run help = run({QStringLiteral("--help")});
    CHECK(help.code == 0);
    CHECK(help.out.contains(QStringLiteral("pull ID|URL")));
    const Run version = run({QStringLiteral("--version")});
    CHECK(version.out == QStringLiteral("tern-models %1\n").arg(QStringLiteral(TERN_VERSION)));
}

TEST_CASE("tool: pull ID from a catalog writes the card, with the hash recorded on first download", "[tool]") {
    Fixture f;
    const QString catalog = f.web.path(QStringLiteral("catalog.json"));
    writeFile(catalog, QStringLiteral(R"({"version":1,"models":[{"id":"tiny","name":"Tiny Model","description":"for tests",
        "license":"MIT","url":"%1","file":"tiny.gguf","size":%2,"ram":1000000,"sha256":null,
        "hash_on_first_download":true,"recommended":{"temperature":0.5}}]})")
                           .arg(f.server.url(QStringLiteral("model.gguf")))
                           .arg(kSize)
                           .toUtf8());
    const QStringList base{QStringLiteral("--models-dir"), f.models.path(), QStringLiteral("--catalog"), catalog};
    const Run r = run(base + QStringList{QStringLiteral("pull"), QStringLiteral("tiny")});
    INFO(r.err.toStdString());
    REQUIRE(r.code == 0);
    const QString model = QDir(f.models.path()).filePath(QStringLiteral("tiny.gguf"));
    CHECK(readFile(model) == f.web.data);
    const QJsonObject card = QJsonDocument::fromJson(readFile(QDir(f.models.path()).filePath(QStringLiteral("tiny.json")))).object();
    CHECK(card.value(QStringLiteral("name")).toString() == QStringLiteral("Tiny Model"));
    CHECK(card.value(QStringLiteral("license")).toString() == QStringLiteral("MIT"));
    CHECK(card.value(QStringLiteral("sha256")).toString() == f.web.sha);
    CHECK(card.value(QStringLiteral("recommended")).toObject().value(QStringLiteral("temperature")).toDouble() == 0.5);
    const Run listed = run(base + QStringList{QStringLiteral("list")});
    CHECK(listed.out.contains(QStringLiteral("[installed]")));
    CHECK(listed.out.contains(QStringLiteral("Fits")));
    const Run again = run(base + QStringList{QStringLiteral("pull"), QStringLiteral("tiny")});
    CHECK(again.code == 0);
    CHECK(again.out.contains(QStringLiteral("already installed")));
}

TEST_CASE("tool: list, import, remove", "[tool]") {
    QTemporaryDir models;
    const QString dir = models.path();
    const Run empty = run({QStringLiteral("--models-dir"), dir, QStringLiteral("--catalog"),
                           QStringLiteral(TERN_SOURCE_CATALOG), QStringLiteral("list")});
    REQUIRE(empty.code == 0);
    CHECK(empty.out.contains(QStringLiteral("bitnet")));
    CHECK(empty.out.contains(QStringLiteral("(none)")));

    const Run imp = run({QStringLiteral("--models-dir"), dir, QStringLiteral("import"), QStringLiteral(TERN_DEFAULT_GGUF)});
    INFO(imp.err.toStdString());
    REQUIRE(imp.code == 0);
    CHECK(QFileInfo::exists(QDir(dir).filePath(QStringLiteral("tern-default.gguf"))));
    const Run again = run({QStringLiteral("--models-dir"), dir, QStringLiteral("import"), QStringLiteral(TERN_DEFAULT_GGUF)});
    CHECK(again.code == 1);
    CHECK(again.err.contains(QStringLiteral("already")));

    const Run listed = run({QStringLiteral("--models-dir"), dir, QStringLiteral("--catalog"),
                            QStringLiteral(TERN_SOURCE_CATALOG), QStringLiteral("list")});
    CHECK(listed.out.contains(QStringLiteral("tern-default")));

    const Run rm = run({QStringLiteral("--models-dir"), dir, QStringLiteral("remove"), QStringLiteral("tern-default")});
    CHECK(rm.code == 0);
    CHECK_FALSE(QFileInfo::exists(QDir(dir).filePath(QStringLiteral("tern-default.gguf"))));
    CHECK(run({QStringLiteral("--models-dir"), dir, QStringLiteral("remove"), QStringLiteral("tern-default")}).code == 1);
}
