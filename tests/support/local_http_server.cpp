#include "local_http_server.h"

#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace tern_test {

bool LocalHttpServer::start() {
    const QString busybox = QStandardPaths::findExecutable(QStringLiteral("busybox"));
    if (busybox.isEmpty()) {
        error_ = QStringLiteral("busybox is not installed (packaging/linux/install-build-deps.sh installs it)");
        return false;
    }
    if (port_ == 0) {  // ask the system for a free port, then hand it to busybox
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            error_ = QStringLiteral("no free port: %1").arg(probe.errorString());
            return false;
        }
        port_ = probe.serverPort();
    }
    process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process_.start(busybox, {QStringLiteral("httpd"), QStringLiteral("-f"), QStringLiteral("-p"),
                             QStringLiteral("127.0.0.1:%1").arg(port_), QStringLiteral("-h"), root_});
    if (!process_.waitForStarted(5000)) {
        error_ = QStringLiteral("busybox httpd did not start: %1").arg(process_.errorString());
        return false;
    }
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 5000) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port_);
        if (socket.waitForConnected(200)) return true;
        if (process_.state() != QProcess::Running) break;
        QThread::msleep(20);
    }
    error_ = QStringLiteral("busybox httpd does not answer on port %1").arg(port_);
    stop();
    return false;
}

void LocalHttpServer::stop() {
    if (process_.state() == QProcess::NotRunning) return;
    process_.kill();
    process_.waitForFinished(5000);
}

}  // namespace tern_test
