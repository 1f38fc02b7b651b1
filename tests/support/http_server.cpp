#include "http_server.h"

#include <QDeadlineTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#include <unistd.h>
#endif

namespace tern_test {

HttpServer::HttpServer(const QString& root) : root_(root) {}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::start(QString* error) {
    const bool samePort = port_ != 0;  // a restart keeps its address: the download's URL names it
    for (int tries = 0; tries < 20; ++tries) {
        if (!samePort) {
            QTcpServer probe;  // a port the kernel says is free right now
            if (!probe.listen(QHostAddress::LocalHost, 0)) continue;
            port_ = probe.serverPort();
        }
        proc_ = std::make_unique<QProcess>();
        proc_->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        // Its own process group: httpd forks a child per connection (and CGI scripts below
        // that), and killing only the parent would leave the transfer running.
#ifdef Q_OS_UNIX
        proc_->setChildProcessModifier([] { ::setsid(); });
#endif
        proc_->start(QStringLiteral(TERN_BUSYBOX),
                     {QStringLiteral("httpd"), QStringLiteral("-f"), QStringLiteral("-p"),
                      QStringLiteral("127.0.0.1:%1").arg(port_), QStringLiteral("-h"), root_});
        if (!proc_->waitForStarted(5000)) {
            if (error) *error = QStringLiteral("cannot run %1: %2 (apt-get install busybox)").arg(TERN_BUSYBOX, proc_->errorString());
            proc_.reset();
            return false;
        }
        // Ready when it accepts a connection; if it exits, the port was taken.
        QDeadlineTimer deadline(3000);
        while (!deadline.hasExpired() && proc_->state() == QProcess::Running) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, port_);
            if (s.waitForConnected(200)) return true;
            QThread::msleep(20);
        }
        stop();
        QThread::msleep(100);
    }
    if (error) *error = QStringLiteral("busybox httpd did not start on port %1").arg(port_);
    return false;
}

void HttpServer::stop() {
    if (!proc_) return;
    const qint64 pid = proc_->processId();
#ifdef Q_OS_UNIX
    if (pid > 0) ::kill(-static_cast<pid_t>(pid), SIGKILL);  // the group: server, connections, CGI
#endif
    proc_->kill();
    proc_->waitForFinished(5000);
    proc_.reset();
}

QString HttpServer::url(const QString& path) const { return QStringLiteral("http://127.0.0.1:%1/%2").arg(port_).arg(path); }

}  // namespace tern_test
