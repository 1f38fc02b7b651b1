// HTTPS keeps Qt's certificate checks: a server whose certificate is not trusted is refused at
// once (no retries, nothing written), and the same server works once its CA is trusted. The
// server is `openssl s_server -WWW` with a throw-away certificate for 127.0.0.1.
#include "app/modelstore/download_manager.h"
#include "support.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <catch2/catch.hpp>

using namespace tern::modelstore;
using namespace tern::modelstore::test;

namespace {
bool openssl(const QStringList& args, const QString& dir) {
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral("openssl"), args);
    return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}
}  // namespace

TEST_CASE("https: an untrusted certificate is refused; a trusted one works", "[https]") {
    WebRoot web(1000 * 1000);
    const QString dir = web.dir.path();
    REQUIRE(openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                     QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                     QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                     QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-keyout"),
                     QStringLiteral("key.pem"), QStringLiteral("-out"), QStringLiteral("cert.pem")},
                    dir));
    quint16 port = 0;
    {
        QTcpServer probe;
        REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    QProcess server;
    server.setWorkingDirectory(dir);  // -WWW serves files relative to here
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.setStandardOutputFile(QProcess::nullDevice());
    server.start(QStringLiteral("openssl"), {QStringLiteral("s_server"), QStringLiteral("-quiet"), QStringLiteral("-accept"),
                                             QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("-cert"),
                                             QStringLiteral("cert.pem"), QStringLiteral("-key"), QStringLiteral("key.pem"),
                                             QStringLiteral("-WWW")});
    REQUIRE(server.waitForStarted());
    REQUIRE(waitFor([&] {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, port);
        return s.waitForConnected(100);
    }, 5000));
    const QString url = QStringLiteral("https://127.0.0.1:%1/model.gguf").arg(port);

    QTemporaryDir models;
    {
        DownloadManager manager(models.path());
        manager.setRetryPolicy(fastRetries());
        Download* d = manager.add(specFor(url, web.data));
        bool retried = false;
        QObject::connect(d, &Download::statusChanged, [&] { retried = retried || d->status() == DownloadStatus::Retrying; });
        REQUIRE(waitSettled(d, 10000));
        CHECK(d->status() == DownloadStatus::Failed);
        CHECK(d->message().contains(QStringLiteral("Secure connection to 127.0.0.1 failed")));
        CHECK_FALSE(retried);
        CHECK(QDir(models.path()).entryList(QDir::Files).isEmpty());
    }

    const QSslConfiguration saved = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = saved;
    trusting.addCaCertificates(QSslCertificate::fromPath(QDir(dir).filePath(QStringLiteral("cert.pem"))));
    QSslConfiguration::setDefaultConfiguration(trusting);
    {
        DownloadManager manager(models.path());
        manager.setRetryPolicy(fastRetries());
        Download* d = manager.add(specFor(url, web.data));
        REQUIRE(waitSettled(d, 10000));
        INFO(d->message().toStdString());
        CHECK(d->status() == DownloadStatus::Done);
        CHECK(readFile(d->finalPath()) == web.data);
    }
    QSslConfiguration::setDefaultConfiguration(saved);
    server.kill();
    server.waitForFinished();
}
