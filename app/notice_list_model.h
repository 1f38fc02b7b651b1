#pragma once
// The notices the window shows (NoticeService::visible), as a list model for the notice area.
#include "app/notice_service.h"

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class NoticeListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the application")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role { NoticeIdRole = Qt::UserRole + 1, TitleRole, DetailRole, KindRole, CountRole };
    explicit NoticeListModel(NoticeService* service, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    Q_INVOKABLE void dismiss(quint64 noticeId);

signals:
    void countChanged();

private:
    void sync();

    NoticeService* service_;
    QVector<Notice> rows_;
};

}  // namespace tern::app
