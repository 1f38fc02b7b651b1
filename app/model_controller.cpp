#include "app/model_controller.h"

#include "app/app_settings.h"
#include "app/inference_worker.h"

#include <QFileInfo>

namespace tern::app {

ModelController::ModelController(InferenceWorker* worker, AppSettings* settings, modelstore::ModelLibrary* library,
                                 QObject* parent)
    : QObject(parent), worker_(worker), settings_(settings), library_(library) {
    connect(worker_, &InferenceWorker::loadProgress, this, [this](double f) {
        progress_ = f;
        emit loadProgressChanged();
    }, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelLoaded, this, &ModelController::onLoaded, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelLoadFailed, this, &ModelController::onFailed, Qt::QueuedConnection);
}

void ModelController::start(const QString& builtIn, const QStringList& extras, const QString& preferred) {
    builtIn_ = builtIn;
    extras_ = extras;
    rescan();
    QString pick = preferred;
    if (pick.isEmpty() && QFileInfo(library_->defaultModel()).isFile()) pick = library_->defaultModel();
    if (pick.isEmpty() && QFileInfo(settings_->lastModel()).isFile()) pick = settings_->lastModel();
    if (pick.isEmpty()) pick = builtIn;
    if (pick.isEmpty() && models_.rowCount() > 0 && !models_.entryAt(0)->missing) pick = models_.entryAt(0)->path;
    if (pick.isEmpty()) {
        emit notice(tr("No model found"),
                    tr("Tern's built-in model is missing from this installation, and no other model is "
                       "installed. Open Models to download one, reinstall Tern, or start Tern with "
                       "--model FILE.gguf."));
        return;
    }
    load(pick);
}

void ModelController::rescan() {
    models_.scan(builtIn_, library_->list(), extras_);
    models_.setStartModel(startModelPath());
    emit stateChanged();  // the current model's row may have moved
}

QString ModelController::startModelPath() const {
    // The same order as start(), so that "opens at start" on the Models page is what happens.
    if (QFileInfo(library_->defaultModel()).isFile()) return library_->defaultModel();
    if (QFileInfo(settings_->lastModel()).isFile()) return settings_->lastModel();
    return builtIn_;
}

void ModelController::setStartModel(const QString& path) {
    QString error;
    if (!library_->setDefault(path, &error)) {
        emit notice(tr("Could not change the start model"), error);
        return;
    }
    // The library cannot name the built-in model (tern-models knows no such file), so choosing it
    // clears the choice and makes it the "used last" model, which start() falls back to.
    if (path.isEmpty() && !builtIn_.isEmpty()) settings_->setLastModel(QFileInfo(builtIn_).absoluteFilePath());
    models_.setStartModel(startModelPath());
}

QString ModelController::currentName() const {
    if (const ModelEntry* e = models_.entryAt(currentIndex())) return e->name;
    return info_.name;
}

QString ModelController::currentSummary() const {
    const ModelEntry* e = models_.entryAt(currentIndex());
    return e ? e->summary : QString();
}

bool ModelController::currentIsDefault() const {
    const ModelEntry* e = models_.entryAt(currentIndex());
    return e && e->isDefault;
}

void ModelController::load(const QString& path) {
    if (path.isEmpty()) return;
    const QString abs = QFileInfo(path).absoluteFilePath();
    if (loaded_ && abs == QFileInfo(info_.path).absoluteFilePath()) return;
    if (models_.rowOfPath(abs) < 0) {  // a file from the command line or a dialog: offer it too
        extras_ << abs;
        rescan();
    }
    path_ = abs;
    if (abs == failedPath_) {  // tried again: the old failure no longer describes it
        failedPath_.clear();
        loadError_.clear();
    }
    loading_ = true;
    loaded_ = false;
    progress_ = 0;
    info_ = ModelInfo();
    emit stateChanged();
    emit loadProgressChanged();
    QMetaObject::invokeMethod(worker_, [w = worker_, abs] { w->loadModel(abs); }, Qt::QueuedConnection);
}

void ModelController::loadAt(int row) {
    if (const ModelEntry* e = models_.entryAt(row)) load(e->path);
}

void ModelController::onLoaded(const ModelInfo& info) {
    if (QFileInfo(info.path).absoluteFilePath() != path_) return;  // superseded by a newer request
    info_ = info;
    loading_ = false;
    loaded_ = true;
    settings_->setLastModel(path_);
    models_.setStartModel(startModelPath());  // with no start model chosen, the last one used opens
    emit stateChanged();
    emit modelReady();
}

void ModelController::onFailed(const QString& path, const QString& message) {
    if (QFileInfo(path).absoluteFilePath() != path_) return;
    // The worker let go of the previous model before it tried this one: nothing is in use now.
    failedPath_ = path_;
    loadError_ = message;
    path_.clear();
    info_ = ModelInfo();
    loading_ = false;
    loaded_ = false;
    emit stateChanged();
    emit notice(tr("The model could not be loaded"),
                tr("%1\n\n%2\n\nPick another model in the model picker, or download the model again "
                   "with the model manager.").arg(QFileInfo(path).fileName(), message));
}

}  // namespace tern::app
