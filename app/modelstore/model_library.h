#pragma once
// The models installed in the models folder: downloaded or copied *.gguf files (each with its
// card, <base>.json), plus files referenced where they lie (library.json). Import validates a
// file before it is added; remove frees the space (or only forgets a reference).
#include "app/modelstore/gguf_check.h"

#include <QCoreApplication>
#include <QString>
#include <QVector>
#include <functional>

namespace tern::modelstore {

struct InstalledModel {
    QString id;    // file base name (copies) or the reference's base name
    QString path;  // absolute
    QString name;  // from the card, else base name
    qint64 sizeBytes = 0;
    bool inPlace = false;  // referenced where it lies (not copied); remove only forgets it
    bool missing = false;  // a reference whose file is gone
    QString sha256;        // from the card if known
};

class ModelLibrary {
    Q_DECLARE_TR_FUNCTIONS(ModelLibrary)  // its errors are shown on the Models page

public:
    explicit ModelLibrary(const QString& modelsDir);  // creates the dir on first write only
    QString modelsDir() const { return dir_; }
    static QString defaultModelsDir();  // QStandardPaths::AppDataLocation + "/models" (org "Tern", app "Tern")
    QVector<InstalledModel> list() const;  // *.gguf in modelsDir (no .part) + references (library.json)
    enum class ImportMode { Copy, Reference };
    // Validates first. Copy goes through <name>.part + rename, checks free space, reports progress
    // (return false from progress to cancel). Refuses duplicates with a clear error.
    bool importFile(const QString& path, ImportMode mode, QString* error, InstalledModel* out = nullptr,
                    const std::function<bool(qint64 done, qint64 total)>& progress = {});
    bool remove(const QString& idOrPath, QString* error);  // deletes copies (+card); forgets references
    QString defaultModel() const;                           // path, or "" = the built-in one
    bool setDefault(const QString& pathOrEmpty, QString* error);

    // <base>.json beside a model file.
    static QString cardPath(const QString& modelPath);

private:
    struct State {
        QStringList references;
        QString defaultPath;
    };
    State readState() const;
    bool writeState(const State& s, QString* error) const;
    InstalledModel describe(const QString& path, bool inPlace) const;
    QString libraryFile() const;

    QString dir_;
};

}  // namespace tern::modelstore
