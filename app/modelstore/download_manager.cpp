#include "app/modelstore/download_manager.h"

#include "app/modelstore/download_journal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>

namespace tern::modelstore {

DownloadManager::DownloadManager(const QString& modelsDir, QObject* parent)
    : QObject(parent), dir_(modelsDir), nam_(new QNetworkAccessManager(this)) {
    // No cookies, no cache: a download asks for exactly the bytes it needs, nothing else.
    nam_->setCookieJar(nullptr);
}

DownloadManager::~DownloadManager() {
    // Downloads first (their destructors save their journals), while nam_ still exists.
    qDeleteAll(downloads_);
    downloads_.clear();
}

Download* DownloadManager::create(const DownloadSpec& spec) {
    auto* d = new Download(spec, dir_, nam_, this);
    d->setManaged(true);
    d->setRateLimit(rateLimit_);
    d->setRetryPolicy(policy_);
    connect(d, &Download::statusChanged, this, &DownloadManager::schedule);
    connect(d, &Download::finished, this, [this, d](const QString& path) { emit installed(path, d->spec().id); });
    downloads_.append(d);
    emit added(d);
    return d;
}

Download* DownloadManager::add(const DownloadSpec& spec) {
    for (Download* d : downloads_) {
        if (d->spec().fileName != spec.fileName) continue;
        if (d->status() == DownloadStatus::Done || d->status() == DownloadStatus::Canceled) {
            forget(d);
            break;
        }
        d->resume();
        return d;
    }
    Download* d = create(spec);
    schedule();
    return d;
}

void DownloadManager::restore(bool autoResume) {
    const QStringList journals = QDir(dir_).entryList({QStringLiteral("*.part.json")}, QDir::Files, QDir::Name);
    for (const QString& name : journals) {
        DownloadJournal j;
        const QString journal = QDir(dir_).filePath(name);
        if (!DownloadJournal::load(journal, &j)) continue;
        // Stopped between the rename and deleting the journal: the model is installed.
        if (QFileInfo::exists(QDir(dir_).filePath(j.fileName)) && !QFileInfo::exists(QDir(dir_).filePath(j.fileName + QStringLiteral(".part")))) {
            QFile::remove(journal);
            continue;
        }
        bool known = false;
        for (Download* d : downloads_) known = known || d->spec().fileName == j.fileName;
        if (known) continue;
        DownloadSpec spec{j.id.isEmpty() ? j.fileName : j.id, j.url, j.fileName, j.sha256, j.expectedSize, j.card};
        Download* d = create(spec);
        d->restoreFrom(j);
        // Running when the last process stopped (quit, crash, kill): go on where it was.
        if (autoResume && j.state == QLatin1String("running")) d->resume();
        else emit d->statusChanged();
    }
    schedule();
}

Download* DownloadManager::find(const QString& id) const {
    for (Download* d : downloads_)
        if (d->spec().id == id) return d;
    return nullptr;
}

void DownloadManager::forget(Download* d) {
    if (!downloads_.contains(d)) return;
    if (d->isActive() || d->status() == DownloadStatus::Queued) d->pause();
    downloads_.removeAll(d);
    emit removed(d);
    d->deleteLater();
    schedule();
}

void DownloadManager::setRateLimit(qint64 bytesPerSecond) {
    rateLimit_ = std::max<qint64>(0, bytesPerSecond);
    for (Download* d : downloads_) d->setRateLimit(rateLimit_);
}

void DownloadManager::setRetryPolicy(const RetryPolicy& p) {
    policy_ = p;
    for (Download* d : downloads_) d->setRetryPolicy(p);
}

void DownloadManager::schedule() {
    // start() changes status, which calls back here: do the work once, at the outer level.
    if (scheduling_) return;
    scheduling_ = true;
    bool running = false;
    for (Download* d : downloads_) running = running || d->isActive();
    // One that fails at once (say, already installed) lets the next one start.
    for (int i = 0; !running && i < downloads_.size(); ++i) {
        Download* d = downloads_.at(i);
        if (d->status() != DownloadStatus::Queued) continue;
        d->start();
        running = d->isActive();
    }
    scheduling_ = false;
}

}  // namespace tern::modelstore
