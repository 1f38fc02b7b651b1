#include "app_test_support.h"

#include "engine/model/synthetic_model.h"

#include <QFile>
#include <QJsonDocument>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

namespace tern_app_test {

namespace {
QTemporaryDir& scratch() {
    static QTemporaryDir dir;
    return dir;
}
}  // namespace

QString tinyModelPath() {
    static QString path;
    if (path.isEmpty()) {
        path = scratch().filePath(QStringLiteral("tiny.gguf"));
        tern::SyntheticOptions o;
        o.shape = "tiny";
        o.seed = 3;
        tern::write_synthetic_model(o, path.toStdString());
    }
    return path;
}

bool waitFor(const std::function<bool()>& cond, int timeoutMs) {
    QElapsedTimer t;
    t.start();
    while (!cond()) {
        if (t.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(1);
    }
    return true;
}

void isolateUserFolders() {
    static bool done = false;
    if (done) return;
    done = true;
    // Test mode moves QStandardPaths (and so QSettings' files) under ~/.qttest; a unique
    // XDG_CONFIG_HOME/XDG_DATA_HOME keeps parallel test runs apart as well.
    qputenv("XDG_CONFIG_HOME", scratch().filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", scratch().filePath(QStringLiteral("data")).toUtf8());
    QStandardPaths::setTestModeEnabled(true);
    // Qt 6.4's QSettings follows test mode to the shared ~/.qttest/config, whatever
    // XDG_CONFIG_HOME says: without this, one run's "model used last" leaks into the next.
    const QString config = scratch().filePath(QStringLiteral("config"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, config);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, config);
}

bool writeCatalog(const QString& path, const QJsonArray& models) {
    QFile f(path);
    const QByteArray json = QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("models"), models}}).toJson();
    return f.open(QIODevice::WriteOnly) && f.write(json) == json.size();
}

}  // namespace tern_app_test
