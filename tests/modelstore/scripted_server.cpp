#include "scripted_server.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace tern::modelstore::test {

namespace {
QByteArray reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 416: return "Range Not Satisfiable";
    default: return "Status";
    }
}

ScriptedRequest parseRequest(const QByteArray& head, int index) {
    ScriptedRequest r;
    r.index = index;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
    r.path = first.value(1);
    for (const QByteArray& line : lines) {
        const int colon = line.indexOf(':');
        if (colon < 0 || line.left(colon).trimmed().toLower() != "range") continue;
        r.rangeHeader = line.mid(colon + 1).trimmed();
        static const QRegularExpression re(QStringLiteral("^bytes=(\\d+)-"));
        const auto m = re.match(QString::fromLatin1(r.rangeHeader));
        if (m.hasMatch()) r.rangeStart = m.captured(1).toLongLong();
    }
    return r;
}

// Sends a trickled body one byte at a time; stops when the client goes away.
void trickle(QTcpSocket* socket, const QByteArray& body, qint64 at, int everyMs) {
    if (socket->state() != QAbstractSocket::ConnectedState) return;
    if (at >= body.size()) {
        socket->disconnectFromHost();
        return;
    }
    socket->write(body.constData() + at, 1);
    QTimer::singleShot(everyMs, socket, [socket, body, at, everyMs] { trickle(socket, body, at + 1, everyMs); });
}
}  // namespace

QByteArray contentLength(qint64 n) { return "Content-Length: " + QByteArray::number(n) + "\r\n"; }

QByteArray contentRange(qint64 first, qint64 last, qint64 total) {
    return "Content-Range: bytes " + QByteArray::number(first) + '-' + QByteArray::number(last) + '/' +
           QByteArray::number(total) + "\r\n";
}

ScriptedServer::ScriptedServer(Script script) : script_(std::move(script)) {}

ScriptedServer::~ScriptedServer() {
    if (thread_.isRunning()) {
        // Deleting the server on its thread deletes its connections (its children) and their timers.
        QMetaObject::invokeMethod(server_, [this] { delete server_; }, Qt::BlockingQueuedConnection);
        thread_.quit();
        thread_.wait();
    } else {
        delete server_;
    }
}

bool ScriptedServer::start(QString* error) {
    server_ = new QTcpServer;
    server_->moveToThread(&thread_);
    thread_.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        server_,
        [&] {
            QObject::connect(server_, &QTcpServer::newConnection, server_, [this] { onNewConnection(); });
            ok = server_->listen(QHostAddress::LocalHost, 0);
            if (!ok && error) *error = server_->errorString();
            port_ = server_->serverPort();
        },
        Qt::BlockingQueuedConnection);
    return ok;
}

QString ScriptedServer::url(const QString& path) const {
    return QStringLiteral("http://127.0.0.1:%1/%2").arg(port_).arg(path);
}

void ScriptedServer::onNewConnection() {
    while (QTcpSocket* socket = server_->nextPendingConnection()) {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
            if (socket->property("answered").toBool()) return;
            QByteArray head = socket->property("head").toByteArray() + socket->readAll();
            socket->setProperty("head", head);
            if (!head.contains("\r\n\r\n")) return;
            socket->setProperty("answered", true);
            const ScriptedAnswer a = script_(parseRequest(head, requests_++));
            socket->write("HTTP/1.1 " + QByteArray::number(a.status) + ' ' + reason(a.status) +
                          "\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n" + a.headers + "\r\n");
            if (a.trickleMs > 0) {
                trickle(socket, a.body, 0, a.trickleMs);
                return;
            }
            socket->write(a.sendBytes < 0 ? a.body : a.body.left(static_cast<qsizetype>(a.sendBytes)));
            socket->disconnectFromHost();  // after the bytes written so far have gone out
        });
    }
}

}  // namespace tern::modelstore::test
