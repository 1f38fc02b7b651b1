#include "app/model_controller.h"

#include "app/app_settings.h"
#include "app/inference_worker.h"

#include <QFileInfo>

namespace tern::app {

ModelController::ModelController(InferenceWorker* worker, AppSettings* settings, QObject* parent)
    : QObject(parent), worker_(worker), settings_(settings) {
    connect(worker_, &InferenceWorker::loadProgress, this, [this](double f) {
        progress_ = f;
        emit loadProgressChanged();
    }, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelLoaded, this, &ModelController::onLoaded, Qt::QueuedConnection);
    connect(worker_, &InferenceWorker::modelLoadFailed, this, &ModelController::onFailed, Qt::QueuedConnection);
}

void ModelController::start(const QString& defaultModel, const QString& modelsDir, const QStringList& extras,
                            const QString& preferred) {
    models_.scan(defaultModel, modelsDir, extras);
    QString pick = preferred;
    if (pick.isEmpty() && QFileInfo(settings_->lastModel()).isFile()) pick = settings_->lastModel();
    if (pick.isEmpty()) pick = defaultModel;
    if (pick.isEmpty() && models_.rowCount() > 0) pick = models_.entryAt(0)->path;
    if (pick.isEmpty()) {
        emit notice(QStringLiteral("No model found"),
                    QStringLiteral("Tern's built-in model is missing from this installation, and no other model is "
                                   "installed. Reinstall Tern, download a model with the model manager, or start "
                                   "Tern with --model FILE.gguf."));
        return;
    }
    load(pick);
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
        QStringList extras;
        for (int i = 0; i < models_.rowCount(); ++i)
            if (!models_.entryAt(i)->isDefault) extras << models_.entryAt(i)->path;
        QString def;
        for (int i = 0; i < models_.rowCount(); ++i)
            if (models_.entryAt(i)->isDefault) def = models_.entryAt(i)->path;
        extras << abs;
        models_.scan(def, {}, extras);
    }
    path_ = abs;
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
    emit stateChanged();
    emit modelReady();
}

void ModelController::onFailed(const QString& path, const QString& message) {
    if (QFileInfo(path).absoluteFilePath() != path_) return;
    loading_ = false;
    loaded_ = false;
    emit stateChanged();
    emit notice(QStringLiteral("The model could not be loaded"),
                QStringLiteral("%1\n\n%2\n\nPick another model in the model picker, or download the model again "
                               "with the model manager.").arg(QFileInfo(path).fileName(), message));
}

}  // namespace tern::app
