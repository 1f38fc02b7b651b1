#include "app/conversation_list_model.h"

#include <QDateTime>

namespace tern::app {

QString ConversationListModel::shownTitle(const QString& title) {
    return title.isEmpty() ? tr("New chat") : title;
}

int ConversationListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : (int)list_.size(); }

QString ConversationListModel::sectionFor(qint64 updatedAtMs, QDate today) {
    const QDate day = QDateTime::fromMSecsSinceEpoch(updatedAtMs).date();  // local time
    if (day >= today) return tr("Today");
    if (day == today.addDays(-1)) return tr("Yesterday");
    return tr("Earlier");
}

QVariant ConversationListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const ConversationRecord& c = list_[index.row()];
    switch (role) {
        case ConversationIdRole: return c.id;
        case Qt::DisplayRole:
        case TitleRole: return shownTitle(c.title);
        case SectionRole: return sectionFor(c.updatedAt, today_.isValid() ? today_ : QDate::currentDate());
        case UpdatedAtRole: return c.updatedAt;
        case ModelRole: return c.model;
    }
    return {};
}

QHash<int, QByteArray> ConversationListModel::roleNames() const {
    return {{ConversationIdRole, "conversationId"}, {TitleRole, "title"}, {SectionRole, "section"},
            {UpdatedAtRole, "updatedAt"}, {ModelRole, "modelName"}};
}

void ConversationListModel::setConversations(QVector<ConversationRecord> list) {
    const bool countChanges = list.size() != list_.size();
    beginResetModel();
    list_ = std::move(list);
    endResetModel();
    if (countChanges) emit countChanged();
}

int ConversationListModel::rowOf(qint64 conversationId) const {
    for (int i = 0; i < list_.size(); ++i)
        if (list_[i].id == conversationId) return i;
    return -1;
}

qint64 ConversationListModel::idAt(int row) const { return row >= 0 && row < list_.size() ? list_[row].id : 0; }

}  // namespace tern::app
