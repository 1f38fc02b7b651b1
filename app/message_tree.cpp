#include "app/message_tree.h"

#include <algorithm>

namespace tern::app {

MessageTree::MessageTree(QVector<MessageRecord> messages) : messages_(std::move(messages)) {
    std::sort(messages_.begin(), messages_.end(), [](const MessageRecord& a, const MessageRecord& b) { return a.id < b.id; });
    for (int i = 0; i < messages_.size(); ++i) {
        index_.insert(messages_[i].id, i);
        children_[messages_[i].parentId].push_back(messages_[i].id);  // ids ascend: oldest first
    }
}

const MessageRecord* MessageTree::find(qint64 id) const {
    auto it = index_.constFind(id);
    return it == index_.constEnd() ? nullptr : &messages_[*it];
}

qint64 MessageTree::newestLeafUnder(qint64 id) const {
    // A child is always written after its parent, so the subtree's highest id has no children:
    // it is the leaf of the branch the user last wrote in.
    qint64 newest = id;
    QVector<qint64> stack{id};
    while (!stack.isEmpty()) {
        const qint64 at = stack.takeLast();
        newest = std::max(newest, at);
        auto it = children_.constFind(at);
        if (it != children_.constEnd()) stack += *it;
    }
    return newest;
}

QVector<MessageRecord> MessageTree::pathTo(qint64 leafId) const {
    if (!contains(leafId)) leafId = newestLeafUnder(0);
    QVector<MessageRecord> path;
    for (const MessageRecord* m = find(leafId); m; m = m->parentId ? find(m->parentId) : nullptr) {
        path.push_back(*m);
        if (path.size() > messages_.size()) break;  // a cycle in a damaged database: stop, do not hang
    }
    std::reverse(path.begin(), path.end());
    return path;
}

QVector<qint64> MessageTree::siblings(qint64 id) const {
    const MessageRecord* m = find(id);
    if (!m) return {};
    return children_.value(m->parentId);
}

}  // namespace tern::app
