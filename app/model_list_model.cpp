#include "app/model_list_model.h"

#include "app/modelstore/system_memory.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace tern::app {

using modelstore::formatBytes;

ModelEntry ModelListModel::describe(const QString& path, bool isDefault) {
    ModelEntry e;
    QFileInfo fi(path);
    e.path = fi.absoluteFilePath();
    e.isDefault = isDefault;
    e.sizeBytes = fi.size();
    e.name = fi.completeBaseName();
    QFile card(fi.absolutePath() + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral(".json"));
    QJsonObject j;
    if (card.open(QIODevice::ReadOnly)) j = QJsonDocument::fromJson(card.readAll()).object();
    if (j.value(QLatin1String("name")).isString()) e.name = j.value(QLatin1String("name")).toString();
    // The card's own words: "about" (what the model-training recipe writes) or "description".
    QString described = j.value(QLatin1String("about")).toString();
    if (described.isEmpty()) described = j.value(QLatin1String("description")).toString();
    if (isDefault) {
        // Whatever the card says, users must learn that this is a demo and where real models are.
        const QJsonValue p = j.value(QLatin1String("parameters"));
        const double params = p.isObject() ? p.toObject().value(QLatin1String("total")).toDouble() : p.toDouble();
        const QString size = params > 0 ? QLatin1Char(' ') + tr("(%1 M parameters)").arg(params / 1e6, 0, 'f', 1) : QString();
        if (described.isEmpty())
            described = tr("Tern's built-in model is a tiny demo, trained only to write short, simple stories. "
                           "It shows that everything works offline, but it cannot answer questions or follow "
                           "instructions.");
        e.summary = described + size;
        if (!described.contains(QLatin1String("model manager"), Qt::CaseInsensitive))
            e.summary += QLatin1Char(' ') + tr("For real conversations, get BitNet b1.58 2B4T (1.2 GB) from the model manager.");
    } else {
        e.summary = described.isEmpty() ? QStringLiteral("%1, %2").arg(fi.fileName(), formatBytes(e.sizeBytes)) : described;
    }
    return e;
}

void ModelListModel::scan(const QString& builtIn, const QVector<modelstore::InstalledModel>& installed,
                          const QStringList& extras) {
    QVector<ModelEntry> found;
    QStringList seen;
    auto add = [&](const QString& path, bool isDefault) -> ModelEntry* {
        const QString abs = QFileInfo(path).absoluteFilePath();
        if (path.isEmpty() || seen.contains(abs) || !QFileInfo(abs).isFile()) return nullptr;
        seen << abs;
        found.push_back(describe(abs, isDefault));
        return &found.back();
    };
    add(builtIn, true);
    for (const modelstore::InstalledModel& m : installed) {
        if (m.missing) {  // still listed, so that the user sees it and can remove it
            if (seen.contains(m.path)) continue;
            seen << m.path;
            ModelEntry e;
            e.path = m.path;
            e.name = m.name.isEmpty() ? QFileInfo(m.path).completeBaseName() : m.name;
            e.summary = tr("The file %1 is no longer there. It may be on a drive that is not connected, "
                           "or it was moved or deleted.").arg(m.path);
            e.inLibrary = e.inPlace = e.missing = true;
            found.push_back(e);
            continue;
        }
        if (ModelEntry* e = add(m.path, false)) {
            e->inLibrary = true;
            e->inPlace = m.inPlace;
        }
    }
    for (const QString& x : extras) add(x, false);
    if (found == entries_) return;
    const bool countChanges = found.size() != entries_.size();
    beginResetModel();
    entries_ = std::move(found);
    endResetModel();
    if (countChanges) emit countChanged();
}

void ModelListModel::setStartModel(const QString& path) {
    startModel_ = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    if (!entries_.isEmpty()) emit dataChanged(index(0), index(int(entries_.size()) - 1), {IsStartModelRole});
}

int ModelListModel::rowOfPath(const QString& path) const {
    const QString abs = QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < entries_.size(); ++i)
        if (entries_[i].path == abs) return i;
    return -1;
}

int ModelListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : (int)entries_.size(); }

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const ModelEntry& e = entries_[index.row()];
    switch (role) {
        case PathRole: return e.path;
        case Qt::DisplayRole:
        case NameRole: return e.name;
        case SummaryRole: return e.summary;
        case IsDefaultRole: return e.isDefault;
        case SizeTextRole: return formatBytes(e.sizeBytes);
        case InLibraryRole: return e.inLibrary;
        case InPlaceRole: return e.inPlace;
        case MissingRole: return e.missing;
        case IsStartModelRole: return startModel_.isEmpty() ? e.isDefault : e.path == startModel_;
    }
    return {};
}

QHash<int, QByteArray> ModelListModel::roleNames() const {
    return {{PathRole, "path"}, {NameRole, "name"}, {SummaryRole, "summary"}, {IsDefaultRole, "isDefault"}, {SizeTextRole, "sizeText"},
            {InLibraryRole, "inLibrary"}, {InPlaceRole, "inPlace"}, {MissingRole, "missing"}, {IsStartModelRole, "isStartModel"}};
}

}  // namespace tern::app
