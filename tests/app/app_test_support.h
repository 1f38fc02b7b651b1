#pragma once
// Helpers for the app tests: a tiny synthetic model for the real engine, waiting on the event
// loop, and isolated settings/data folders.
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <functional>

namespace tern_app_test {

// A tiny random-weight model (engine/model/synthetic_model.h) written once per process.
QString tinyModelPath();
// Runs the event loop until cond() is true or timeoutMs passes; returns cond().
bool waitFor(const std::function<bool()>& cond, int timeoutMs = 10000);
// Points QStandardPaths and QSettings at fresh temporary folders (once per process).
void isolateUserFolders();
// A catalog file (resources/catalog.json's format) holding these entries.
bool writeCatalog(const QString& path, const QJsonArray& models);

}  // namespace tern_app_test
