#pragma once
// A real HTTP server for tests: Debian's busybox httpd serving a folder on 127.0.0.1 at a free
// port, started by the test and stopped when this object goes. It answers Range requests, so
// downloads can be resumed against it like against a CDN.
#include <QProcess>
#include <QString>

namespace tern_test {

class LocalHttpServer {
public:
    explicit LocalHttpServer(QString root) : root_(std::move(root)) {}
    ~LocalHttpServer() { stop(); }
    LocalHttpServer(const LocalHttpServer&) = delete;
    LocalHttpServer& operator=(const LocalHttpServer&) = delete;

    // Starts the server (on the same port again after stop()); false with error() if busybox is
    // missing or does not answer within a few seconds.
    bool start();
    void stop();
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port_); }
    quint16 port() const { return port_; }
    QString error() const { return error_; }

private:
    QString root_;
    QProcess process_;
    quint16 port_ = 0;
    QString error_;
};

}  // namespace tern_test
