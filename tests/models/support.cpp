#include "support.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QFile>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <csignal>
#include <stdexcept>

#ifdef Q_OS_UNIX
#include <sys/types.h>
#include <unistd.h>
#endif

namespace tern::models::test {

QByteArray randomBytes(qint64 n, quint32 seed) {
    QRandomGenerator g(seed);
    QByteArray b(static_cast<int>(n), Qt::Uninitialized);
    g.fillRange(reinterpret_cast<quint32*>(b.data()), static_cast<qsizetype>(n / 4));
    for (qint64 i = n / 4 * 4; i < n; ++i) b[static_cast<int>(i)] = static_cast<char>(g.generate());
    return b;
}

QString sha256Hex(const QByteArray& data) {
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

void writeFile(const QString& path, const QByteArray& data, bool executable) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size())
        throw std::runtime_error("cannot write " + path.toStdString());
    f.close();
    if (executable) f.setPermissions(f.permissions() | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther);
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool waitFor(const std::function<bool()>& pred, int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (!pred()) {
        if (deadline.hasExpired()) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(1);
    }
    return true;
}

bool waitSettled(const Download* d, int timeoutMs) {
    return waitFor([d] {
        const DownloadStatus s = d->status();
        return s == DownloadStatus::Done || s == DownloadStatus::Failed || s == DownloadStatus::Paused ||
               s == DownloadStatus::Canceled;
    }, timeoutMs);
}

RetryPolicy fastRetries(int maxAttempts) {
    RetryPolicy p;
    p.maxAttempts = maxAttempts;
    p.firstDelayMs = 50;
    p.maxDelayMs = 400;
    p.stallTimeoutMs = 1000;
    return p;
}

DownloadSpec specFor(const QString& url, const QByteArray& data, bool withHash) {
    DownloadSpec s;
    s.id = QStringLiteral("test-model");
    s.url = QUrl(url);
    s.fileName = QStringLiteral("test-model.gguf");
    s.sha256 = withHash ? sha256Hex(data) : QString();
    s.expectedSize = data.size();
    s.card = QJsonObject{{QStringLiteral("name"), QStringLiteral("Test model")}};
    return s;
}

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

WebRoot::WebRoot(qint64 size) {
    data = randomBytes(size, static_cast<quint32>(size));
    sha = sha256Hex(data);
    writeFile(path(QStringLiteral("model.gguf")), data);
    const QByteArray len = QByteArray::number(size);
    // CGI scripts run in cgi-bin/; their output passes through busybox as the HTTP answer.
    writeFile(path(QStringLiteral("cgi-bin/full")),
              "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\nContent-Length: " + len +
                  "\\r\\n\\r\\n'\nexec cat ../model.gguf\n",
              true);
    writeFile(path(QStringLiteral("cgi-bin/flaky")),
              "#!/bin/sh\nn=$(cat ../flaky.count 2>/dev/null || echo 0)\n"
              "if [ \"$n\" -gt 0 ]; then echo $((n - 1)) > ../flaky.count\n"
              "  printf 'Status: 500 Internal Server Error\\r\\nContent-Type: text/plain\\r\\n\\r\\nbusy\\n'; exit 0; fi\n"
              "printf 'Content-Type: application/octet-stream\\r\\nContent-Length: " + len +
                  "\\r\\n\\r\\n'\nexec cat ../model.gguf\n",
              true);
    writeFile(path(QStringLiteral("cgi-bin/r1")), "#!/bin/sh\nprintf 'Status: 302 Found\\r\\nLocation: /cgi-bin/r2\\r\\n\\r\\n'\n", true);
    writeFile(path(QStringLiteral("cgi-bin/r2")), "#!/bin/sh\nprintf 'Status: 302 Found\\r\\nLocation: /model.gguf\\r\\n\\r\\n'\n", true);
    writeFile(path(QStringLiteral("cgi-bin/stall")),
              "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\r\\nContent-Length: " + len + "\\r\\n\\r\\n'\n"
              "if [ ! -e ../stalled ]; then : > ../stalled; head -c 65536 ../model.gguf; exec sleep 30; fi\n"
              "exec cat ../model.gguf\n",
              true);
}

void WebRoot::setFlakyFailures(int n) { writeFile(path(QStringLiteral("flaky.count")), QByteArray::number(n) + "\n"); }

}  // namespace tern::models::test
