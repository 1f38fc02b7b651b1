#pragma once
// The messages of one conversation form a tree: regenerating a reply adds a sibling to it, and
// editing a user message adds a sibling to that message (a new branch). What the user sees is
// one path from a root to the conversation's current leaf; at each step the path's message is
// "version i of n" among its siblings.
#include "app/conversation_store.h"

#include <QHash>
#include <QVector>

namespace tern::app {

class MessageTree {
public:
    MessageTree() = default;
    explicit MessageTree(QVector<MessageRecord> messages);

    bool contains(qint64 id) const { return index_.contains(id); }
    const MessageRecord* find(qint64 id) const;
    // Root-to-leaf path ending at leafId. For 0 or an unknown id: the path to the newest message.
    QVector<MessageRecord> pathTo(qint64 leafId) const;
    // The most recently written message at or under id: switching to a version shows the branch
    // the user last worked on below it.
    qint64 newestLeafUnder(qint64 id) const;
    // Messages sharing id's parent, id included, oldest first.
    QVector<qint64> siblings(qint64 id) const;
    int size() const { return messages_.size(); }

private:
    QVector<MessageRecord> messages_;
    QHash<qint64, int> index_;                 // id -> position in messages_
    QHash<qint64, QVector<qint64>> children_;  // parent id (0 for roots) -> children by id
};

}  // namespace tern::app
