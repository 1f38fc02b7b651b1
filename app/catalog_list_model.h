#pragma once
// The catalog on the Models page: every model Tern knows how to download, with its size, the
// RAM it needs and whether that fits this computer, and whether it is installed or on its way.
#include "app/modelstore/catalog.h"

#include <QAbstractListModel>
#include <QSet>
#include <QtQml/qqmlregistration.h>

namespace tern::app {

class CatalogListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("provided by the model manager")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        IdRole = Qt::UserRole + 1, NameRole, DescriptionRole, LicenseRole, HomepageRole, SizeTextRole,
        RamTextRole, FitRole, FitTextRole, InstalledRole, DownloadingRole, HashKnownRole, PausedRole, FailedRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // totalRam: this computer's memory, for the fit hints (0 = unknown: no hint).
    void setCatalog(const modelstore::Catalog& catalog, qint64 totalRam);
    // Which entries are installed (by file name in the models folder), being downloaded, paused or
    // failed (by id). Only a running download disables the card's button: a paused or failed one
    // can be taken up again from the card.
    void setState(const QSet<QString>& installedFiles, const QSet<QString>& downloadingIds,
                  const QSet<QString>& pausedIds = {}, const QSet<QString>& failedIds = {});
    const modelstore::CatalogEntry* entry(const QString& id) const { return catalog_.find(id); }

signals:
    void countChanged();

private:
    modelstore::Catalog catalog_;
    qint64 totalRam_ = 0;
    QSet<QString> installedFiles_;
    QSet<QString> downloadingIds_;
    QSet<QString> pausedIds_;
    QSet<QString> failedIds_;
};

}  // namespace tern::app
