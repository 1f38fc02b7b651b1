#include "support.h"

#include "engine/model/synthetic_model.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QFile>
#include <QRandomGenerator>
#include <QThread>
#include <algorithm>
#include <csignal>
#include <stdexcept>

#ifdef Q_OS_UNIX
#include <sys/types.h>
#include <unistd.h>
#endif

namespace tern::modelstore::test {

QByteArray randomBytes(qint64 n, quint32 seed) {
    QRandomGenerator g(seed);
    QByteArray b(static_cast<int>(n), Qt::Uninitialized);
    g.fillRange(reinterpret_cast<quint32*>(b.data()), static_cast<qsizetype>(n / 4));
    for (qint64 i = n / 4 * 4; i < n; ++i) b[static_cast<int>(i)] = static_cast<char>(g.generate());
    return b;
}

QByteArray modelBytes(qint64 n, quint32 seed) {
    // A complete model (the check accepts only what Model::load would run): the engine's tiny
    // synthetic one, about 0.5 MB, its weights drawn from the seed.
    QTemporaryDir tmp;
    const QString path = tmp.filePath(QStringLiteral("model.gguf"));
    tern::SyntheticOptions o;
    o.seed = seed;
    tern::write_synthetic_model(o, path.toStdString());
    QByteArray bytes = readFile(path);
    if (bytes.size() > n) throw std::runtime_error("modelBytes: a model takes at least " + std::to_string(bytes.size()) + " bytes");
    // Exactly n bytes, so sizes in the tests stay round: the reader ignores bytes after the
    // last tensor (as in real files padded to their alignment).
    bytes += randomBytes(n - bytes.size(), seed + 1);
    return bytes;
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

void recordRetries(Download* d, QStringList& retries) {
    QObject::connect(d, &Download::statusChanged, [d, &retries] {
        if (d->status() == DownloadStatus::Retrying) retries << d->message();
    });
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

WebRoot::WebRoot(qint64 size) {
    data = modelBytes(size, static_cast<quint32>(size));
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

}  // namespace tern::modelstore::test
