#pragma once
// A real HTTP server for the Qt test suites: Debian's busybox httpd serving a folder on
// 127.0.0.1 at a free port (CGI scripts in root/cgi-bin/). It answers Range requests with 206
// and strong ETags, so downloads resume against it as against a CDN. Tests kill and restart it
// to play a server dying mid-transfer.
#include <QProcess>
#include <QString>
#include <memory>

namespace tern_test {

// Killed (with its per-connection children and CGI scripts) in the destructor.
class HttpServer {
public:
    explicit HttpServer(const QString& root);
    ~HttpServer();
    // Starts on a free port (the same port again after stop()); false with a reason.
    bool start(QString* error);
    void stop();  // SIGKILL, like a crash: connections drop mid-transfer
    quint16 port() const { return port_; }
    QString url(const QString& path) const;

private:
    QString root_;
    quint16 port_ = 0;
    std::unique_ptr<QProcess> proc_;
};

}  // namespace tern_test
