#include "app/modelstore/download.h"

#include "app/modelstore/gguf_check.h"

#include "app/modelstore/download_journal.h"
#include "app/modelstore/system_memory.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>
#include <QStorageInfo>
#include <algorithm>

namespace tern::modelstore {

namespace {
constexpr qint64 kSpaceMargin = 16 << 20;  // left free beyond the file itself
constexpr int kTickMs = 100;               // progress signal, rate sample
constexpr int kJournalEveryMs = 2000;
}  // namespace

QString statusLabel(DownloadStatus s) {
    switch (s) {
    case DownloadStatus::Queued: return Download::tr("Queued");
    case DownloadStatus::Connecting: return Download::tr("Connecting");
    case DownloadStatus::Downloading: return Download::tr("Downloading");
    case DownloadStatus::Retrying: return Download::tr("Retrying");
    case DownloadStatus::Paused: return Download::tr("Paused");
    case DownloadStatus::Verifying: return Download::tr("Verifying");
    case DownloadStatus::Done: return Download::tr("Done");
    case DownloadStatus::Failed: return Download::tr("Failed");
    case DownloadStatus::Canceled: return Download::tr("Canceled");
    }
    return QString();
}

Download::Download(const DownloadSpec& spec, const QString& modelsDir, QNetworkAccessManager* nam, QObject* parent)
    : QObject(parent), spec_(spec), dir_(modelsDir), nam_(nam) {
    total_ = spec_.expectedSize;
    received_ = QFileInfo(partPath()).size();
    tickTimer_.setInterval(kTickMs);
    connect(&tickTimer_, &QTimer::timeout, this, &Download::tick);
    retryTimer_.setSingleShot(true);
    connect(&retryTimer_, &QTimer::timeout, this, &Download::beginAttempt);
    throttleTimer_.setSingleShot(true);
    connect(&throttleTimer_, &QTimer::timeout, this, &Download::drain);
    clock_.start();
}

Download::~Download() {
    // Quitting mid-transfer is a pause: the journal says where we were, the .part keeps the bytes.
    if (isActive()) {
        stopReply();
        closePart();
        saveJournal();
    }
}

QString Download::finalPath() const { return QDir(dir_).filePath(spec_.fileName); }
QString Download::partPath() const { return finalPath() + QStringLiteral(".part"); }
QString Download::journalPath() const { return DownloadJournal::pathFor(partPath()); }

double Download::secondsLeft() const {
    if (total_ <= 0 || rate_ <= 1) return -1;
    return std::max<qint64>(0, total_ - received_) / rate_;
}

bool Download::isActive() const {
    return status_ == DownloadStatus::Connecting || status_ == DownloadStatus::Downloading ||
           status_ == DownloadStatus::Retrying || status_ == DownloadStatus::Verifying;
}

void Download::setRateLimit(qint64 bytesPerSecond) {
    rateLimit_ = std::max<qint64>(0, bytesPerSecond);
    if (reply_) reply_->setReadBufferSize(readBufferSize());
    if (reply_) drain();
}

void Download::restoreFrom(const DownloadJournal& j) {
    etag_ = j.etag;
    lastModified_ = j.lastModified;
    if (j.total > 0) total_ = j.total;
    message_ = j.message;
    received_ = QFileInfo(partPath()).size();
    status_ = j.state == QLatin1String("failed") ? DownloadStatus::Failed : DownloadStatus::Paused;
}

void Download::setStatus(DownloadStatus s, const QString& message) {
    const bool changed = s != status_ || message != message_;
    status_ = s;
    message_ = message;
    if (s != DownloadStatus::Paused) pausedByError_ = false;
    if (s != DownloadStatus::Retrying) retryTimer_.stop();
    if (s == DownloadStatus::Downloading || s == DownloadStatus::Connecting) {
        if (!tickTimer_.isActive()) tickTimer_.start();
    } else {
        tickTimer_.stop();
        rate_ = 0;
    }
    if (s != DownloadStatus::Done && s != DownloadStatus::Canceled) saveJournal();
    if (!isActive()) lock_.reset();  // after the journal: unlocks (removes the lock file)
    if (changed) emit statusChanged();
    emit progressChanged();
}

void Download::saveJournal() {
    // Only the holder of the lock writes: a Download refused because another process runs the
    // same file must not overwrite that process's journal.
    if (!lock_) return;
    // Nothing worth remembering before the first byte or the first answer.
    if (!QFileInfo::exists(partPath()) && !QFileInfo::exists(journalPath()) && status_ != DownloadStatus::Paused) return;
    DownloadJournal j;
    j.id = spec_.id;
    j.url = spec_.url;
    j.fileName = spec_.fileName;
    j.sha256 = spec_.sha256;
    j.expectedSize = spec_.expectedSize;
    j.card = spec_.card;
    j.etag = etag_;
    j.lastModified = lastModified_;
    j.total = total_;
    j.received = received_;
    j.state = status_ == DownloadStatus::Paused ? QStringLiteral("paused")
              : status_ == DownloadStatus::Failed ? QStringLiteral("failed")
                                                  : QStringLiteral("running");
    j.message = message_;
    if (QDir().mkpath(dir_)) j.save(journalPath());
    lastJournalMs_ = clock_.elapsed();
}

void Download::removeJournal() { QFile::remove(journalPath()); }

bool Download::takeLock(bool report) {
    if (lock_) return true;
    if (!QDir().mkpath(dir_)) return true;  // beginAttempt reports the folder problem
    auto lock = std::make_unique<QLockFile>(partPath() + QStringLiteral(".lock"));
    lock->setStaleLockTime(0);  // stale only if its process is gone (a killed run), never by age
    if (lock->tryLock(0)) {
        lock_ = std::move(lock);
        return true;
    }
    if (!report) return false;
    qint64 pid = 0;
    QString host, app;
    lock->getLockInfo(&pid, &host, &app);
    // Not fail(): the files belong to the other process and must be left alone.
    setStatus(DownloadStatus::Failed, tr("%1 is already being downloaded by another program (%2, process %3)")
                                          .arg(spec_.fileName, app.isEmpty() ? QStringLiteral("?") : app, QString::number(pid)));
    return false;
}

void Download::start() {
    if (isActive() || status_ == DownloadStatus::Done) return;
    attempt_ = 0;
    bestReceived_ = -1;
    pausedByError_ = false;
    if (!takeLock()) return;
    beginAttempt();
}

void Download::resume() {
    if (status_ != DownloadStatus::Paused && status_ != DownloadStatus::Failed && status_ != DownloadStatus::Canceled) return;
    if (managed_) setStatus(DownloadStatus::Queued);
    else start();
}

void Download::pause() {
    if (!isActive() && status_ != DownloadStatus::Queued) return;
    stopReply();
    closePart();
    takeLock(false);  // a queued one holds none yet: take it so the journal records the pause
    setStatus(DownloadStatus::Paused);
}

void Download::cancel() {
    if (status_ == DownloadStatus::Done || status_ == DownloadStatus::Canceled) return;
    stopReply();
    closePart();
    // Another process's download of the same file is not ours to delete.
    if (takeLock(false)) {
        QFile::remove(partPath());
        removeJournal();
    }
    received_ = 0;
    hashedUpTo_ = -1;
    setStatus(DownloadStatus::Canceled);
}

void Download::stopReply() {
    retryTimer_.stop();
    throttleTimer_.stop();
    rehashFile_.close();
    if (reply_) {
        QNetworkReply* r = reply_;
        reply_ = nullptr;
        r->disconnect(this);  // our own abort must not look like a network error
        r->abort();
        r->deleteLater();
    }
}

void Download::closePart() {
    if (part_.isOpen()) part_.close();
}

bool Download::freeSpaceOk(qint64 remaining) {
    if (remaining <= 0) return true;
    QStorageInfo st(dir_);
    if (!st.isValid() || st.bytesAvailable() < 0) return true;  // cannot tell: let the write say
    if (st.bytesAvailable() >= remaining + kSpaceMargin) return true;
    pauseForDisk(tr("Not enough free space in %1: %2 more is needed, %3 is free. "
                                "Free some space, then resume.")
                     .arg(QDir::toNativeSeparators(dir_), formatBytes(remaining + kSpaceMargin), formatBytes(st.bytesAvailable())));
    return false;
}

void Download::pauseForDisk(const QString& why) {
    stopReply();
    closePart();
    hashedUpTo_ = -1;  // a short write may have left bytes the hash has not seen
    received_ = QFileInfo(partPath()).size();
    pausedByError_ = true;  // before the signal: listeners read it
    setStatus(DownloadStatus::Paused, why);
}

void Download::retry(const QString& why, bool forgiveProgress) {
    stopReply();
    closePart();
    // Only bytes beyond the furthest point reached count as progress: a server that sends the
    // same first megabytes and then makes the download start over would otherwise be retried for ever.
    if (received_ > bestReceived_) {
        if (forgiveProgress) attempt_ = 0;
        bestReceived_ = received_;
    }
    ++attempt_;
    if (attempt_ >= policy_.maxAttempts) {
        fail(tr("%1. Gave up after %2 attempts; resume to try again (the %3 downloaded are kept).")
                 .arg(why, QString::number(attempt_), formatBytes(received_)),
             false);
        return;
    }
    const qint64 delay = std::min<qint64>(static_cast<qint64>(policy_.firstDelayMs) << std::min(attempt_ - 1, 20), policy_.maxDelayMs);
    setStatus(DownloadStatus::Retrying, tr("%1; retrying in %2 s").arg(why, QString::number(delay / 1000.0)));
    retryTimer_.start(static_cast<int>(delay));
}

void Download::restartFromZero(const QString& why) {
    stopReply();
    closePart();
    QFile::resize(partPath(), 0);
    hash_.reset();
    hashedUpTo_ = received_ = 0;
    // Nothing the server said about the old bytes holds any more.
    etag_.clear();
    lastModified_.clear();
    total_ = spec_.expectedSize;
    retry(why);
}

void Download::checkMinimumRate() {
    if (!reply_ || policy_.slowWindowMs <= 0) return;
    const qint64 now = clock_.elapsed();
    if (now - slowWindowStartMs_ < policy_.slowWindowMs) return;
    qint64 floor = policy_.slowMinBytes;
    if (rateLimit_ > 0) floor = std::min(floor, rateLimit_ * policy_.slowWindowMs / 1000 / 4);
    const qint64 got = fetched_ - slowWindowStartFetched_;
    if (got < floor) {
        // Not forgiven even if those few bytes were new: a trickle is a failure, or a server
        // sending a byte every few seconds would keep the download alive for ever.
        retry(tr("The server is sending too slowly (%1 in %2 s)").arg(formatBytes(got), QString::number(policy_.slowWindowMs / 1000.0)),
              false);
        return;
    }
    slowWindowStartMs_ = now;
    slowWindowStartFetched_ = fetched_;
}

void Download::fail(const QString& why, bool deletePart) {
    stopReply();
    closePart();
    const bool nothingKept = QFileInfo(partPath()).size() == 0;
    if (deletePart || nothingKept) {
        QFile::remove(partPath());
        hashedUpTo_ = -1;
        received_ = 0;
    }
    setStatus(DownloadStatus::Failed, why);
    if (deletePart || nothingKept) removeJournal();  // nothing left to resume
}

void Download::verifyAndInstall() {
    setStatus(DownloadStatus::Verifying);
    const qint64 size = QFileInfo(partPath()).size();
    if (hashedUpTo_ != size) {  // cannot happen unless the .part was changed under us
        retry(tr("The partial file changed on disk"));
        return;
    }
    if (spec_.expectedSize > 0 && size != spec_.expectedSize) {
        fail(tr("%1 has %2 bytes instead of %3: the file has been deleted")
                 .arg(spec_.fileName, QString::number(size), QString::number(spec_.expectedSize)),
             true);
        return;
    }
    sha256_ = QString::fromLatin1(hash_.result().toHex());
    if (!spec_.sha256.isEmpty() && sha256_ != spec_.sha256.toLower()) {
        fail(tr("Checksum mismatch for %1: expected SHA-256 %2, got %3; the file has been deleted")
                 .arg(spec_.fileName, spec_.sha256, sha256_),
             true);
        return;
    }
    // A bare URL (or a catalog entry without a hash) may name anything: an HTML error page, a
    // README, a model of an architecture Tern cannot run. Only runnable GGUF files are installed.
    const GgufCheck check = checkGguf(partPath());
    if (!check.ok) {
        fail(tr("%1 was downloaded but is not a model Tern can run (%2); the file has been deleted")
                 .arg(spec_.fileName, check.error),
             true);
        return;
    }
    // rename() within one folder is atomic: the model appears whole or not at all.
    if (!QFile::rename(partPath(), finalPath())) {
        fail(tr("Cannot rename %1 to %2").arg(partPath(), finalPath()), false);
        return;
    }
    QStringList notes;
    // Checked as a GGUF file Tern can run, but with no published checksum to compare against (a
    // pasted address, a catalog entry hashed on first download): the user should know, and see
    // the hash to compare it with one they trust.
    if (spec_.sha256.isEmpty())
        notes << tr("Not verified against a published checksum (none is known for this file); its SHA-256 is %1.").arg(sha256_);
    // The model itself is fine when only its description is missing. Say so, but finish.
    if (!writeCard(finalPath())) notes << tr("The model is installed, but its card could not be written.");
    removeJournal();
    received_ = total_ = size;
    setStatus(DownloadStatus::Done, notes.join(QLatin1Char(' ')));
    emit finished(finalPath());
}

bool Download::writeCard(const QString& path) {
    QJsonObject card = spec_.card;
    if (!card.contains(QLatin1String("name"))) card.insert(QStringLiteral("name"), spec_.id);
    card.insert(QStringLiteral("id"), spec_.id);
    card.insert(QStringLiteral("sha256"), sha256_);  // recorded here on a first download without a known hash
    card.insert(QStringLiteral("size"), static_cast<double>(QFileInfo(path).size()));
    card.insert(QStringLiteral("source"), spec_.url.toString());
    QString base = path;
    if (base.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) base.chop(5);
    QSaveFile f(base + QStringLiteral(".json"));
    return f.open(QIODevice::WriteOnly) && f.write(QJsonDocument(card).toJson(QJsonDocument::Indented)) >= 0 && f.commit();
}

void Download::tick() {
    const qint64 now = clock_.elapsed();
    const qint64 dt = now - lastTickMs_;
    if (dt >= 250) {
        // Exponential moving average over ~1 s: steady enough to read, quick to follow changes.
        const double inst = (received_ - lastTickReceived_) * 1000.0 / dt;
        rate_ = rate_ <= 0 ? inst : rate_ * 0.7 + inst * 0.3;
        lastTickMs_ = now;
        lastTickReceived_ = received_;
    }
    if (now - lastJournalMs_ >= kJournalEveryMs) saveJournal();
    if (received_ != lastEmitReceived_) {
        lastEmitReceived_ = received_;
        emit progressChanged();
    }
    checkMinimumRate();  // last: it may end the attempt
}

}  // namespace tern::modelstore
