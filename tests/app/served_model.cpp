#include "served_model.h"

#include "app_test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>

namespace tern_app_test {

ServedModel::ServedModel(const QString& folder, const QString& modelPath)
    : www_(folder + QStringLiteral("/www")), catalog_(folder + QStringLiteral("/catalog.json")), modelPath_(modelPath),
      server_(www_) {}

bool ServedModel::start(QString* error) {
    QFile source(modelPath_);
    if (!QDir().mkpath(www_) || !source.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1 or create %2").arg(modelPath_, www_);
        return false;
    }
    bytes_ = source.readAll();
    QFile served(www_ + QStringLiteral("/story.gguf"));
    if (!served.open(QIODevice::WriteOnly) || served.write(bytes_) != bytes_.size()) {
        *error = QStringLiteral("cannot write %1").arg(served.fileName());
        return false;
    }
    served.close();
    if (!server_.start(error)) return false;
    const QJsonObject story{
        {QStringLiteral("id"), QStringLiteral("story")},
        {QStringLiteral("name"), QStringLiteral("Story writer")},
        {QStringLiteral("description"), QStringLiteral("Tern's built-in model, served by the test's own HTTP server.")},
        {QStringLiteral("license"), QStringLiteral("MIT")},
        {QStringLiteral("url"), server_.url(QStringLiteral("story.gguf"))},
        {QStringLiteral("file"), QStringLiteral("story-writer.gguf")},
        {QStringLiteral("size"), double(bytes_.size())},
        {QStringLiteral("ram"), 50e6},
        {QStringLiteral("sha256"), QString::fromLatin1(QCryptographicHash::hash(bytes_, QCryptographicHash::Sha256).toHex())}};
    if (!writeCatalog(catalog_, {story})) {
        *error = QStringLiteral("cannot write %1").arg(catalog_);
        return false;
    }
    return true;
}

}  // namespace tern_app_test
