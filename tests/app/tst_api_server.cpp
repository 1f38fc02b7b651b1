// The desktop app's local API server (Settings → Local API server), end to end: the real app
// (TernApplication, its window offscreen) serving the model it loaded for the chat window on
// 127.0.0.1, a real HTTP client (QNetworkAccessManager), no mocks. Checks: on → /health and a
// chat completion from the built-in model; an API key; off → connection refused; a chat turn and
// an API request at the same time both complete, first come first served, with the GUI thread
// free meanwhile; switching the model under a running request answers 503; a taken port is
// reported in the status line.
#include "app/api_server_controller.h"
#include "app/app_settings.h"
#include "app/inference_worker.h"
#include "app/model_controller.h"
#include "app/tern_application.h"
#include "app_test_support.h"
#include "engine/model/default_model.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace tern::app;
using tern_app_test::waitFor;

namespace {

struct HttpResult {
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QJsonObject json;
    qint64 finishedAtMs = 0;
};

// A port nothing listens on right now.
int freePort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) return 0;
    return probe.serverPort();
}

QString statusTextOf(QQuickWindow* w, const char* objectName) {
    QList<QQuickItem*> todo{w->contentItem()};
    while (!todo.isEmpty()) {
        QQuickItem* item = todo.takeLast();
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) return item->property("text").toString();
        todo << item->childItems();
    }
    return {};
}

}  // namespace

class ApiServerTest : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString defaultModel_;
    QNetworkAccessManager nam_;
    QElapsedTimer clock_;

    AppOptions options() const {
        AppOptions o;
        o.databasePath = dir_.filePath(QStringLiteral("history.sqlite3"));
        o.modelsDir = dir_.filePath(QStringLiteral("models"));
        o.modelPath = defaultModel_;
        o.findDefaultModel = false;
        return o;
    }

    // Sends a request and runs the event loop until its answer (or failure) is in.
    QNetworkReply* send(const QString& url, const QByteArray& method, const QJsonObject& body = {},
                        const QByteArray& key = {}) {
        QNetworkRequest req{QUrl(url)};
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        req.setTransferTimeout(120000);
        if (!key.isEmpty()) req.setRawHeader("Authorization", "Bearer " + key);
        return method == "GET" ? nam_.get(req) : nam_.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }
    HttpResult wait(QNetworkReply* reply, int timeoutMs = 120000) {
        HttpResult r;
        bool done = reply->isFinished();
        connect(reply, &QNetworkReply::finished, this, [&] { done = true; });
        waitFor([&] { return done; }, timeoutMs);
        r.finishedAtMs = clock_.elapsed();
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.error = reply->error();
        r.body = reply->readAll();
        r.json = QJsonDocument::fromJson(r.body).object();
        reply->deleteLater();
        return r;
    }
    HttpResult call(const QString& url, const QByteArray& method, const QJsonObject& body = {}, const QByteArray& key = {}) {
        return wait(send(url, method, body, key));
    }
    static QJsonObject chatBody(const QString& text, int maxTokens) {
        return QJsonObject{{"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", text}}}},
                           {"max_tokens", maxTokens},
                           {"temperature", 0}};
    }

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        TernApplication::setIdentity();
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        nam_.setProxy(QNetworkProxy::NoProxy);  // never through an http_proxy from the environment
        clock_.start();
        defaultModel_ = QString::fromStdString(
            tern::default_model_path(QCoreApplication::applicationFilePath().toLocal8Bit().constData()));
        QVERIFY2(!defaultModel_.isEmpty(), "the built-in model (resources/models/tern-default.gguf) is missing");
    }

    void onRequestOff() {
        TernApplication app(options());
        QVERIFY(app.start());
        ApiServerController* api = app.apiServer();
        QVERIFY(api);
        QVERIFY(!api->enabled());  // off by default
        QVERIFY(!api->running());
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));

        const int port = freePort();
        QVERIFY(port > 0);
        api->setPort(port);
        api->setEnabled(true);
        QVERIFY(api->running());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
        QCOMPARE(api->url(), base);
        QVERIFY(waitFor([&] { return statusTextOf(app.window(), "apiStatusText") == QStringLiteral("API: ") + base; }));

        const HttpResult health = call(base + "/health", "GET");
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json.value("status").toString(), QStringLiteral("ok"));
        QCOMPARE(health.json.value("model").toString(), QStringLiteral("tern-default"));

        const HttpResult chat = call(base + "/v1/chat/completions", "POST", chatBody("Once upon a time", 16));
        QCOMPARE(chat.status, 200);
        QCOMPARE(chat.json.value("object").toString(), QStringLiteral("chat.completion"));
        QCOMPARE(chat.json.value("model").toString(), QStringLiteral("tern-default"));
        const QJsonObject message = chat.json.value("choices").toArray().at(0).toObject().value("message").toObject();
        QCOMPARE(message.value("role").toString(), QStringLiteral("assistant"));
        QVERIFY(chat.json.value("usage").toObject().value("prompt_tokens").toInt() > 0);

        // Streamed: server-sent events from the same job path, ending with [DONE].
        QJsonObject streamed = chatBody("Once upon a time", 8);
        streamed.insert("stream", true);
        const HttpResult stream = call(base + "/v1/chat/completions", "POST", streamed);
        QCOMPARE(stream.status, 200);
        QVERIFY2(stream.body.startsWith("data: {") && stream.body.contains("chat.completion.chunk") &&
                     stream.body.trimmed().endsWith("data: [DONE]"),
                 stream.body.constData());

        // An API key: /v1 asks for it, /health stays open.
        api->setApiKey(QStringLiteral("sekrit"));
        QVERIFY(api->running());
        QCOMPARE(call(base + "/v1/models", "GET").status, 401);
        QCOMPARE(call(base + "/v1/models", "GET", {}, "sekrit").status, 200);
        QCOMPARE(call(base + "/health", "GET").status, 200);
        api->setApiKey(QString());

        // Off: nothing listens any more.
        api->setEnabled(false);
        QVERIFY(!api->running());
        QVERIFY(waitFor([&] { return statusTextOf(app.window(), "apiStatusText").isEmpty(); }));
        const HttpResult off = call(base + "/health", "GET");
        QCOMPARE(off.error, QNetworkReply::ConnectionRefusedError);
    }

    void chatTurnAndApiRequestTogether() {
        AppOptions o = options();
        o.modelPath = tern_app_test::tinyModelPath();  // writes long replies whatever the prompt
        o.worker.tokenDelayMsForTesting = 4;           // so the two clearly overlap in time
        TernApplication app(o);
        QVERIFY(app.start());
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        ApiServerController* api = app.apiServer();
        const int port = freePort();
        api->setPort(port);
        api->setEnabled(true);
        QVERIFY(api->running());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);

        // A chat turn straight to the worker (as ChatController sends one), then at once an API
        // request: one model, one inference thread, served in the order they came.
        InferenceWorker* worker = app.worker();
        qint64 chatFinishedAt = 0;
        GenerationStats chatStats;
        connect(worker, &InferenceWorker::generationFinished, this, [&](const GenerationStats& s) {
            if (s.id != 900001) return;
            chatStats = s;
            chatFinishedAt = clock_.elapsed();
        });
        GenerationRequest turn;
        turn.id = 900001;
        turn.turns = {ChatTurn{QStringLiteral("user"), QStringLiteral("Tell me a long story")}};
        turn.settings.maxTokens = 40;
        // Greedy: with the default random seed the tiny model sometimes ends its turn early.
        turn.settings.temperature = 0;
        QMetaObject::invokeMethod(worker, [worker, turn] { worker->generate(turn); }, Qt::QueuedConnection);
        QNetworkReply* pending = send(base + "/v1/chat/completions", "POST", chatBody("Hello", 40));

        // The GUI thread stays free while both run: a timer keeps firing.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(10);
        const HttpResult api1 = wait(pending);
        QVERIFY(waitFor([&] { return chatFinishedAt > 0; }, 60000));
        ticker.stop();

        QCOMPARE(api1.status, 200);
        QCOMPARE(api1.json.value("usage").toObject().value("completion_tokens").toInt(), 40);
        QCOMPARE(chatStats.generatedTokens, 40);
        QCOMPARE(int(chatStats.reason), int(GenerationStats::MaxTokens));
        // First come, first served: the chat turn was queued first, so it ended first.
        QVERIFY2(chatFinishedAt <= api1.finishedAtMs,
                 qPrintable(QStringLiteral("chat at %1 ms, API at %2 ms").arg(chatFinishedAt).arg(api1.finishedAtMs)));
        QVERIFY2(ticks >= 10, qPrintable(QStringLiteral("%1 timer ticks").arg(ticks)));

        // Switching the model while a request runs: it is cancelled and answered 503.
        QNetworkReply* longOne = send(base + "/v1/chat/completions", "POST", chatBody("Go on", 2000));
        QVERIFY(waitFor([&] { return call(base + "/health", "GET").json.value("busy").toBool(); }, 30000));
        app.models()->load(defaultModel_);
        const HttpResult switched = wait(longOne);
        QCOMPARE(switched.status, 503);
        QCOMPARE(switched.json.value("error").toObject().value("code").toString(), QStringLiteral("model_changed"));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        const HttpResult after = call(base + "/v1/chat/completions", "POST", chatBody("Hi", 4));
        QCOMPARE(after.status, 200);
        QCOMPARE(after.json.value("model").toString(), QStringLiteral("tern-default"));
    }

    void noModelAnswers503() {
        AppOptions o = options();
        o.modelPath.clear();  // nothing to load: no model given, none used last
        AppSettings().setLastModel(QString());
        TernApplication app(o);
        QVERIFY(app.start());
        QTest::qWait(200);
        QVERIFY(!app.models()->loaded() && !app.models()->loading());
        ApiServerController* api = app.apiServer();
        const int port = freePort();
        api->setPort(port);
        api->setEnabled(true);
        QVERIFY(api->running());
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
        const HttpResult health = call(base + "/health", "GET");
        QCOMPARE(health.status, 503);
        QCOMPARE(health.json.value("status").toString(), QStringLiteral("no_model"));
        const HttpResult chat = call(base + "/v1/chat/completions", "POST", chatBody("Hello", 4));
        QCOMPARE(chat.status, 503);
        QCOMPARE(chat.json.value("error").toObject().value("code").toString(), QStringLiteral("no_model"));
        api->setEnabled(false);
    }

    void portInUseIsShown() {
        QTcpServer squatter;  // another program on the port
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        const int port = squatter.serverPort();
        TernApplication app(options());
        QVERIFY(app.start());
        ApiServerController* api = app.apiServer();
        api->setPort(port);
        api->setEnabled(true);
        QVERIFY(!api->running());
        QVERIFY(api->error().contains(QString::number(port)));
        QVERIFY(waitFor([&] {
            return statusTextOf(app.window(), "apiStatusText").contains(QString::number(port));
        }));
        qInfo("status line: %s", qPrintable(statusTextOf(app.window(), "apiStatusText")));
        // Once the port is free, turning it off and on again works.
        squatter.close();
        api->setEnabled(false);
        QVERIFY(api->error().isEmpty());
        api->setEnabled(true);
        QVERIFY(api->running());
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        QCOMPARE(call(api->url() + "/health", "GET").status, 200);
        api->setEnabled(false);  // settings persist between the tests' app instances
    }
};

QTEST_MAIN(ApiServerTest)
#include "tst_api_server.moc"
