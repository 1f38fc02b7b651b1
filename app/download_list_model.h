#pragma once
// The downloads on the Models page, one row per Download of the manager: status, progress,
// rate, time left and the reason when one is paused or failed. Rows follow the Download objects'
// signals, so QML bindings update as bytes arrive.
#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace tern::modelstore {
class Download;
}

namespace tern::app {

class DownloadListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the model manager")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1, NameRole, StatusRole, StatusTextRole, FractionRole, BytesTextRole,
        RateTextRole, TimeLeftTextRole, MessageRole, CanPauseRole, CanResumeRole, FinishedRole, FailedRole,
        CanRetryRole, KeptRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void add(modelstore::Download* d);
    void remove(modelstore::Download* d);
    modelstore::Download* at(int row) const { return row >= 0 && row < rows_.size() ? rows_[row] : nullptr; }

signals:
    void countChanged();

private:
    void changed(modelstore::Download* d);
    QList<modelstore::Download*> rows_;
};

}  // namespace tern::app
