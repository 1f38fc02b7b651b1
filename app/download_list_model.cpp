#include "app/download_list_model.h"

#include "app/modelstore/download.h"
#include "app/modelstore/progress_line.h"
#include "app/modelstore/system_memory.h"

#include <QFileInfo>
#include <QJsonObject>

namespace tern::app {

using modelstore::Download;
using modelstore::DownloadStatus;

int DownloadListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }

QVariant DownloadListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Download* d = rows_[index.row()];
    const DownloadStatus st = d->status();
    const bool running = st == DownloadStatus::Connecting || st == DownloadStatus::Downloading;
    // Some bytes are on disk to carry on from. A failure that deleted the file (a checksum
    // mismatch, not a model) leaves nothing to resume: it can only start again from zero.
    const bool kept = d->received() > 0 && QFileInfo(d->partPath()).size() > 0;
    switch (role) {
        case IdRole: return d->spec().id;
        case Qt::DisplayRole:
        case NameRole: {
            const QString name = d->spec().card.value(QLatin1String("name")).toString();
            return name.isEmpty() ? d->spec().fileName : name;
        }
        case StatusRole: return int(st);
        case StatusTextRole: return modelstore::statusLabel(st);
        case FractionRole: return d->total() > 0 ? double(d->received()) / double(d->total()) : 0.0;
        case BytesTextRole:
            return d->total() > 0 ? tr("%1 of %2").arg(modelstore::formatBytes(d->received()), modelstore::formatBytes(d->total()))
                                  : modelstore::formatBytes(d->received());
        case RateTextRole: return running && d->rate() > 0 ? tr("%1/s").arg(modelstore::formatBytes(qint64(d->rate()))) : QString();
        case TimeLeftTextRole:
            return running && d->secondsLeft() >= 0 ? tr("%1 left").arg(modelstore::formatDuration(d->secondsLeft())) : QString();
        case MessageRole: return d->message();
        case CanPauseRole:
            return st == DownloadStatus::Queued || running || st == DownloadStatus::Retrying;
        case CanResumeRole: return st == DownloadStatus::Paused || (st == DownloadStatus::Failed && kept);
        case CanRetryRole: return st == DownloadStatus::Failed && !kept;
        case KeptRole: return kept;
        case FinishedRole: return st == DownloadStatus::Done || st == DownloadStatus::Canceled;
        case FailedRole: return st == DownloadStatus::Failed;
    }
    return {};
}

QHash<int, QByteArray> DownloadListModel::roleNames() const {
    return {{IdRole, "downloadId"},      {NameRole, "name"},         {StatusRole, "status"},
            {StatusTextRole, "statusText"}, {FractionRole, "fraction"}, {BytesTextRole, "bytesText"},
            {RateTextRole, "rateText"},  {TimeLeftTextRole, "timeLeftText"}, {MessageRole, "message"},
            {CanPauseRole, "canPause"},  {CanResumeRole, "canResume"}, {FinishedRole, "finished"},
            {FailedRole, "failed"},      {CanRetryRole, "canRetry"},  {KeptRole, "kept"}};
}

void DownloadListModel::add(Download* d) {
    if (rows_.contains(d)) return;
    beginInsertRows({}, int(rows_.size()), int(rows_.size()));
    rows_.append(d);
    endInsertRows();
    emit countChanged();
    connect(d, &Download::progressChanged, this, [this, d] { changed(d); });
    connect(d, &Download::statusChanged, this, [this, d] { changed(d); });
}

void DownloadListModel::remove(Download* d) {
    const int row = int(rows_.indexOf(d));
    if (row < 0) return;
    disconnect(d, nullptr, this, nullptr);
    beginRemoveRows({}, row, row);
    rows_.removeAt(row);
    endRemoveRows();
    emit countChanged();
}

void DownloadListModel::changed(Download* d) {
    const int row = int(rows_.indexOf(d));
    if (row >= 0) emit dataChanged(index(row), index(row));
}

}  // namespace tern::app
