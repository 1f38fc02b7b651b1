#include "app/modelstore/download_journal.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <cerrno>
#include <cstring>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace tern::modelstore {

QJsonObject DownloadJournal::toJson() const {
    return QJsonObject{
        {QStringLiteral("version"), 1},
        {QStringLiteral("id"), id},
        {QStringLiteral("url"), url.toString(QUrl::FullyEncoded)},
        {QStringLiteral("file"), fileName},
        {QStringLiteral("sha256"), sha256},
        {QStringLiteral("expected_size"), static_cast<double>(expectedSize)},
        {QStringLiteral("card"), card},
        {QStringLiteral("etag"), etag},
        {QStringLiteral("last_modified"), lastModified},
        {QStringLiteral("total"), static_cast<double>(total)},
        {QStringLiteral("received"), static_cast<double>(received)},
        {QStringLiteral("state"), state},
        {QStringLiteral("message"), message},
    };
}

DownloadJournal DownloadJournal::fromJson(const QJsonObject& o) {
    DownloadJournal j;
    j.id = o.value(QLatin1String("id")).toString();
    j.url = QUrl(o.value(QLatin1String("url")).toString(), QUrl::StrictMode);
    j.fileName = o.value(QLatin1String("file")).toString();
    j.sha256 = o.value(QLatin1String("sha256")).toString();
    j.expectedSize = static_cast<qint64>(o.value(QLatin1String("expected_size")).toDouble());
    j.card = o.value(QLatin1String("card")).toObject();
    j.etag = o.value(QLatin1String("etag")).toString();
    j.lastModified = o.value(QLatin1String("last_modified")).toString();
    j.total = static_cast<qint64>(o.value(QLatin1String("total")).toDouble());
    j.received = static_cast<qint64>(o.value(QLatin1String("received")).toDouble());
    j.state = o.value(QLatin1String("state")).toString();
    j.message = o.value(QLatin1String("message")).toString();
    return j;
}

bool DownloadJournal::save(const QString& path, QString* error) const {
    // The journal is what makes the .part resumable, so a failed write must leave the previous
    // journal in place. QSaveFile opened buffered only writes at commit(), where a failed flush
    // (ENOSPC on a full disk) is not noticed and an empty file replaces the good one. Unbuffered,
    // every write reaches the temporary file at once and its result is checked here; the file is
    // synced before commit() renames it into place, and a failure at any step discards it.
    const QByteArray bytes = QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
    QSaveFile f(path);
    bool ok = f.open(QIODevice::WriteOnly | QIODevice::Unbuffered) && f.write(bytes) == bytes.size() && f.flush();
#ifdef Q_OS_UNIX
    if (ok && ::fsync(f.handle()) != 0) {
        if (error) *error = QString::fromLocal8Bit(std::strerror(errno));
        f.cancelWriting();
        return false;
    }
#endif
    if (ok) ok = f.commit();
    if (!ok) {
        if (error) *error = f.errorString();
        f.cancelWriting();  // no-op after a failed commit(); otherwise the temporary file is removed
        return false;
    }
    return true;
}

bool DownloadJournal::load(const QString& path, DownloadJournal* out, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error) *error = f.exists() ? f.errorString() : QString();
        return false;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(1024 * 1024), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error) *error = QStringLiteral("%1 is damaged").arg(path);
        return false;
    }
    *out = fromJson(doc.object());
    // A journal names a file inside its own folder; anything else is not ours to touch.
    if (out->fileName.isEmpty() || out->fileName.contains(QLatin1Char('/')) || out->fileName.contains(QLatin1Char('\\')) ||
        !out->url.isValid()) {
        if (error) *error = QStringLiteral("%1 does not describe a download").arg(path);
        return false;
    }
    return true;
}

}  // namespace tern::modelstore
