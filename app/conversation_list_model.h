#pragma once
// The sidebar's conversations, newest first, each in a section "Today", "Yesterday" or
// "Earlier" by its last update in local time.
#include "app/conversation_store.h"

#include <QAbstractListModel>
#include <QDate>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the chat controller")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { ConversationIdRole = Qt::UserRole + 1, TitleRole, SectionRole, UpdatedAtRole, ModelRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setConversations(QVector<ConversationRecord> list);
    int rowOf(qint64 conversationId) const;
    qint64 idAt(int row) const;
    void setToday(QDate today) { today_ = today; }  // tests pin the date
    static QString sectionFor(qint64 updatedAtMs, QDate today);
    // A conversation's title as the window shows it: "New chat" until it has one. (Also for
    // search results and the undo bar, so all say the same.)
    static QString shownTitle(const QString& title);

signals:
    void countChanged();

private:
    QVector<ConversationRecord> list_;
    QDate today_;
};

}  // namespace tern::app
