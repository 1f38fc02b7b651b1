// Servers that lie, against a scripted server on 127.0.0.1 (scripted_server.h): a resume that
// claims the right range but sends other bytes, a body without Content-Length cut short, a wrong
// Content-Range on every resume, an impossible Content-Length, a byte-at-a-time trickle.
#include "app/modelstore/download_manager.h"
#include "scripted_server.h"
#include "support.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <catch2/catch.hpp>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
constexpr qint64 kSize = 3 * 1000 * 1000 + 29;

// The whole file, cut after `cut` bytes when cut >= 0; with or without its length.
ScriptedAnswer wholeFile(const QByteArray& data, qint64 cut = -1, bool withLength = true) {
    ScriptedAnswer a;
    a.headers = withLength ? contentLength(data.size()) : QByteArray();
    a.body = data;
    a.sendBytes = cut;
    return a;
}

// An honest answer to "Range: bytes=from-".
ScriptedAnswer rangeFrom(const QByteArray& data, qint64 from) {
    ScriptedAnswer a;
    a.status = 206;
    a.headers = contentRange(from, data.size() - 1, data.size()) + contentLength(data.size() - from);
    a.body = data.mid(static_cast<qsizetype>(from));
    return a;
}

// How the server answers, given the file it serves.
using Lie = std::function<ScriptedAnswer(const QByteArray& data, const ScriptedRequest&)>;

struct Fixture {
    explicit Fixture(Lie lie) : server([this, lie](const ScriptedRequest& r) { return lie(data, r); }) {
        QString error;
        INFO(error.toStdString());
        REQUIRE(server.start(&error));
        manager.setRetryPolicy(fastRetries());
    }
    const QByteArray data = modelBytes(kSize, 41);  // before server: the script reads it
    ScriptedServer server;
    QTemporaryDir models;
    DownloadManager manager{models.path()};
    QString modelPath() const { return QDir(models.path()).filePath(QStringLiteral("test-model.gguf")); }
    // As for a bare URL (tern-models pull URL): no size known in advance, hash optional.
    Download* add(bool withHash) {
        DownloadSpec spec = specFor(server.url(QStringLiteral("model.gguf")), data, withHash);
        spec.expectedSize = 0;
        return manager.add(spec);
    }
};
}  // namespace

TEST_CASE("lies: a resume that claims the right range but sends bytes from offset 0 is caught and restarted", "[lies]") {
    Fixture f([](const QByteArray& data, const ScriptedRequest& r) {
        if (r.rangeStart < 0) return wholeFile(data, r.index == 0 ? data.size() / 2 : -1);
        // Right Content-Range, wrong bytes: the file again from its first byte.
        ScriptedAnswer a = rangeFrom(data, r.rangeStart);
        a.body = data.left(a.body.size());
        return a;
    });
    Download* d = f.add(false);  // no --sha256: nothing but the resume check can notice
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString() << " / retries: " << retries.join(QLatin1String(" | ")).toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(sha256Hex(readFile(f.modelPath())) == sha256Hex(f.data));  // hashes: a readable failure
    CHECK(d->sha256() == sha256Hex(f.data));
    REQUIRE_FALSE(retries.isEmpty());
    CHECK(retries.filter(QStringLiteral("resume was inconsistent")).size() == 1);
}

TEST_CASE("lies: an answer without Content-Length cut short is resumed, not taken as complete", "[lies]") {
    Fixture f([](const QByteArray& data, const ScriptedRequest& r) {
        if (r.rangeStart < 0) return wholeFile(data, data.size() / 2, false);
        return rangeFrom(data, r.rangeStart);
    });
    Download* d = f.add(true);
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(sha256Hex(readFile(f.modelPath())) == sha256Hex(f.data));  // hashes: a readable failure
    // The first half once, then the rest with the overlap the resume checks.
    CHECK(d->bytesFetched() == kSize + Download::kResumeOverlap);
    REQUIRE(retries.size() == 1);
    CHECK(retries[0].contains(QStringLiteral("how long the file is")));
}

TEST_CASE("lies: a wrong Content-Range on every resume ends after the attempts allowed", "[lies]") {
    Fixture f([](const QByteArray& data, const ScriptedRequest& r) {
        if (r.rangeStart < 0) return wholeFile(data, 200 * 1000);
        ScriptedAnswer a = rangeFrom(data, 0);  // "bytes 0-...": not what was asked
        return a;
    });
    Download* d = f.add(true);
    // Before the fix every restart re-fetched the same 200 kB, which counted as progress and
    // forgave the failures: it never stopped (41 requests a minute).
    REQUIRE(waitSettled(d, 15000));
    INFO(d->message().toStdString());
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("Gave up after 4 attempts")));
    // 4 attempts; Qt may resend a request on its own when a connection closes under it, so
    // allow up to twice that (the old code made dozens).
    CHECK(f.server.requests() <= 8);
}

TEST_CASE("lies: a server trickling a byte at a time is dropped as too slow", "[lies]") {
    Fixture f([](const QByteArray& data, const ScriptedRequest&) {
        ScriptedAnswer a = wholeFile(data);
        a.trickleMs = 100;  // well inside the stall timeout: only a minimum rate notices
        return a;
    });
    RetryPolicy p = fastRetries(3);
    p.slowWindowMs = 1000;
    p.slowMinBytes = 4096;
    f.manager.setRetryPolicy(p);
    Download* d = f.add(true);
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d, 15000));
    INFO(d->message().toStdString());
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("too slowly")));
    CHECK(d->message().contains(QStringLiteral("Gave up after 3 attempts")));
    CHECK(retries.size() == 2);
}

TEST_CASE("lies: tern-models calls an impossible Content-Length a server error, not a disk problem", "[lies]") {
    Fixture f([](const QByteArray& data, const ScriptedRequest&) {
        ScriptedAnswer a;
        a.headers = "Content-Length: 4611686018427387904\r\n";  // 2^62
        a.body = data.left(1000);
        return a;
    });
    QProcess p;
    p.start(QStringLiteral(TERN_MODELS_EXE),
            {QStringLiteral("--models-dir"), f.models.path(), QStringLiteral("pull"), f.server.url(QStringLiteral("model.gguf"))});
    REQUIRE(p.waitForFinished(20000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    INFO(err.toStdString());
    CHECK(p.exitStatus() == QProcess::NormalExit);
    CHECK(p.exitCode() == 1);  // an error, not 3 (paused by a disk problem)
    CHECK(err.contains(QStringLiteral("impossible size")));
    CHECK(err.contains(QStringLiteral("4611686018427387904")));
    CHECK_FALSE(err.contains(QStringLiteral("more is needed")));
    CHECK_FALSE(QFileInfo::exists(QDir(f.models.path()).filePath(QStringLiteral("model.gguf.part"))));
}
