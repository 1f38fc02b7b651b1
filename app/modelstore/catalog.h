#pragma once
// The list of models Tern can download (resources/catalog.json). Reading it never touches the
// network: the app and the tool use the bundled file, or one the user names with --catalog.
#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QUrl>
#include <QVector>

namespace tern::modelstore {

struct CatalogEntry {
    QString id;            // stable key, e.g. "bitnet-b1.58-2b-4t"
    QString name;          // "BitNet b1.58 2B4T"
    QString description;   // one paragraph
    QString license;       // "MIT"
    QString homepage;      // model card page
    QUrl url;              // the file (https)
    QString fileName;      // local file name, e.g. "bitnet-b1.58-2b-4t-i2_s.gguf"
    qint64 sizeBytes = 0;  // 0 = unknown
    qint64 ramBytes = 0;   // RAM needed to run it
    QString sha256;        // lowercase hex; empty = unknown
    bool hashOnFirstDownload = false;  // true when sha256 unknown: recorded on first download
    QJsonObject recommended;           // e.g. {"temperature":0.6,"top_p":0.9,"context":4096}
};

struct Catalog {
    QVector<CatalogEntry> entries;
    const CatalogEntry* find(const QString& id) const;
    // Parses; on a malformed file returns false with a one-line reason (never throws/crashes).
    static bool load(const QString& path, Catalog* out, QString* error);
    // Same, from bytes already read (path only names the source in messages).
    static bool parse(const QByteArray& json, const QString& source, Catalog* out, QString* error);
    // resources/catalog.json as installed (<exe dir>/../share/tern/catalog.json), else the
    // source tree's (compile definition), else empty string.
    static QString bundledPath();

    Q_DECLARE_TR_FUNCTIONS(Catalog)  // its messages are shown on the Models page
};

// True for 64 lowercase hex digits.
bool isSha256Hex(const QString& s);

}  // namespace tern::modelstore
