#pragma once
// A small HTTP/1.1 server on 127.0.0.1 whose every answer a test scripts, for the servers busybox
// cannot play: one that lies in Content-Range, sends no Content-Length, cuts a body short, sends
// bytes from the wrong offset or trickles a byte now and then. It runs on its own thread, so it
// answers while the test blocks (waiting on a tern-models process) as well as while it spins the
// event loop. One request per connection ("Connection: close").
#include <QByteArray>
#include <QString>
#include <QThread>
#include <atomic>
#include <functional>

class QTcpServer;

namespace tern::modelstore::test {

struct ScriptedRequest {
    int index = 0;          // 0 for the first request the server received
    QByteArray path;        // "/model.gguf"
    QByteArray rangeHeader; // as sent; empty = none
    qint64 rangeStart = -1; // from "Range: bytes=N-"; -1 = none
};

struct ScriptedAnswer {
    int status = 200;
    QByteArray headers;      // extra header lines, each ending in "\r\n" (Content-Length is not added for you)
    QByteArray body;
    qint64 sendBytes = -1;   // send only this many bytes of body, then close; -1 = all of it
    int trickleMs = 0;       // > 0: one byte of body every trickleMs (a slow-loris server)
};

// Headers for a body of n bytes, of a file of total bytes starting at first (206 if partial).
QByteArray contentLength(qint64 n);
QByteArray contentRange(qint64 first, qint64 last, qint64 total);

class ScriptedServer {
public:
    using Script = std::function<ScriptedAnswer(const ScriptedRequest&)>;
    // script runs on the server's thread: it must only read data that outlives the server.
    explicit ScriptedServer(Script script);
    ~ScriptedServer();  // closes every connection, stops the thread
    bool start(QString* error);
    QString url(const QString& path) const;
    int requests() const { return requests_.load(); }

private:
    void onNewConnection();
    Script script_;
    QThread thread_;
    QTcpServer* server_ = nullptr;  // lives on thread_
    quint16 port_ = 0;
    std::atomic<int> requests_{0};
};

}  // namespace tern::modelstore::test
