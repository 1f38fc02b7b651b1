#pragma once
// What the Models page tests download: a model file served by a real local HTTP server (busybox
// httpd) from folder/www, and a one-entry catalog (id "story", saved as story-writer.gguf, size
// and SHA-256 from the file) at folder/catalog.json that names it.
#include "http_server.h"

#include <QByteArray>
#include <QString>

namespace tern_app_test {

class ServedModel {
public:
    // folder: a fresh temporary folder of the test's own.
    ServedModel(const QString& folder, const QString& modelPath);
    // Copies the model, starts the server and writes the catalog; false with a reason.
    bool start(QString* error);
    const QByteArray& bytes() const { return bytes_; }
    QString catalogPath() const { return catalog_; }

private:
    QString www_;
    QString catalog_;
    QString modelPath_;
    QByteArray bytes_;
    tern_test::HttpServer server_;
};

}  // namespace tern_app_test
