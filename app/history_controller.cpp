#include "app/history_controller.h"

#include "app/conversation_store.h"

namespace tern::app {

HistoryController::HistoryController(ConversationStore* store, QObject* parent) : QObject(parent), store_(store) {}

bool HistoryController::persistent() const { return store_->persistent(); }

bool HistoryController::readOnly() const { return store_->readOnly(); }

void HistoryController::refresh() {
    try {
        conversations_.setConversations(store_->conversations());
        if (!query_.trimmed().isEmpty()) results_.setHits(store_->search(query_));
    } catch (const StoreError& e) {
        emit failed(tr("Could not read the history"), QString::fromUtf8(e.what()));
    }
}

void HistoryController::setSearchQuery(const QString& q) {
    if (q == query_) return;
    query_ = q;
    try {
        results_.setHits(q.trimmed().isEmpty() ? QVector<SearchHit>() : store_->search(q));
    } catch (const StoreError& e) {
        results_.setHits({});
    }
    emit searchQueryChanged();
}

void HistoryController::rename(qint64 id, const QString& title) {
    try {
        // An empty title goes back to automatic naming from the first message.
        store_->renameConversation(id, title.simplified(), title.trimmed().isEmpty());
    } catch (const StoreError& e) {
        emit failed(tr("Could not rename the conversation"), QString::fromUtf8(e.what()));
    }
    refresh();
    emit conversationRenamed(id);
}

void HistoryController::remove(qint64 id) {
    try {
        if (undoId_) store_->purgeDeleted();  // only the latest deletion can be undone
        ConversationRecord c;
        store_->conversation(id, &c);
        store_->markDeleted(id, true);
        undoId_ = id;
        undoTitle_ = ConversationListModel::shownTitle(c.title);
    } catch (const StoreError& e) {
        emit failed(tr("Could not delete the conversation"), QString::fromUtf8(e.what()));
        return;
    }
    emit undoChanged();
    emit conversationDeleted(id);
    refresh();
}

void HistoryController::undoRemove() {
    if (!undoId_) return;
    const qint64 id = undoId_;
    try {
        store_->markDeleted(id, false);
    } catch (const StoreError& e) {
        emit failed(tr("Could not restore the conversation"), QString::fromUtf8(e.what()));
        return;
    }
    undoId_ = 0;
    emit undoChanged();
    refresh();
    emit conversationRestored(id);
}

void HistoryController::forgetUndo() {
    if (!undoId_) return;
    undoId_ = 0;
    try {
        store_->purgeDeleted();
    } catch (const StoreError&) {
        // Left hidden; the next start removes it.
    }
    emit undoChanged();
}

qint64 HistoryController::neighbour(qint64 id, int delta) const {
    const int n = conversations_.rowCount();
    if (n == 0) return 0;
    const int row = conversations_.rowOf(id);
    if (row < 0) return conversations_.idAt(delta > 0 ? 0 : n - 1);
    return conversations_.idAt(row + delta);
}

}  // namespace tern::app
