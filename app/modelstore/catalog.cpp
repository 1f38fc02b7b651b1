#include "app/modelstore/catalog.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace tern::modelstore {

namespace {

// Sizes are JSON numbers; doubles hold integers exactly up to 2^53, far beyond any model file.
bool readSize(const QJsonObject& o, const char* key, qint64* out, QString* why) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        *out = 0;
        return true;
    }
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d < 0 || d > 9.0e15 || d != static_cast<double>(static_cast<qint64>(d))) {
        *why = Catalog::tr("\"%1\" must be a whole number of bytes").arg(QLatin1String(key));
        return false;
    }
    *out = static_cast<qint64>(d);
    return true;
}

bool readEntry(const QJsonObject& o, CatalogEntry* e, QString* why) {
    auto str = [&](const char* key) { return o.value(QLatin1String(key)).toString().trimmed(); };
    for (const char* key : {"id", "name", "url", "file"}) {
        if (!o.value(QLatin1String(key)).isString() || str(key).isEmpty()) {
            *why = Catalog::tr("missing \"%1\"").arg(QLatin1String(key));
            return false;
        }
    }
    e->id = str("id");
    e->name = str("name");
    e->description = str("description");
    e->license = str("license");
    e->homepage = str("homepage");
    e->url = QUrl(str("url"), QUrl::StrictMode);
    if (!e->url.isValid() || (e->url.scheme() != QLatin1String("https") && e->url.scheme() != QLatin1String("http")) ||
        e->url.host().isEmpty()) {
        *why = Catalog::tr("\"url\" is not an http(s) address");
        return false;
    }
    e->fileName = str("file");
    // The name becomes a path inside the models folder: no directories, no hidden files.
    if (e->fileName.contains(QLatin1Char('/')) || e->fileName.contains(QLatin1Char('\\')) ||
        e->fileName.startsWith(QLatin1Char('.'))) {
        *why = Catalog::tr("\"file\" must be a plain file name");
        return false;
    }
    if (!readSize(o, "size", &e->sizeBytes, why) || !readSize(o, "ram", &e->ramBytes, why)) return false;
    const QJsonValue sha = o.value(QLatin1String("sha256"));
    if (sha.isString()) {
        e->sha256 = sha.toString().trimmed().toLower();
        if (!isSha256Hex(e->sha256)) {
            *why = Catalog::tr("\"sha256\" is not 64 hex digits");
            return false;
        }
    } else if (!sha.isNull() && !sha.isUndefined()) {
        *why = Catalog::tr("\"sha256\" must be a string or null");
        return false;
    }
    e->hashOnFirstDownload = o.value(QLatin1String("hash_on_first_download")).toBool(false) || e->sha256.isEmpty();
    e->recommended = o.value(QLatin1String("recommended")).toObject();
    return true;
}

}  // namespace

bool isSha256Hex(const QString& s) {
    if (s.size() != 64) return false;
    for (QChar c : s)
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    return true;
}

const CatalogEntry* Catalog::find(const QString& id) const {
    for (const CatalogEntry& e : entries)
        if (e.id == id) return &e;
    return nullptr;
}

bool Catalog::load(const QString& path, Catalog* out, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error) *error = tr("Cannot read the catalog %1: %2").arg(path, f.errorString());
        return false;
    }
    // A catalog is a few KB; refuse anything absurd rather than read it into memory.
    if (f.size() > 16 * 1024 * 1024) {
        if (error) *error = tr("The catalog %1 is too large to be a catalog").arg(path);
        return false;
    }
    return parse(f.readAll(), path, out, error);
}

bool Catalog::parse(const QByteArray& json, const QString& source, Catalog* out, QString* error) {
    auto fail = [&](const QString& why) {
        if (error) *error = tr("The catalog %1 is not valid: %2").arg(source, why);
        return false;
    };
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError)
        return fail(tr("%1 at offset %2").arg(pe.errorString()).arg(pe.offset));
    if (!doc.isObject()) return fail(tr("the top level is not an object"));
    const QJsonObject root = doc.object();
    const int version = root.value(QLatin1String("version")).toInt(0);
    if (version != 1) return fail(tr("unsupported \"version\" (this Tern reads version 1)"));
    if (!root.value(QLatin1String("models")).isArray()) return fail(tr("missing \"models\" list"));
    Catalog c;
    QSet<QString> ids, files;
    const QJsonArray models = root.value(QLatin1String("models")).toArray();
    for (int i = 0; i < models.size(); ++i) {
        if (!models.at(i).isObject()) return fail(tr("model %1 is not an object").arg(i + 1));
        CatalogEntry e;
        QString why;
        if (!readEntry(models.at(i).toObject(), &e, &why)) {
            const QString who = models.at(i).toObject().value(QLatin1String("id")).toString();
            return fail(tr("model %1%2: %3").arg(i + 1).arg(who.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(who), why));
        }
        if (ids.contains(e.id)) return fail(tr("the id \"%1\" appears twice").arg(e.id));
        if (files.contains(e.fileName)) return fail(tr("the file name \"%1\" appears twice").arg(e.fileName));
        ids.insert(e.id);
        files.insert(e.fileName);
        c.entries.push_back(std::move(e));
    }
    *out = std::move(c);
    return true;
}

QString Catalog::bundledPath() {
    const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/tern/catalog.json");
    if (QFileInfo::exists(installed)) return QDir::cleanPath(installed);
#ifdef TERN_SOURCE_CATALOG
    if (QFileInfo::exists(QStringLiteral(TERN_SOURCE_CATALOG))) return QStringLiteral(TERN_SOURCE_CATALOG);
#endif
    return QString();
}

}  // namespace tern::modelstore
