#pragma once
// The sidebar's side of the history: the conversation list, search, rename and delete with undo.
// Deleting only hides a conversation (it can be undone until the next deletion or restart;
// the store removes hidden conversations for good when it next opens).
#include "app/conversation_list_model.h"
#include "app/search_results_list_model.h"

#include <QObject>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class ConversationStore;

class HistoryController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(ConversationListModel* conversations READ conversations CONSTANT)
    Q_PROPERTY(SearchResultsListModel* searchResults READ searchResults CONSTANT)
    Q_PROPERTY(QString searchQuery READ searchQuery WRITE setSearchQuery NOTIFY searchQueryChanged)
    Q_PROPERTY(bool canUndo READ canUndo NOTIFY undoChanged)
    Q_PROPERTY(QString undoTitle READ undoTitle NOTIFY undoChanged)
    Q_PROPERTY(bool persistent READ persistent CONSTANT)
    // The history could be opened for reading only (see ConversationStore::open): the sidebar says so.
    Q_PROPERTY(bool readOnly READ readOnly CONSTANT)
public:
    explicit HistoryController(ConversationStore* store, QObject* parent = nullptr);

    ConversationListModel* conversations() { return &conversations_; }
    SearchResultsListModel* searchResults() { return &results_; }
    QString searchQuery() const { return query_; }
    void setSearchQuery(const QString& q);
    bool canUndo() const { return undoId_ != 0; }
    QString undoTitle() const { return undoTitle_; }
    bool persistent() const;
    bool readOnly() const;

    Q_INVOKABLE void refresh();
    Q_INVOKABLE void rename(qint64 id, const QString& title);
    Q_INVOKABLE void remove(qint64 id);
    Q_INVOKABLE void undoRemove();
    Q_INVOKABLE void forgetUndo();
    // The conversation delta rows below (positive) or above id in the list; 0 if none.
    Q_INVOKABLE qint64 neighbour(qint64 id, int delta) const;

signals:
    void searchQueryChanged();
    void undoChanged();
    void conversationDeleted(qint64 id);
    void conversationRestored(qint64 id);
    void conversationRenamed(qint64 id);  // the open chat's header and the window title follow
    void failed(const QString& title, const QString& detail);

private:
    ConversationStore* store_;
    ConversationListModel conversations_;
    SearchResultsListModel results_;
    QString query_;
    qint64 undoId_ = 0;
    QString undoTitle_;
};

}  // namespace tern::app
