#pragma once
// Settings → "Local API server": runs tern-server's HTTP side (engine/server) inside the app,
// on listening threads of its own, answering from the model loaded for the chat window (see
// ApiChatBackend). Off by default; listens on 127.0.0.1 only, with an optional API key. Started,
// restarted and stopped as the settings change; the status line shows its address or why it
// could not start. Exposed to QML as the context property `apiServer` (absent in builds
// without cpp-httplib, where the settings say the server is unavailable).
#include <QObject>
#include <QString>

#include <memory>
#include <thread>

namespace tern::server {
class ApiServer;
}

namespace tern::app {

class ApiChatBackend;
class AppSettings;
class InferenceWorker;
class ModelController;

class ApiServerController : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool enabled READ enabled WRITE setEnabled NOTIFY settingsChanged)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY settingsChanged)
    Q_PROPERTY(QString apiKey READ apiKey WRITE setApiKey NOTIFY settingsChanged)
    Q_PROPERTY(QString host READ host CONSTANT)
    Q_PROPERTY(bool running READ running NOTIFY stateChanged)
    Q_PROPERTY(QString url READ url NOTIFY stateChanged)
    Q_PROPERTY(QString error READ error NOTIFY stateChanged)
public:
    // All three must outlive this object.
    ApiServerController(AppSettings* settings, InferenceWorker* worker, ModelController* models, QObject* parent = nullptr);
    ~ApiServerController() override;  // stops the server (jobs in flight end as cancelled)

    // Starts the server if the settings say so; from then on follows them.
    void start();

    bool enabled() const;
    void setEnabled(bool on);
    int port() const;
    void setPort(int port);
    QString apiKey() const;
    void setApiKey(const QString& key);
    QString host() const { return QStringLiteral("127.0.0.1"); }
    bool running() const { return server_ != nullptr; }
    QString url() const;    // "" unless running
    QString error() const { return error_; }  // why it is not running although enabled

    Q_INVOKABLE void copyUrl() const;

signals:
    void settingsChanged();
    void stateChanged();

private:
    void apply();
    void startServer();
    void stopServer();
    void updateModel();

    AppSettings* settings_;
    InferenceWorker* worker_;
    ModelController* models_;
    bool started_ = false;
    int boundPort_ = 0;
    QString error_;
    // Destroyed in this order by stopServer(): the server (its handlers wait on jobs), then the
    // backend the jobs were queued in.
    std::unique_ptr<ApiChatBackend> backend_;
    std::unique_ptr<tern::server::ApiServer> server_;
    std::thread listener_;
};

}  // namespace tern::app
