// Resuming: after the server dies mid-transfer, after a pause, after the process that ran the
// download is gone, and against a server that ignores Range.
#include "app/modelstore/download_journal.h"
#include "app/modelstore/download_manager.h"
#include "support.h"

#include <QDir>
#include <QFileInfo>
#include <catch2/catch.hpp>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
constexpr qint64 kSize = 4 * 1000 * 1000 + 3;
constexpr qint64 kRate = 2 * 1000 * 1000;  // bytes/s: slow enough to interrupt, fast enough to finish

struct Fixture {
    explicit Fixture(qint64 size = kSize) : web(size) {
        QString error;
        INFO(error.toStdString());
        REQUIRE(server.start(&error));
    }
    WebRoot web;
    HttpServer server{web.dir.path()};
    QTemporaryDir models;
    QString modelPath() const { return QDir(models.path()).filePath(QStringLiteral("test-model.gguf")); }
};
}  // namespace

TEST_CASE("resume: the server dies mid-transfer and comes back; only the rest is fetched", "[resume]") {
    // Bigger than what the kernel's socket buffers hold in flight (several MB on loopback), or
    // the whole file would already have left the server when it dies.
    constexpr qint64 size = 24 * 1000 * 1000;
    Fixture f(size);
    DownloadManager manager(f.models.path());
    RetryPolicy p = fastRetries(10);
    p.firstDelayMs = 200;
    manager.setRetryPolicy(p);
    manager.setRateLimit(2 * kRate);
    Download* d = manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    bool retried = false;
    QObject::connect(d, &Download::statusChanged, [&] { retried = retried || d->status() == DownloadStatus::Retrying; });
    REQUIRE(waitFor([&] { return d->received() > 1000 * 1000; }, 10000));
    const qint64 atKill = d->received();
    f.server.stop();
    // The bytes already in flight (socket buffers) arrive first; then the broken connection shows.
    const bool sawRetry = waitFor([&] { return retried || d->status() == DownloadStatus::Done; }, 15000) && retried;
    INFO("received at kill " << atKill << ", now " << d->received() << ", status " << statusLabel(d->status()).toStdString()
                             << ", message " << d->message().toStdString());
    REQUIRE(sawRetry);
    const qint64 atCrash = d->received();
    CHECK(atCrash < size);
    QString error;
    REQUIRE(f.server.start(&error));
    manager.setRateLimit(0);
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    // Every byte crossed the network once, but for the overlap the resume asks for again and checks.
    CHECK(d->bytesFetched() == size + Download::kResumeOverlap);
}

TEST_CASE("resume: after giving up, the .part is kept and a later resume continues", "[resume]") {
    constexpr qint64 size = 24 * 1000 * 1000;  // more than the socket buffers hold (see above)
    Fixture f(size);
    DownloadManager manager(f.models.path());
    manager.setRetryPolicy(fastRetries(3));
    manager.setRateLimit(2 * kRate);
    Download* d = manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    REQUIRE(waitFor([&] { return d->received() > 1000 * 1000; }, 10000));
    f.server.stop();  // and it stays down
    REQUIRE(waitSettled(d, 20000));
    CHECK(d->status() == DownloadStatus::Failed);
    CHECK(d->message().contains(QStringLiteral("Gave up after 3 attempts")));
    const qint64 kept = QFileInfo(d->partPath()).size();
    CHECK(kept > 1000 * 1000);
    DownloadJournal j;
    REQUIRE(DownloadJournal::load(d->journalPath(), &j));
    CHECK(j.state == QStringLiteral("failed"));

    QString error;
    REQUIRE(f.server.start(&error));
    manager.setRateLimit(0);
    d->resume();
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->bytesFetched() == size + Download::kResumeOverlap);
}

TEST_CASE("resume: pause and resume continue from the .part", "[resume]") {
    Fixture f;
    DownloadManager manager(f.models.path());
    manager.setRateLimit(kRate);
    Download* d = manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    REQUIRE(waitFor([&] { return d->received() > kSize / 4; }, 10000));
    d->pause();
    CHECK(d->status() == DownloadStatus::Paused);
    CHECK_FALSE(d->pausedByError());
    const qint64 kept = QFileInfo(d->partPath()).size();
    CHECK(kept == d->received());
    DownloadJournal j;
    REQUIRE(DownloadJournal::load(d->journalPath(), &j));
    CHECK(j.state == QStringLiteral("paused"));
    CHECK(j.etag.startsWith(QLatin1Char('"')));  // busybox gives a strong ETag, used for If-Range
    manager.setRateLimit(0);
    d->resume();
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->bytesFetched() == kSize + Download::kResumeOverlap);
}

TEST_CASE("resume: a new process picks up the journal and goes on", "[resume]") {
    Fixture f;
    qint64 stoppedAt = 0;
    {
        DownloadManager first(f.models.path());
        first.setRateLimit(kRate);
        Download* d = first.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
        REQUIRE(waitFor([&] { return d->received() > kSize / 4; }, 10000));
        stoppedAt = d->received();
    }  // destroyed while running, as when the app quits
    DownloadManager second(f.models.path());
    second.restore(true);
    REQUIRE(second.downloads().size() == 1);
    Download* d = second.downloads().first();
    CHECK(d->spec().id == QStringLiteral("test-model"));
    CHECK(d->received() >= stoppedAt);
    const qint64 onDisk = d->received();
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->bytesFetched() == kSize - onDisk + Download::kResumeOverlap);

    // A paused one stays paused after a restart.
    QFile::remove(f.modelPath());
    {
        DownloadManager first(f.models.path());
        first.setRateLimit(kRate);
        Download* p = first.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
        REQUIRE(waitFor([&] { return p->received() > 0; }, 10000));
        p->pause();
    }
    DownloadManager third(f.models.path());
    third.restore(true);
    REQUIRE(third.downloads().size() == 1);
    CHECK(third.downloads().first()->status() == DownloadStatus::Paused);
}

TEST_CASE("resume: a server that ignores Range makes the download restart cleanly from zero", "[resume]") {
    Fixture f;
    DownloadManager manager(f.models.path());
    manager.setRateLimit(kRate);
    Download* d = manager.add(specFor(f.server.url(QStringLiteral("cgi-bin/full")), f.web.data));
    REQUIRE(waitFor([&] { return d->received() > kSize / 4; }, 10000));
    d->pause();
    const qint64 before = d->bytesFetched();
    manager.setRateLimit(0);
    d->resume();
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->bytesFetched() == before + kSize);  // the whole file again, nothing spliced
}

TEST_CASE("resume: a complete .part is verified without the network", "[resume]") {
    Fixture f;
    const DownloadSpec spec = specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data);
    const QString part = f.modelPath() + QStringLiteral(".part");
    writeFile(part, f.web.data);
    DownloadJournal j;
    j.id = spec.id;
    j.url = spec.url;
    j.fileName = spec.fileName;
    j.sha256 = spec.sha256;
    j.expectedSize = spec.expectedSize;
    j.state = QStringLiteral("running");
    REQUIRE(j.save(DownloadJournal::pathFor(part)));
    f.server.stop();  // any request would fail
    DownloadManager manager(f.models.path());
    manager.restore(true);
    REQUIRE(manager.downloads().size() == 1);
    Download* d = manager.downloads().first();
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(d->bytesFetched() == 0);
    CHECK(readFile(f.modelPath()) == f.web.data);
}

TEST_CASE("resume: a journal left beside an installed model is dropped, not shown", "[resume]") {
    Fixture f;
    writeFile(f.modelPath(), f.web.data);
    DownloadJournal j;
    j.id = QStringLiteral("test-model");
    j.url = QUrl(f.server.url(QStringLiteral("model.gguf")));
    j.fileName = QStringLiteral("test-model.gguf");
    j.state = QStringLiteral("running");
    const QString journal = DownloadJournal::pathFor(f.modelPath() + QStringLiteral(".part"));
    REQUIRE(j.save(journal));
    DownloadManager manager(f.models.path());
    manager.restore(true);
    CHECK(manager.downloads().isEmpty());
    CHECK_FALSE(QFileInfo::exists(journal));
    CHECK(readFile(f.modelPath()) == f.web.data);
}

TEST_CASE("resume: a .part from another URL is not continued", "[resume]") {
    Fixture f;
    const QString part = f.modelPath() + QStringLiteral(".part");
    writeFile(part, randomBytes(1000, 99));  // junk with no journal: cannot be trusted
    DownloadManager manager(f.models.path());
    Download* d = manager.add(specFor(f.server.url(QStringLiteral("model.gguf")), f.web.data));
    REQUIRE(waitSettled(d));
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(readFile(f.modelPath()) == f.web.data);
    CHECK(d->bytesFetched() == kSize);
}
