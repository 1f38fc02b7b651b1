#include "app/model_manager_controller.h"

#include "app/model_controller.h"
#include "app/modelstore/download.h"
#include "app/modelstore/download_manager.h"
#include "app/modelstore/model_library.h"
#include "app/modelstore/model_url.h"
#include "app/modelstore/system_memory.h"

#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>

namespace tern::app {

using modelstore::Download;
using modelstore::DownloadStatus;

ModelManagerController::ModelManagerController(modelstore::ModelLibrary* library, ModelController* models,
                                               const QString& catalogPath, QObject* parent)
    : QObject(parent), library_(library), models_(models),
      manager_(std::make_unique<modelstore::DownloadManager>(library->modelsDir())) {
    totalRam_ = modelstore::totalPhysicalMemory();
    modelstore::Catalog catalog;
    QString error;
    if (catalogPath.isEmpty())
        catalogProblem_ = tr("This installation of Tern has no model catalog. You can still import a GGUF file or add one from its address.");
    else if (!modelstore::Catalog::load(catalogPath, &catalog, &error))
        catalogProblem_ = tr("The model catalog could not be read (%1). You can still import a GGUF file or add one from its address.").arg(error);
    catalog_.setCatalog(catalog, totalRam_);

    connect(manager_.get(), &modelstore::DownloadManager::added, this, &ModelManagerController::onAdded);
    connect(manager_.get(), &modelstore::DownloadManager::removed, this, [this](Download* d) {
        downloads_.remove(d);
        refreshState();
    });
    connect(manager_.get(), &modelstore::DownloadManager::installed, this, &ModelManagerController::onInstalled);
    connect(models_->models(), &ModelListModel::modelReset, this, &ModelManagerController::refreshState);
    rescanSoon_.setSingleShot(true);
    rescanSoon_.setInterval(250);
    connect(&rescanSoon_, &QTimer::timeout, this, [this] {
        watchModelsFolder();  // the folder may have been created or replaced meanwhile
        models_->rescan();
        refreshState();
    });
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, &rescanSoon_, qOverload<>(&QTimer::start));
    connect(&watcher_, &QFileSystemWatcher::fileChanged, &rescanSoon_, qOverload<>(&QTimer::start));
    watchModelsFolder();
    refreshState();
}

void ModelManagerController::watchModelsFolder() {
    // The folder itself (files added, removed, renamed: tern-models writes library.json by a
    // rename) or, while it does not exist yet, the folder it will be created in.
    const QString dir = library_->modelsDir();
    const QString target = QFileInfo::exists(dir) ? dir : QFileInfo(dir).absolutePath();
    if (watcher_.directories() == QStringList{target}) return;
    if (!watcher_.directories().isEmpty()) watcher_.removePaths(watcher_.directories());
    if (QFileInfo::exists(target)) watcher_.addPath(target);
}

ModelManagerController::~ModelManagerController() {
    if (importThread_) {  // a copy in progress is abandoned: its .part is removed by the library
        importCancel_ = true;
        importThread_->wait();
        delete importThread_;
    }
    // The manager goes before the list model that points at its downloads. Nothing of theirs may
    // reach this object or the list while they are torn down (a running one saves its journal).
    disconnect(manager_.get(), nullptr, this, nullptr);
    for (Download* d : manager_->downloads()) {
        disconnect(d, nullptr, this, nullptr);
        disconnect(d, nullptr, &downloads_, nullptr);
    }
    manager_.reset();
}

void ModelManagerController::start() { manager_->restore(true); }

QString ModelManagerController::memoryText() const {
    return totalRam_ > 0 ? tr("This computer has %1 of memory.").arg(modelstore::formatBytes(totalRam_)) : QString();
}

QString ModelManagerController::modelsFolder() const { return QDir::toNativeSeparators(library_->modelsDir()); }

void ModelManagerController::download(const QString& catalogId) {
    const modelstore::CatalogEntry* e = catalog_.entry(catalogId);
    if (!e) return;
    if (Download* d = manager_->find(catalogId)) {  // already listed: continue it rather than start over
        if (d->status() == DownloadStatus::Paused || d->status() == DownloadStatus::Failed) d->resume();
        if (d->status() != DownloadStatus::Done && d->status() != DownloadStatus::Canceled) return;
        manager_->forget(d);
    }
    modelstore::DownloadSpec spec;
    spec.id = e->id;
    spec.url = e->url;
    spec.fileName = e->fileName;
    spec.sha256 = e->sha256;
    spec.expectedSize = e->sizeBytes;
    // The card the model list shows once the file is installed.
    spec.card = QJsonObject{{QStringLiteral("name"), e->name},         {QStringLiteral("description"), e->description},
                            {QStringLiteral("license"), e->license},   {QStringLiteral("homepage"), e->homepage},
                            {QStringLiteral("source"), e->url.toString()}, {QStringLiteral("catalog_id"), e->id},
                            {QStringLiteral("recommended"), e->recommended}};
    if (!e->sha256.isEmpty()) spec.card.insert(QStringLiteral("sha256"), e->sha256);
    manager_->add(spec);
}

QString ModelManagerController::addFromUrl(const QString& text) {
    const modelstore::ModelUrl parsed = modelstore::ModelUrl::parse(text);
    const QString error = parsed.ok() ? whyNotDownloadAs(parsed.fileName) : parsed.error;
    const QString refused = tr("The model cannot be added");
    if (!error.isEmpty()) {
        emit notice(refused, error);
        return error;
    }
    emit noticeWithdrawn(refused);  // an address refused before (a typo) is not news any more
    modelstore::DownloadSpec spec;
    spec.id = parsed.fileName;  // as tern-models names a bare URL's download
    spec.url = parsed.url;
    spec.fileName = parsed.fileName;
    // No sha256: nothing published to check against. The download records the one it computes
    // in the card and says in its row that the file was not verified.
    spec.card = QJsonObject{{QStringLiteral("name"), QFileInfo(parsed.fileName).completeBaseName()},
                            {QStringLiteral("source"), parsed.url.toString()}};
    manager_->add(spec);
    return {};
}

QString ModelManagerController::whyNotDownloadAs(const QString& fileName) const {
    // A name already taken is refused rather than made unique ("x (2).gguf"): pasting the same
    // link again is by far the usual reason, and a second copy would cost gigabytes for nothing.
    // A different model under the same name is rare; removing or renaming the old one first is
    // then the user's choice to make, not Tern's.
    const QDir dir(library_->modelsDir());
    const QString target = dir.filePath(fileName);
    // ModelUrl's rules keep the name to one segment; this holds whatever they let through.
    if (QFileInfo(target).absolutePath() != QFileInfo(dir.absolutePath()).absoluteFilePath())
        return tr("“%1” would be saved outside the models folder.").arg(fileName);
    if (QFileInfo::exists(target))
        return tr("A model named %1 is already in the models folder. Remove it first to download it again.").arg(fileName);
    for (const Download* d : manager_->downloads()) {
        const DownloadStatus st = d->status();
        if (d->spec().fileName == fileName && st != DownloadStatus::Done && st != DownloadStatus::Canceled)
            return tr("%1 is already in the downloads list. Cancel or remove it there to download it again.").arg(fileName);
    }
    // Another program (tern-models) may be writing it.
    if (QFileInfo::exists(target + QStringLiteral(".part")))
        return tr("%1 is already being downloaded into the models folder (its partial file is there).").arg(fileName);
    return {};
}

void ModelManagerController::pause(int row) {
    if (Download* d = downloads_.at(row)) d->pause();
}

void ModelManagerController::resume(int row) {
    if (Download* d = downloads_.at(row)) d->resume();
}

void ModelManagerController::cancel(int row) {
    if (Download* d = downloads_.at(row)) d->cancel();
}

void ModelManagerController::dismiss(int row) {
    Download* d = downloads_.at(row);
    if (!d) return;
    const DownloadStatus st = d->status();
    if (st == DownloadStatus::Done || st == DownloadStatus::Canceled || st == DownloadStatus::Failed) manager_->forget(d);
}

void ModelManagerController::onAdded(Download* d) {
    downloads_.add(d);
    connect(d, &Download::statusChanged, this, [this, d] {
        refreshState();
        if (d->status() == DownloadStatus::Failed)
            emit notice(tr("Download failed"), d->message());
        else if (d->status() == DownloadStatus::Paused && !d->message().isEmpty())
            emit notice(tr("Download paused"), d->message());
    });
    refreshState();
}

void ModelManagerController::onInstalled(const QString& path, const QString& id) {
    models_->rescan();
    const modelstore::CatalogEntry* e = catalog_.entry(id);
    const QString name = e ? e->name : QFileInfo(path).fileName();
    const Download* d = manager_->find(id);
    const bool verified = d && !d->spec().sha256.isEmpty();
    emit notice(tr("Model installed"),
                (verified ? tr("%1 is downloaded and verified. Choose it in the model picker to chat with it.")
                          : tr("%1 is downloaded and Tern can run it; it was not verified against a published checksum. "
                               "Choose it in the model picker to chat with it."))
                    .arg(name),
                QStringLiteral("info"));
}

void ModelManagerController::refreshState() {
    QSet<QString> installed, downloading, paused, failed;
    for (const modelstore::InstalledModel& m : library_->list())
        if (!m.inPlace && !m.missing) installed.insert(QFileInfo(m.path).fileName());
    for (const Download* d : manager_->downloads()) {
        switch (d->status()) {
            case DownloadStatus::Done:
            case DownloadStatus::Canceled: break;
            case DownloadStatus::Paused: paused.insert(d->spec().id); break;
            case DownloadStatus::Failed: failed.insert(d->spec().id); break;
            default: downloading.insert(d->spec().id);
        }
    }
    catalog_.setState(installed, downloading, paused, failed);
}

void ModelManagerController::importModel(const QUrl& file, bool copy) {
    if (importThread_) return;
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    const QString dir = library_->modelsDir();
    importCancel_ = false;
    importProgress_ = 0;
    emit importProgressChanged();
    // The copy runs on its own thread with its own library object (the library file is written
    // atomically); results come back as queued calls, dropped if this object is gone.
    importThread_ = QThread::create([this, path, dir, copy] {
        modelstore::ModelLibrary lib(dir);
        QString error;
        modelstore::InstalledModel out;
        int lastPercent = -1;
        const bool ok = lib.importFile(
            path, copy ? modelstore::ModelLibrary::ImportMode::Copy : modelstore::ModelLibrary::ImportMode::Reference, &error,
            &out, [this, &lastPercent](qint64 done, qint64 total) {
                const int percent = total > 0 ? int(done * 100 / total) : 0;
                if (percent != lastPercent) {
                    lastPercent = percent;
                    QMetaObject::invokeMethod(this, [this, percent] {
                        importProgress_ = percent / 100.0;
                        emit importProgressChanged();
                    }, Qt::QueuedConnection);
                }
                return !importCancel_.load();
            });
        QMetaObject::invokeMethod(this, [this, ok, p = out.path, error] { finishImport(ok, p, error); }, Qt::QueuedConnection);
    });
    importThread_->start();
    emit importingChanged();
}

void ModelManagerController::cancelImport() { importCancel_ = true; }

void ModelManagerController::finishImport(bool ok, const QString& path, const QString& error) {
    if (importThread_) {
        importThread_->wait();
        delete importThread_;
        importThread_ = nullptr;
    }
    emit importingChanged();
    models_->rescan();
    refreshState();
    if (ok) {
        emit imported(path);
        return;
    }
    if (!importCancel_) emit notice(tr("The model could not be imported"), error);
}

void ModelManagerController::remove(const QString& path) {
    const bool wasLoaded = models_->currentIndex() >= 0 && models_->models()->entryAt(models_->currentIndex())->path == path;
    QString error;
    if (!library_->remove(path, &error)) {
        emit notice(tr("The model could not be removed"), error);
        return;
    }
    models_->rescan();
    refreshState();
    // The engine holds its own copy of the weights, but a removed model must not stay on offer.
    if (wasLoaded && models_->models()->rowCount() > 0) models_->loadAt(0);
}

void ModelManagerController::openModelsFolder() const {
    QDir().mkpath(library_->modelsDir());
    QDesktopServices::openUrl(QUrl::fromLocalFile(library_->modelsDir()));
}

}  // namespace tern::app
