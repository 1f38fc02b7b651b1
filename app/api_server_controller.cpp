#include "app/api_server_controller.h"

#include "app/api_chat_backend.h"
#include "app/app_settings.h"
#include "app/model_controller.h"
#include "engine/server/server_options.h"
#include "engine/server/server_routes.h"

#include <QClipboard>
#include <QDateTime>
#include <QFileInfo>
#include <QGuiApplication>

#include <chrono>
#include <csignal>

namespace tern::app {

ApiServerController::ApiServerController(AppSettings* settings, InferenceWorker* worker, ModelController* models,
                                         QObject* parent)
    : QObject(parent), settings_(settings), worker_(worker), models_(models) {
    connect(settings_, &AppSettings::apiServerChanged, this, [this] {
        emit settingsChanged();
        apply();
    });
    connect(models_, &ModelController::stateChanged, this, &ApiServerController::updateModel);
}

ApiServerController::~ApiServerController() { stopServer(); }

void ApiServerController::start() {
    started_ = true;
    apply();
}

bool ApiServerController::enabled() const { return settings_->apiServerEnabled(); }
void ApiServerController::setEnabled(bool on) { settings_->setApiServerEnabled(on); }
int ApiServerController::port() const { return settings_->apiServerPort(); }
void ApiServerController::setPort(int port) { settings_->setApiServerPort(port); }
QString ApiServerController::apiKey() const { return settings_->apiServerKey(); }
void ApiServerController::setApiKey(const QString& key) { settings_->setApiServerKey(key); }

QString ApiServerController::url() const {
    return server_ ? QStringLiteral("http://%1:%2").arg(host()).arg(boundPort_) : QString();
}

void ApiServerController::copyUrl() const {
    if (auto* clipboard = QGuiApplication::clipboard(); clipboard && server_) clipboard->setText(url());
}

void ApiServerController::apply() {
    if (!started_) return;
    // Any change (port, key, off) takes a fresh server: httplib's cannot be rebound.
    stopServer();
    error_.clear();
    if (settings_->apiServerEnabled()) startServer();
    emit stateChanged();
}

void ApiServerController::startServer() {
    tern::server::ServerOptions o;
    o.host = host().toStdString();  // loopback only: the app has no setting to widen it
    o.port = settings_->apiServerPort();
    o.api_key = settings_->apiServerKey().toStdString();
#ifdef SIGPIPE
    // httplib writes with send() without MSG_NOSIGNAL: a client that disconnects mid-stream
    // would otherwise kill the whole app. Writes then fail with EPIPE instead.
    std::signal(SIGPIPE, SIG_IGN);
#endif
    auto server = std::make_unique<tern::server::ApiServer>(o);
    auto backend = std::make_unique<ApiChatBackend>(worker_, o.queue_size);
    server->set_backend(*backend);
    try {
        boundPort_ = server->bind();
    } catch (const std::exception&) {
        error_ = tr("The local API server could not start: port %1 is in use by another program. "
                    "Choose another port in Settings.")
                     .arg(o.port);
        return;
    }
    backend_ = std::move(backend);
    server_ = std::move(server);
    updateModel();
    listener_ = std::thread([s = server_.get()] { s->listen(); });
    // The socket already accepts connections (bind() listens); this wait only makes a stop()
    // right after start reach httplib, which ignores one that comes before its loop runs.
    for (int i = 0; i < 2000 && !server_->listening(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void ApiServerController::stopServer() {
    if (!server_) return;
    // Jobs queued behind chat turns end now and the running one within a token, so stopping
    // does not wait for the worker (httplib's stop waits for every handler to return).
    backend_->close();
    server_->stop();
    if (listener_.joinable()) listener_.join();
    server_.reset();
    backend_.reset();
    boundPort_ = 0;
}

void ApiServerController::updateModel() {
    if (!backend_) return;
    if (!models_->loaded() || models_->loading()) {
        backend_->setModel(std::nullopt);
        return;
    }
    const QString path = models_->info().path;
    tern::server::ServedModel m;
    m.id = tern::server::model_id_from_path(QFileInfo(path).fileName().toStdString());
    m.created = QFileInfo(path).lastModified().toSecsSinceEpoch();
    backend_->setModel(m);
}

}  // namespace tern::app
