#pragma once
// The messages on screen: one branch of the conversation tree, root first. The streaming reply
// grows in place (appendText), which QML sees as a dataChanged on one row; setRows() keeps the
// rows a new list shares with the old one, so the bubbles on screen are not rebuilt.
#include "app/conversation_store.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

struct MessageRow {
    MessageRecord message;
    int versionIndex = 1;  // 1-based position among its siblings
    int versionCount = 1;
};

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the chat controller")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        MessageIdRole = Qt::UserRole + 1, RoleRole, ContentRole, StateRole, StreamingRole, VersionIndexRole,
        VersionCountRole, TokenCountRole, TokensPerSecondRole, ModelRole, CreatedAtRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRows(QVector<MessageRow> rows);
    void appendText(qint64 messageId, const QString& text);
    void updateMessage(const MessageRecord& m);  // content, state and statistics of one row
    int rowOf(qint64 messageId) const;
    const MessageRow* rowAt(int row) const { return row >= 0 && row < rows_.size() ? &rows_[row] : nullptr; }
    Q_INVOKABLE QString contentAt(int row) const;

signals:
    void countChanged();

private:
    QVector<MessageRow> rows_;
};

}  // namespace tern::app
