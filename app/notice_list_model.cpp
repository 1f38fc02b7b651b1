#include "app/notice_list_model.h"

namespace tern::app {

NoticeListModel::NoticeListModel(NoticeService* service, QObject* parent) : QAbstractListModel(parent), service_(service) {
    connect(service_, &NoticeService::changed, this, &NoticeListModel::sync);
    rows_ = service_->visible();
}

int NoticeListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QVariant NoticeListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const Notice& n = rows_[index.row()];
    switch (role) {
        case NoticeIdRole: return n.id;
        case TitleRole: return n.title;
        case DetailRole: return n.detail;
        case KindRole: return Notice::kindName(n.kind);
        case CountRole: return n.count;
    }
    return {};
}

QHash<int, QByteArray> NoticeListModel::roleNames() const {
    return {{NoticeIdRole, "noticeId"}, {TitleRole, "title"}, {DetailRole, "detail"}, {KindRole, "kind"}, {CountRole, "count"}};
}

void NoticeListModel::dismiss(quint64 noticeId) { service_->dismiss(noticeId); }

void NoticeListModel::sync() {
    // A handful of rows: a reset is simpler than diffing and costs nothing visible.
    const int before = int(rows_.size());
    beginResetModel();
    rows_ = service_->visible();
    endResetModel();
    if (before != rows_.size()) emit countChanged();
}

}  // namespace tern::app
