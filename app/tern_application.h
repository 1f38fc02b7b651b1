#pragma once
// Everything the running app is made of, wired together: the history store, the worker thread,
// the controllers and the QML window. main() builds one; the end-to-end test builds one too, so
// the test drives exactly what users run.
#include "app/inference_worker.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <memory>

class QQmlApplicationEngine;
class QQuickWindow;

namespace tern::modelstore {
class ModelLibrary;
}

namespace tern::app {

class ApiServerController;
class AppSettings;
class ChatController;
class ConversationExporter;
class ConversationStore;
class HistoryController;
class ModelController;
class ModelManagerController;
class NoticeListModel;
class NoticeService;
class WorkerThread;

struct AppOptions {
    QString modelPath;     // --model: load this instead of the last used / default model
    QString databasePath;  // empty: ConversationStore::defaultPath()
    QString modelsDir;     // empty: ModelLibrary::defaultModelsDir(), shared with tern-models
    QString catalogPath;   // empty: the catalog installed with Tern
    bool findDefaultModel = true;
    InferenceWorker::Options worker;
    bool showWindow = true;
};

class TernApplication : public QObject {
    Q_OBJECT
public:
    explicit TernApplication(AppOptions options, QObject* parent = nullptr);
    // Organisation and application names: they decide the QSettings file and the app-data
    // folder (QStandardPaths), so main() and the tests must agree on them.
    static void setIdentity();
    ~TernApplication() override;

    // Opens the history, starts the worker and the model load, and creates the window.
    // Returns false only if the QML could not be loaded (a broken installation).
    bool start();

    QQuickWindow* window() const;
    QQmlApplicationEngine* qmlEngine() const { return engine_.get(); }
    ChatController* chat() const { return chat_; }
    HistoryController* history() const { return history_; }
    ModelController* models() const { return models_; }
    ModelManagerController* modelManager() const { return manager_; }
    ConversationStore* store() const { return store_.get(); }
    NoticeService* notices() const { return notices_; }
    NoticeListModel* noticeList() const { return noticeList_; }
    ConversationExporter* exporter() const { return exporter_; }
    AppSettings* settings() const { return settings_; }
    InferenceWorker* worker() const;
    ApiServerController* apiServer() const { return apiServer_; }  // null in builds without the server

private:
    AppOptions options_;
    std::unique_ptr<ConversationStore> store_;
    std::unique_ptr<WorkerThread> thread_;
    AppSettings* settings_ = nullptr;
    std::unique_ptr<modelstore::ModelLibrary> library_;
    ModelController* models_ = nullptr;
    ModelManagerController* manager_ = nullptr;
    ChatController* chat_ = nullptr;
    HistoryController* history_ = nullptr;
    NoticeService* notices_ = nullptr;
    NoticeListModel* noticeList_ = nullptr;
    ConversationExporter* exporter_ = nullptr;
    ApiServerController* apiServer_ = nullptr;
    std::unique_ptr<QQmlApplicationEngine> engine_;
};

}  // namespace tern::app
