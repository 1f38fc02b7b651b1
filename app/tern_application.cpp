#include "app/tern_application.h"

#include "app/app_settings.h"
#ifdef TERN_HAS_API_SERVER
#include "app/api_server_controller.h"
#endif
#include "app/chat_controller.h"
#include "app/conversation_exporter.h"
#include "app/conversation_store.h"
#include "app/history_controller.h"
#include "app/model_controller.h"
#include "app/model_manager_controller.h"
#include "app/notice_list_model.h"
#include "app/notice_service.h"
#include "app/modelstore/catalog.h"
#include "app/modelstore/model_library.h"
#include "app/worker_thread.h"
#include "engine/model/default_model.h"

#include <QCoreApplication>
#include <QQmlApplicationEngine>
#include <QQmlContext>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QtQml/QQmlExtensionPlugin>

// The QML modules are static libraries: their types and files are registered by these plugins.
Q_IMPORT_QML_PLUGIN(TernCorePlugin)
Q_IMPORT_QML_PLUGIN(TernUiPlugin)

namespace tern::app {

TernApplication::TernApplication(AppOptions options, QObject* parent) : QObject(parent), options_(std::move(options)) {}

TernApplication::~TernApplication() {
    // Where the user left off: the window's size (the open conversation is saved as it changes).
    if (QQuickWindow* w = window(); w && settings_) settings_->setWindowSize(w->size());
    engine_.reset();  // the window goes first: QML must not see controllers die under it
#ifdef TERN_HAS_API_SERVER
    delete apiServer_;  // its jobs run on the worker: stop them before the worker goes
    apiServer_ = nullptr;
#endif
    delete chat_;     // flushes a streaming reply
    chat_ = nullptr;
    delete manager_;  // pauses transfers (the .part files stay for the next run)
    manager_ = nullptr;
    thread_.reset();  // stops generation and joins the worker
}

void TernApplication::setIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("Tern"));
    QCoreApplication::setApplicationName(QStringLiteral("Tern"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TERN_VERSION));
}

InferenceWorker* TernApplication::worker() const { return thread_ ? thread_->worker() : nullptr; }

QQuickWindow* TernApplication::window() const {
    if (!engine_ || engine_->rootObjects().isEmpty()) return nullptr;
    return qobject_cast<QQuickWindow*>(engine_->rootObjects().first());
}

bool TernApplication::start() {
    store_ = std::make_unique<ConversationStore>();
    const OpenReport report =
        store_->open(options_.databasePath.isEmpty() ? ConversationStore::defaultPath() : options_.databasePath);

    settings_ = new AppSettings(this);
    // Threads and context length from the settings, unless the command line set them (-t);
    // compact caches if the settings or the caller ask for them.
    if (!options_.worker.threads) options_.worker.threads = settings_->threads();
    if (!options_.worker.contextSize) options_.worker.contextSize = settings_->contextSize();
    options_.worker.compactCache = options_.worker.compactCache || settings_->compactCache();
    thread_ = std::make_unique<WorkerThread>(options_.worker);
    // A change in the settings applies from the next model load on (queued before it).
    connect(settings_, &AppSettings::loadOptionsChanged, this, [this] {
        const int threads = settings_->threads(), context = settings_->contextSize();
        const bool compact = settings_->compactCache();
        InferenceWorker* w = thread_->worker();
        QMetaObject::invokeMethod(w, [w, threads, context, compact] { w->setLoadOptions(threads, context, compact); },
                                  Qt::QueuedConnection);
    });
    library_ = std::make_unique<modelstore::ModelLibrary>(
        options_.modelsDir.isEmpty() ? modelstore::ModelLibrary::defaultModelsDir() : options_.modelsDir);
    models_ = new ModelController(thread_->worker(), settings_, library_.get(), this);
    manager_ = new ModelManagerController(
        library_.get(), models_, options_.catalogPath.isEmpty() ? modelstore::Catalog::bundledPath() : options_.catalogPath, this);
    // One place for every notice; each controller posts there, scoped to what it is about.
    notices_ = new NoticeService(this);
    noticeList_ = new NoticeListModel(notices_, this);
    chat_ = new ChatController(store_.get(), thread_->worker(), models_, settings_, notices_, nullptr);
    history_ = new HistoryController(store_.get(), this);
    exporter_ = new ConversationExporter(store_.get(), settings_, notices_, this);

    // Model and download news is about the app, not one chat: shown wherever the user is.
    connect(models_, &ModelController::notice, notices_, [this](const QString& t, const QString& d) { notices_->postGlobal(t, d); });
    connect(manager_, &ModelManagerController::noticeWithdrawn, notices_, &NoticeService::withdrawGlobal);
    connect(manager_, &ModelManagerController::notice, notices_, [this](const QString& t, const QString& d, const QString& kind) {
        notices_->postGlobal(t, d, kind == QLatin1String("info") ? Notice::Info : kind == QLatin1String("warning") ? Notice::Warning : Notice::Error);
    });
    connect(history_, &HistoryController::failed, notices_, [this](const QString& t, const QString& d) { notices_->postGlobal(t, d); });
    connect(chat_, &ChatController::conversationsChanged, history_, &HistoryController::refresh);
    connect(history_, &HistoryController::conversationDeleted, chat_, &ChatController::onConversationDeleted);
    connect(history_, &HistoryController::conversationRestored, chat_, &ChatController::selectConversation);
    connect(history_, &HistoryController::conversationRenamed, chat_, &ChatController::onConversationRenamed);
    if (report.status == OpenReport::ReadOnly)
        notices_->postGlobal(tr("History is read-only"), report.message, Notice::Warning);
    else if (report.status != OpenReport::Ok)
        notices_->postGlobal(tr("History problem"), report.message);

    history_->refresh();
    // Reopen the conversation the user was in (selectConversation ignores one that is gone).
    if (const qint64 last = settings_->lastConversation()) chat_->selectConversation(last);
    const QString defaultModel =
        options_.findDefaultModel
            ? QString::fromStdString(tern::default_model_path(QCoreApplication::arguments().value(0).toLocal8Bit().constData()))
            : QString();
    models_->start(defaultModel, options_.modelPath.isEmpty() ? QStringList() : QStringList{options_.modelPath},
                   options_.modelPath);
    manager_->start();
#ifdef TERN_HAS_API_SERVER
    // After the model controller: the server serves the model it loads, and starts now if enabled.
    apiServer_ = new ApiServerController(settings_, thread_->worker(), models_, this);
    apiServer_->start();
#endif

    if (!options_.showWindow) return true;
    engine_ = std::make_unique<QQmlApplicationEngine>();
    engine_->addImportPath(QStringLiteral("qrc:/"));
    engine_->setInitialProperties({{QStringLiteral("chat"), QVariant::fromValue(chat_)},
                                   {QStringLiteral("history"), QVariant::fromValue(history_)},
                                   {QStringLiteral("models"), QVariant::fromValue(models_)},
                                   {QStringLiteral("modelManager"), QVariant::fromValue(manager_)},
                                   {QStringLiteral("settings"), QVariant::fromValue(settings_)},
                                   {QStringLiteral("notices"), QVariant::fromValue(noticeList_)},
                                   {QStringLiteral("exporter"), QVariant::fromValue(exporter_)}});
    // A context property rather than one more of Main's required properties: it is absent
    // (and the settings say so) in builds without the server.
#ifdef TERN_HAS_API_SERVER
    engine_->rootContext()->setContextProperty(QStringLiteral("apiServer"), apiServer_);
#endif
    engine_->load(QUrl(QStringLiteral("qrc:/TernUi/Main.qml")));
    QQuickWindow* w = window();
    if (!w) return false;
    const QSize size = settings_->windowSize();
    if (size.isValid()) w->resize(size.expandedTo(w->minimumSize()));
    return true;
}

}  // namespace tern::app
