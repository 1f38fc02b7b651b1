#include "app/catalog_list_model.h"

#include "app/modelstore/system_memory.h"

namespace tern::app {

int CatalogListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(catalog_.entries.size());
}

QVariant CatalogListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const modelstore::CatalogEntry& e = catalog_.entries[index.row()];
    const modelstore::Fit fit = modelstore::fitFor(e.ramBytes, totalRam_);
    switch (role) {
        case IdRole: return e.id;
        case Qt::DisplayRole:
        case NameRole: return e.name;
        case DescriptionRole: return e.description;
        case LicenseRole: return e.license;
        case HomepageRole: return e.homepage;
        case SizeTextRole: return e.sizeBytes > 0 ? modelstore::formatBytes(e.sizeBytes) : tr("size unknown");
        case RamTextRole: return e.ramBytes > 0 ? modelstore::formatBytes(e.ramBytes) : QString();
        case FitRole: return totalRam_ > 0 ? int(fit) : -1;
        case FitTextRole: return totalRam_ > 0 ? modelstore::fitLabel(fit) : QString();
        case InstalledRole: return installedFiles_.contains(e.fileName);
        case DownloadingRole: return downloadingIds_.contains(e.id);
        case HashKnownRole: return !e.sha256.isEmpty();
        case PausedRole: return pausedIds_.contains(e.id);
        case FailedRole: return failedIds_.contains(e.id);
    }
    return {};
}

QHash<int, QByteArray> CatalogListModel::roleNames() const {
    return {{IdRole, "catalogId"},   {NameRole, "name"},       {DescriptionRole, "description"},
            {LicenseRole, "license"}, {HomepageRole, "homepage"}, {SizeTextRole, "sizeText"},
            {RamTextRole, "ramText"}, {FitRole, "fit"},          {FitTextRole, "fitText"},
            {InstalledRole, "installed"}, {DownloadingRole, "downloading"}, {HashKnownRole, "hashKnown"},
            {PausedRole, "downloadPaused"}, {FailedRole, "downloadFailed"}};
}

void CatalogListModel::setCatalog(const modelstore::Catalog& catalog, qint64 totalRam) {
    const bool countChanges = catalog.entries.size() != catalog_.entries.size();
    beginResetModel();
    catalog_ = catalog;
    totalRam_ = totalRam;
    endResetModel();
    if (countChanges) emit countChanged();
}

void CatalogListModel::setState(const QSet<QString>& installedFiles, const QSet<QString>& downloadingIds,
                                const QSet<QString>& pausedIds, const QSet<QString>& failedIds) {
    if (installedFiles == installedFiles_ && downloadingIds == downloadingIds_ && pausedIds == pausedIds_ &&
        failedIds == failedIds_)
        return;
    installedFiles_ = installedFiles;
    downloadingIds_ = downloadingIds;
    pausedIds_ = pausedIds;
    failedIds_ = failedIds;
    if (!catalog_.entries.isEmpty())
        emit dataChanged(index(0), index(int(catalog_.entries.size()) - 1),
                         {InstalledRole, DownloadingRole, PausedRole, FailedRole});
}

}  // namespace tern::app
