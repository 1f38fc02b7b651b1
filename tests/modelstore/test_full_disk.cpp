// A disk that fills up mid-download (a small tmpfs, filled by another file as by another
// program): the download pauses, and what it downloaded stays resumable, journal included.
#include "app/modelstore/download_journal.h"
#include "app/modelstore/download_manager.h"
#include "support.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <catch2/catch.hpp>

#ifdef Q_OS_LINUX
#include <sys/mount.h>
#include <cerrno>
#include <cstring>
#endif

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
constexpr qint64 kSize = 4 * 1000 * 1000 + 7;

// A tmpfs of `bytes` mounted on a folder of its own temporary folder, unmounted by the
// destructor (so on every way out of a test, REQUIRE failures included). Needs root (or
// CAP_SYS_ADMIN); why() says what failed otherwise.
class SmallDisk {
public:
    explicit SmallDisk(qint64 bytes) {
#ifdef Q_OS_LINUX
        const QByteArray opts = "size=" + QByteArray::number(bytes);
        const QByteArray target = QFile::encodeName(path());
        if (::mount("tmpfs", target.constData(), "tmpfs", 0, opts.constData()) == 0) mounted_ = true;
        else why_ = QStringLiteral("mount -t tmpfs: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
#else
        Q_UNUSED(bytes);
        why_ = QStringLiteral("tmpfs mounts are Linux only");
#endif
    }
    ~SmallDisk() {
#ifdef Q_OS_LINUX
        // Lazy if busy (a file still open somewhere): the mount goes away once it is closed.
        if (mounted_ && ::umount2(QFile::encodeName(path()).constData(), 0) != 0)
            ::umount2(QFile::encodeName(path()).constData(), MNT_DETACH);
#endif
    }
    SmallDisk(const SmallDisk&) = delete;
    SmallDisk& operator=(const SmallDisk&) = delete;
    bool mounted() const { return mounted_; }
    QString why() const { return why_; }
    QString path() const { return mountPoint_.path(); }

    // Writes a file until the disk refuses; returns the bytes written.
    qint64 fill(const QString& name) const {
        QFile f(QDir(path()).filePath(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) return 0;
        qint64 total = 0;
        const QByteArray block(64 * 1024, 'x');
        for (qint64 step = block.size(); step > 0; step /= 2) {  // then smaller, down to the last byte
            while (f.write(block.constData(), step) == step) total += step;
        }
        return total;
    }

private:
    QTemporaryDir mountPoint_;
    bool mounted_ = false;
    QString why_;
};
}  // namespace

TEST_CASE("fulldisk: the disk filling up mid-download pauses it; the journal survives and a later run resumes", "[fulldisk]") {
    WebRoot web(kSize);
    HttpServer server(web.dir.path());
    QString error;
    INFO(error.toStdString());
    REQUIRE(server.start(&error));
    // Room for the file and the free-space margin checked before the download starts.
    SmallDisk disk(32 << 20);
    if (!disk.mounted()) {
        WARN("skipped: cannot mount a small tmpfs (" << disk.why().toStdString()
                                                      << "); a file-size limit cannot fill the disk for the journal too");
        return;
    }
    const QString models = QDir(disk.path()).filePath(QStringLiteral("models"));
    const DownloadSpec spec = specFor(server.url(QStringLiteral("model.gguf")), web.data);
    qint64 kept = 0;
    {
        DownloadManager manager(models);
        manager.setRateLimit(1000 * 1000);
        Download* d = manager.add(spec);
        REQUIRE(waitFor([&] { return d->received() > 300 * 1000 && QFileInfo::exists(d->journalPath()); }, 10000));
        CHECK(disk.fill(QStringLiteral("filler")) > 0);
        REQUIRE(waitSettled(d, 20000));
        INFO(d->message().toStdString());
        REQUIRE(d->status() == DownloadStatus::Paused);
        CHECK(d->pausedByError());
        CHECK(d->message().contains(QStringLiteral("already downloaded are kept")));
        kept = QFileInfo(d->partPath()).size();
        CHECK(kept > 300 * 1000);
        // What the message promises: the journal that makes those bytes resumable is intact.
        DownloadJournal j;
        QString why;
        const bool loaded = DownloadJournal::load(d->journalPath(), &j, &why);
        INFO(why.toStdString());
        REQUIRE(loaded);
        CHECK(j.url == spec.url);
        // No temporary file of a failed journal write is left behind.
        CHECK(QDir(models).entryList(QDir::Files | QDir::Hidden).size() == 2);  // .part, .part.json
    }
    REQUIRE(QFile::remove(QDir(disk.path()).filePath(QStringLiteral("filler"))));

    // A new run (as after a restart of the app) finds the journal and only fetches the rest.
    DownloadManager manager(models);
    manager.restore(true);
    REQUIRE(manager.downloads().size() == 1);
    Download* d = manager.downloads().first();
    if (d->status() == DownloadStatus::Paused) d->resume();
    REQUIRE(waitSettled(d));
    INFO(d->message().toStdString());
    REQUIRE(d->status() == DownloadStatus::Done);
    CHECK(sha256Hex(readFile(d->finalPath())) == web.sha);
    CHECK(d->bytesFetched() == kSize - kept + Download::kResumeOverlap);
}
