// Whole downloads against a real local server: success, checksum, HTTP errors, retries,
// redirects, stalls, free space, cancel.
#include "app/modelstore/download_manager.h"
#include "app/modelstore/sha256.h"
#include "support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <catch2/catch.hpp>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
constexpr qint64 kSize = 3 * 1000 * 1000 + 17;  // not a multiple of any buffer size

struct Fixture {
    WebRoot web{kSize};
    HttpServer server{web.dir.path()};
    QTemporaryDir models;
    DownloadManager manager{models.path()};
    Fixture() {
        QString error;
        INFO(error.toStdString());
        REQUIRE(server.start(&error));
        manager.setRetryPolicy(fastRetries());
    }
    QString modelPath() const { return QDir(models.path()).filePath(QStringLiteral("test-model.gguf")); }
    bool nothingLeft() const {
        return !QFileInfo::exists(modelPath()) && !QFileInfo::exists(modelPath() + QStringLiteral(".part")) &&
               !QFileInfo::exists(modelPath() + QStringLiteral(".part.json"));
    }
};

QJsonObject card(const QString& modelPath) {
    QString base = modelPath;
    base.chop(5);
    return QJsonDocument::fromJson(readFile(base + QStringLiteral(".json"))).object();
}
}  // namespace

TEST_CASE("download: SHA-256 gives the standard digests, fed in any pieces", "[download]") {
    INFO(Sha256::backend());
    Sha256 h;
    CHECK(h.result().toHex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    h.reset();
    h.addData(QByteArray("abc"));
    CHECK(h.result().toHex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const QByteArray data = randomBytes(1000003, 5);
    h.reset();
    for (qint64 at = 0, step = 1; at < data.size(); at += step, step = step * 3 % 65537 + 1)
        h.addData(data.constData() + at, std::min<qint64>(step, data.size() - at));
    CHECK(h.result() == QCryptographicHash::hash(data, QCryptographicHash::Sha256));
}

TEST_CASE("download: a whole file, verified, renamed, with its card", "[download]") {
    Fixture f;
    QString installedPath, installedId;
    QObject::connect(&f.manager, &DownloadManager::installed, [&](const QString& p, const QString& id) {
        installedPath = p;
        installedId = id;
    });
    int progressSignals = 0;
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    QObject::connect(d, &Download::progressChanged, [&] { ++progressSignals; });
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->sha256() == f.web.sha);
    CHECK(d->received() == kSize);
    CHECK(d->total() == kSize);
    CHECK(d->bytesFetched() == kSize);
    CHECK(progressSignals > 0);
    CHECK(installedPath == f.modelPath());
    CHECK(installedId == QStringLiteral("test-model"));
    CHECK_FALSE(QFileInfo::exists(d->partPath()));
    CHECK_FALSE(QFileInfo::exists(d->journalPath()));
    const QJsonObject c = card(f.modelPath());
    CHECK(c.value(QStringLiteral("name")).toString() == QStringLiteral("Test model"));
    CHECK(c.value(QStringLiteral("sha256")).toString() == f.web.sha);
}

TEST_CASE("download: without a known hash, the hash is recorded on first download", "[download]") {
    Fixture f;
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data, false));
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(card(f.modelPath()).value(QStringLiteral("sha256")).toString() == f.web.sha);
}

TEST_CASE("download: a corrupted byte fails the checksum and leaves nothing", "[download]") {
    Fixture f;
    QByteArray bad = f.web.data;
    bad[1234567] = static_cast<char>(bad[1234567] ^ 0x01);
    writeFile(f.web.path(QStringLiteral("corrupt.gguf")), bad);
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("corrupt.gguf")), f.web.data));
    REQUIRE(waitSettled(d));
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("Checksum mismatch")));
    CHECK(d->message().contains(QStringLiteral("deleted")));
    CHECK(f.nothingLeft());
}

TEST_CASE("download: a file that is not a runnable model is not installed", "[download]") {
    Fixture f;
    // What a bare URL may well bring: text (a README, an HTML error page) with no hash to check.
    const QByteArray text = "This repository holds the model card only.\n";
    writeFile(f.web.path(QStringLiteral("README")), text);
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("README")), text, false));
    REQUIRE(waitSettled(d));
    CHECK(d->status() == DownloadStatus::Failed);
    INFO(d->message().toStdString());
    CHECK(d->message().contains(QStringLiteral("is not a model Tern can run")));
    CHECK(d->message().contains(QStringLiteral("not a GGUF model file")));
    CHECK(f.nothingLeft());
}

TEST_CASE("download: HTTP 404 fails at once with a clear message", "[download]") {
    Fixture f;
    const QString url = f.server.url(QStringLiteral("no-such-model.gguf"));
    Download* d = f.manager.add(specFor(url, f.web.data));
    REQUIRE(waitSettled(d, 5000));
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message() == QStringLiteral("The server has no such file (HTTP 404): %1").arg(url));
    CHECK(f.nothingLeft());
}

TEST_CASE("download: the size the server gives must be the expected one", "[download]") {
    Fixture f;
    DownloadSpec spec = specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data);
    spec.expectedSize = kSize + 1;
    Download* d = f.manager.add(spec);
    REQUIRE(waitSettled(d));
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("expected")));
    CHECK(f.nothingLeft());
}

TEST_CASE("download: cancel removes the .part and the journal", "[download]") {
    Fixture f;
    f.manager.setRateLimit(400 * 1000);
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    REQUIRE(waitFor([&] { return d->received() > 100 * 1000 && QFileInfo::exists(d->journalPath()); }, 10000));
    CHECK(QFileInfo::exists(d->partPath()));
    d->cancel();
    CHECK(d->status() == DownloadStatus::Canceled);
    CHECK(f.nothingLeft());
    // and nothing comes back later from a reply still in flight
    waitFor([] { return false; }, 300);
    CHECK(f.nothingLeft());
}

TEST_CASE("download: a second downloader of the same file (another process) is refused", "[download]") {
    Fixture f;
    f.manager.setRateLimit(2 * 1000 * 1000);
    const DownloadSpec spec = specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data);
    Download* first = f.manager.add(spec);
    REQUIRE(waitFor([&] { return first->received() > 0; }, 10000));
    CHECK(QFileInfo::exists(first->partPath() + QStringLiteral(".lock")));
    DownloadManager other(f.models.path());  // as the tool would, while the app downloads
    const QByteArray journalBefore = readFile(first->journalPath());
    REQUIRE_FALSE(journalBefore.isEmpty());
    Download* second = other.add(spec);
    CHECK(readFile(first->journalPath()).contains("\"state\": \"running\""));  // not overwritten with "failed"
    CHECK(second->status() == DownloadStatus::Failed);
    CHECK(second->message().contains(QStringLiteral("already being downloaded")));
    second->cancel();  // must not delete the other's .part
    CHECK(second->status() == DownloadStatus::Canceled);
    CHECK(QFileInfo::exists(first->partPath()));
    f.manager.setRateLimit(0);
    REQUIRE(waitSettled(first));
    REQUIRE(first->status() == DownloadStatus::Done);  // its files were left alone
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK_FALSE(QFileInfo::exists(first->partPath() + QStringLiteral(".lock")));
}

TEST_CASE("faults: HTTP 500 is retried with backoff, then succeeds", "[faults]") {
    Fixture f;
    f.web.setFlakyFailures(2);
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("cgi-bin/flaky")), f.web.data));
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    // Two 500s were configured; Qt may itself resend a GET whose connection dropped before the
    // answer, which can use up one of them, so at least one retry is seen (all are 500s).
    REQUIRE_FALSE(retries.isEmpty());
    for (const QString& r : retries) CHECK(r.contains(QStringLiteral("HTTP 500")));
    CHECK(readFile(f.web.path(QStringLiteral("flaky.count"))).trimmed() == "0");
}

TEST_CASE("faults: a server that keeps failing gives up after the attempts allowed", "[faults]") {
    Fixture f;
    f.web.setFlakyFailures(1000);
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("cgi-bin/flaky")), f.web.data));
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d));
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("HTTP 500")));
    CHECK(d->message().contains(QStringLiteral("Gave up after 4 attempts")));
    // Exponential backoff between the 4 attempts: 50, 100, 200 ms (fastRetries()).
    REQUIRE(retries.size() == 3);
    CHECK(retries[0].endsWith(QStringLiteral("retrying in 0.05 s")));
    CHECK(retries[1].endsWith(QStringLiteral("retrying in 0.1 s")));
    CHECK(retries[2].endsWith(QStringLiteral("retrying in 0.2 s")));
    CHECK(f.nothingLeft());
}

TEST_CASE("faults: a redirect chain is followed", "[faults]") {
    Fixture f;
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("cgi-bin/r1")), f.web.data));
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
}

TEST_CASE("faults: a stalled connection is dropped and retried", "[faults]") {
    Fixture f;
    Download* d = f.manager.add(specFor(f.server.url(QStringLiteral("cgi-bin/stall")), f.web.data));
    QStringList retries;
    recordRetries(d, retries);
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    REQUIRE(retries.size() >= 1);
    CHECK(retries[0].contains(QStringLiteral("stalled")));
}

TEST_CASE("faults: not enough free space pauses before anything is fetched", "[faults]") {
    Fixture f;
    DownloadSpec spec = specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data);
    spec.expectedSize = qint64{1} << 53;  // 9 PB: no test machine has that free
    Download* d = f.manager.add(spec);
    REQUIRE(waitSettled(d, 5000));
    CHECK(d->status() == DownloadStatus::Paused);
    CHECK(d->pausedByError());
    CHECK(d->message().contains(QStringLiteral("Not enough free space")));
    CHECK(d->bytesFetched() == 0);
}
