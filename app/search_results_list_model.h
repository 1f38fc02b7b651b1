#pragma once
// Sidebar search hits: conversation title, and a snippet of the matching message with the
// matched words in bold (HTML, already escaped).
#include "app/conversation_store.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class SearchResultsListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the chat controller")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { ConversationIdRole = Qt::UserRole + 1, MessageIdRole, TitleRole, SnippetRole };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    void setHits(QVector<SearchHit> hits);

signals:
    void countChanged();

private:
    QVector<SearchHit> hits_;
};

}  // namespace tern::app
