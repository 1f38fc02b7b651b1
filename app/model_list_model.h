#pragma once
// The models the picker and the Models page offer: the built-in default model (found as the
// command-line tools find it), the models the library knows (downloads and copies in the models
// folder, files referenced where they lie) and any file given on the command line. A JSON card
// beside a model (same name, .json) describes it.
#include "app/modelstore/model_library.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct ModelEntry {
    QString path;
    QString name;
    QString summary;  // one paragraph for the model card
    bool isDefault = false;     // the built-in model that ships with Tern
    bool inLibrary = false;     // managed by the library: can be removed, made the start model
    bool inPlace = false;       // referenced where it lies: removing only forgets it
    bool missing = false;       // a reference whose file has gone
    qint64 sizeBytes = 0;

    bool operator==(const ModelEntry& o) const {
        return path == o.path && name == o.name && summary == o.summary && isDefault == o.isDefault &&
               inLibrary == o.inLibrary && inPlace == o.inPlace && missing == o.missing && sizeBytes == o.sizeBytes;
    }
};

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the model controller")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        PathRole = Qt::UserRole + 1, NameRole, SummaryRole, IsDefaultRole, SizeTextRole,
        InLibraryRole, InPlaceRole, MissingRole, IsStartModelRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Rebuilds the list: builtIn (may be empty), then the library's models, then extras. Files
    // that do not exist are left out, except library references (shown as missing). An unchanged
    // list is left alone, so that rescanning on every change of the models folder costs the
    // views nothing.
    void scan(const QString& builtIn, const QVector<modelstore::InstalledModel>& installed, const QStringList& extras);
    // The model the app opens at start ("" = the built-in one); marks its row.
    void setStartModel(const QString& path);
    int rowOfPath(const QString& path) const;
    const ModelEntry* entryAt(int row) const { return row >= 0 && row < entries_.size() ? &entries_[row] : nullptr; }
    static ModelEntry describe(const QString& path, bool isDefault);

signals:
    void countChanged();

private:
    QVector<ModelEntry> entries_;
    QString startModel_;
};

}  // namespace tern::app
