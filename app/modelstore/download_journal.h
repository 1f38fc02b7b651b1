#pragma once
// The state of one unfinished download, kept beside its data as <file>.part.json so that a
// quit, a crash or a killed process loses nothing: the next run reads it, re-hashes the .part
// and asks the server for the rest. Written atomically (QSaveFile, each write checked, synced
// before the rename): a kill mid-write or a full disk leaves the previous journal, never half of
// one and never an empty one.
#include <QJsonObject>
#include <QString>
#include <QUrl>

namespace tern::modelstore {

struct DownloadJournal {
    // What was asked for (enough to re-create the download after a restart).
    QString id;
    QUrl url;
    QString fileName;
    QString sha256;
    qint64 expectedSize = 0;
    QJsonObject card;
    // What the server said, so a resume asks for the same version of the file (If-Range).
    QString etag;          // as sent, quotes included; empty = none
    QString lastModified;  // HTTP date as sent; empty = none
    qint64 total = 0;      // full size the server announced; 0 = unknown
    // Where it stopped. received is informational: a resume trusts the .part's real size.
    qint64 received = 0;
    QString state;    // "running", "paused" or "failed"
    QString message;  // why it is paused/failed

    QJsonObject toJson() const;
    static DownloadJournal fromJson(const QJsonObject& o);

    static QString pathFor(const QString& partPath) { return partPath + QStringLiteral(".json"); }
    bool save(const QString& path, QString* error = nullptr) const;
    // False if missing or unreadable (error says which; a missing file leaves it empty).
    static bool load(const QString& path, DownloadJournal* out, QString* error = nullptr);
};

}  // namespace tern::modelstore
