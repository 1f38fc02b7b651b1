#pragma once
// What the model-store tests share: temp folders with test files, a real HTTP server (busybox
// httpd) they can kill and restart, and waiting on the event loop with a deadline.
#include "app/modelstore/download.h"
#include "http_server.h"

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>

namespace tern::modelstore::test {

QByteArray randomBytes(qint64 n, quint32 seed);
// A small but complete GGUF model file of exactly n bytes (at least about 0.5 MB; random weights
// from the seed, then random padding): downloads are only installed when the engine's GGUF
// check accepts them.
QByteArray modelBytes(qint64 n, quint32 seed);
QString sha256Hex(const QByteArray& data);
void writeFile(const QString& path, const QByteArray& data, bool executable = false);
QByteArray readFile(const QString& path);
// Spins the event loop until pred() or the deadline; returns pred().
bool waitFor(const std::function<bool()>& pred, int timeoutMs);

// Waits until d is Done, Failed, Paused or Canceled.
bool waitSettled(const Download* d, int timeoutMs = 30000);
// Appends the message of every Retrying state d enters to `retries`.
void recordRetries(Download* d, QStringList& retries);
// Short delays so the retry cases run in well under a second each.
RetryPolicy fastRetries(int maxAttempts = 4);
// A spec for file rel of the web root served at base.
DownloadSpec specFor(const QString& url, const QByteArray& data, bool withHash = true);

using tern_test::HttpServer;  // busybox httpd, tests/support/http_server.h


// A web root with one random file ("model.gguf", size bytes) and the CGI scripts the fault
// tests use:
//   cgi-bin/full     always 200 with the whole file (a server that ignores Range)
//   cgi-bin/flaky    500 for the first N requests (N in flaky.count), then the file
//   cgi-bin/r1, r2   302 -> r2 -> /model.gguf (a redirect chain)
//   cgi-bin/stall    first request: headers and 64 kB, then silence; after that the file
struct WebRoot {
    explicit WebRoot(qint64 size);
    QTemporaryDir dir;
    QByteArray data;
    QString sha;
    QString path(const QString& rel) const { return dir.filePath(rel); }
    void setFlakyFailures(int n);
};

}  // namespace tern::modelstore::test
