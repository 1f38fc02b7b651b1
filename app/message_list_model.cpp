#include "app/message_list_model.h"

namespace tern::app {

int MessageListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : (int)rows_.size(); }

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const MessageRow& r = rows_[index.row()];
    switch (role) {
        case MessageIdRole: return r.message.id;
        case RoleRole: return r.message.role;
        case Qt::DisplayRole:
        case ContentRole: return r.message.content;
        case StateRole: return int(r.message.state);
        case StreamingRole: return r.message.state == MessageState::Streaming;
        case VersionIndexRole: return r.versionIndex;
        case VersionCountRole: return r.versionCount;
        case TokenCountRole: return r.message.tokenCount;
        case TokensPerSecondRole: return r.message.tokensPerSecond;
        case ModelRole: return r.message.model;
        case CreatedAtRole: return r.message.createdAt;
    }
    return {};
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{MessageIdRole, "messageId"},       {RoleRole, "role"},
            {ContentRole, "content"},           {StateRole, "messageState"},
            {StreamingRole, "streaming"},       {VersionIndexRole, "versionIndex"},
            {VersionCountRole, "versionCount"}, {TokenCountRole, "tokenCount"},
            {TokensPerSecondRole, "tokensPerSecond"}, {ModelRole, "modelName"},
            {CreatedAtRole, "createdAt"}};
}

namespace {

bool sameRow(const MessageRow& a, const MessageRow& b) {
    const MessageRecord &x = a.message, &y = b.message;
    return a.versionIndex == b.versionIndex && a.versionCount == b.versionCount && x.id == y.id &&
           x.conversationId == y.conversationId && x.parentId == y.parentId && x.role == y.role &&
           x.content == y.content && x.createdAt == y.createdAt && x.model == y.model && x.tokenCount == y.tokenCount &&
           x.tokensPerSecond == y.tokensPerSecond && x.state == y.state;
}

}  // namespace

void MessageListModel::setRows(QVector<MessageRow> rows) {
    const bool countChanges = rows.size() != rows_.size();
    // Rows that stay (the same messages, in the same places) are updated in place and only the
    // tail is removed or inserted: sending a message must not rebuild every bubble of the
    // conversation (QML delegates and their Markdown) while the reply starts to decode on the
    // same cores. Another conversation or branch shares no prefix and is a plain reset.
    qsizetype same = 0;
    while (same < rows.size() && same < rows_.size() && rows[same].message.id == rows_[same].message.id) ++same;
    if (same == 0 && !rows_.isEmpty() && !rows.isEmpty()) {
        beginResetModel();
        rows_ = std::move(rows);
        endResetModel();
    } else {
        for (qsizetype i = 0; i < same; ++i) {
            if (sameRow(rows_[i], rows[i])) continue;
            rows_[i] = rows[i];
            const QModelIndex at = index((int)i);
            emit dataChanged(at, at);
        }
        if (rows_.size() > same) {
            beginRemoveRows({}, (int)same, (int)rows_.size() - 1);
            rows_.resize(same);
            endRemoveRows();
        }
        if (rows.size() > same) {
            beginInsertRows({}, (int)same, (int)rows.size() - 1);
            rows_.append(rows.mid(same));
            endInsertRows();
        }
    }
    if (countChanges) emit countChanged();
}

int MessageListModel::rowOf(qint64 messageId) const {
    // The streaming reply is nearly always last: search from the end.
    for (int i = (int)rows_.size() - 1; i >= 0; --i)
        if (rows_[i].message.id == messageId) return i;
    return -1;
}

void MessageListModel::appendText(qint64 messageId, const QString& text) {
    const int row = rowOf(messageId);
    if (row < 0 || text.isEmpty()) return;
    rows_[row].message.content += text;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, {ContentRole, Qt::DisplayRole});
}

void MessageListModel::updateMessage(const MessageRecord& m) {
    const int row = rowOf(m.id);
    if (row < 0) return;
    MessageRecord& r = rows_[row].message;
    r.content = m.content;
    r.state = m.state;
    r.tokenCount = m.tokenCount;
    r.tokensPerSecond = m.tokensPerSecond;
    r.model = m.model;
    const QModelIndex i = index(row);
    emit dataChanged(i, i);
}

QString MessageListModel::contentAt(int row) const { return row >= 0 && row < rows_.size() ? rows_[row].message.content : QString(); }

}  // namespace tern::app
