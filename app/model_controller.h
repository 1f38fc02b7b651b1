#pragma once
// The model picker's side of the GUI: which models exist, which one is loaded, load progress
// and failures. Loading happens on the worker thread; this object only sends the request and
// follows the worker's signals, so the window stays responsive while a 1 GB file is read.
#include "app/inference_types.h"
#include "app/model_list_model.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class AppSettings;
class InferenceWorker;

class ModelController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(ModelListModel* models READ models CONSTANT)
    Q_PROPERTY(int currentIndex READ currentIndex NOTIFY stateChanged)
    Q_PROPERTY(QString currentName READ currentName NOTIFY stateChanged)
    Q_PROPERTY(QString currentSummary READ currentSummary NOTIFY stateChanged)
    Q_PROPERTY(bool currentIsDefault READ currentIsDefault NOTIFY stateChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY stateChanged)
    Q_PROPERTY(bool loaded READ loaded NOTIFY stateChanged)
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    Q_PROPERTY(int contextSize READ contextSize NOTIFY stateChanged)
    Q_PROPERTY(bool compactCache READ compactCache NOTIFY stateChanged)
    // The row of the model whose last load failed (-1: none) and why; nothing is loaded then.
    Q_PROPERTY(int failedIndex READ failedIndex NOTIFY stateChanged)
    Q_PROPERTY(QString loadError READ loadError NOTIFY stateChanged)
public:
    // library: the installed models (owned by the caller, outlives this object).
    ModelController(InferenceWorker* worker, AppSettings* settings, modelstore::ModelLibrary* library, QObject* parent = nullptr);

    // Lists the models (built-in, the library's, extras) and loads preferred, else the start
    // model chosen in the Models page, else the one used last, else the built-in model. Reports
    // a notice if there is none at all.
    void start(const QString& builtIn, const QStringList& extras, const QString& preferred);
    // Lists the models again (after a download, an import or a removal).
    Q_INVOKABLE void rescan();

    ModelListModel* models() { return &models_; }
    // The row being loaded or in use; -1 once a load failed (the worker has let go of the old
    // model by then), so the picker, the Models page and the status line all say "none".
    int currentIndex() const { return loading_ || loaded_ ? models_.rowOfPath(path_) : -1; }
    int failedIndex() const { return failedPath_.isEmpty() ? -1 : models_.rowOfPath(failedPath_); }
    QString loadError() const { return loadError_; }
    // The model the next start opens, as start() picks it: the chosen start model, else the one
    // used last, else the built-in one.
    QString startModelPath() const;
    QString currentName() const;
    QString currentSummary() const;
    bool currentIsDefault() const;
    bool loading() const { return loading_; }
    bool loaded() const { return loaded_; }
    double loadProgress() const { return progress_; }
    int contextSize() const { return info_.contextSize; }
    bool compactCache() const { return info_.compactCache; }
    const ModelInfo& info() const { return info_; }

    Q_INVOKABLE void load(const QString& path);
    Q_INVOKABLE void loadAt(int row);
    // The model Tern opens at start; "" = the built-in one (it opens at start until another is used).
    Q_INVOKABLE void setStartModel(const QString& path);

signals:
    void stateChanged();
    void loadProgressChanged();
    void notice(const QString& title, const QString& detail);
    void modelReady();

private:
    void onLoaded(const ModelInfo& info);
    void onFailed(const QString& path, const QString& message);

    InferenceWorker* worker_;
    AppSettings* settings_;
    modelstore::ModelLibrary* library_;
    QString builtIn_;
    QStringList extras_;
    ModelListModel models_;
    QString path_;  // requested or loaded
    QString failedPath_;
    QString loadError_;
    ModelInfo info_;
    bool loading_ = false;
    bool loaded_ = false;
    double progress_ = 0;
};

}  // namespace tern::app
