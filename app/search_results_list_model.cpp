#include "app/search_results_list_model.h"

#include "app/conversation_list_model.h"

namespace tern::app {

int SearchResultsListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : (int)hits_.size(); }

QVariant SearchResultsListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const SearchHit& h = hits_[index.row()];
    switch (role) {
        case ConversationIdRole: return h.conversationId;
        case MessageIdRole: return h.messageId;
        case Qt::DisplayRole:
        case TitleRole: return ConversationListModel::shownTitle(h.title);
        case SnippetRole: return h.snippetHtml;
    }
    return {};
}

QHash<int, QByteArray> SearchResultsListModel::roleNames() const {
    return {{ConversationIdRole, "conversationId"}, {MessageIdRole, "messageId"}, {TitleRole, "title"}, {SnippetRole, "snippet"}};
}

void SearchResultsListModel::setHits(QVector<SearchHit> hits) {
    const bool countChanges = hits.size() != hits_.size();
    beginResetModel();
    hits_ = std::move(hits);
    endResetModel();
    if (countChanges) emit countChanged();
}

}  // namespace tern::app
