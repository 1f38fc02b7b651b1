#pragma once
// The models the picker offers: the built-in default model (found as the command-line tools find
// it), GGUF files in <AppDataLocation>/models (where the model manager puts downloads), and any
// file given on the command line. A JSON card beside a model (same name, .json) describes it.
#include <QAbstractListModel>
#include <QJsonObject>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct ModelEntry {
    QString path;
    QString name;
    QString summary;  // one paragraph for the model card
    bool isDefault = false;
    qint64 sizeBytes = 0;
};

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the model controller")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { PathRole = Qt::UserRole + 1, NameRole, SummaryRole, IsDefaultRole, SizeTextRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Rescans: defaultModel (may be empty), every *.gguf in modelsDir, then extras.
    void scan(const QString& defaultModel, const QString& modelsDir, const QStringList& extras);
    int rowOfPath(const QString& path) const;
    const ModelEntry* entryAt(int row) const { return row >= 0 && row < entries_.size() ? &entries_[row] : nullptr; }
    static ModelEntry describe(const QString& path, bool isDefault);

signals:
    void countChanged();

private:
    QVector<ModelEntry> entries_;
};

// The user-visible size of a file, e.g. "1.19 GB" or "7.4 MB".
QString formatBytes(qint64 bytes);

}  // namespace tern::app
