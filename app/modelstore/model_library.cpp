#include "app/modelstore/model_library.h"

#include "app/modelstore/sha256.h"
#include "app/modelstore/system_memory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QStorageInfo>

namespace tern::modelstore {

namespace {
constexpr qint64 kCopyChunk = 4 << 20;
constexpr qint64 kSpaceMargin = 16 << 20;

QString absolute(const QString& path) {
    const QFileInfo fi(path);
    const QString canon = fi.canonicalFilePath();  // resolves symlinks; empty if missing
    return canon.isEmpty() ? QDir::cleanPath(fi.absoluteFilePath()) : canon;
}

QJsonObject readJson(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.read(4 << 20)).object();
}
}  // namespace

ModelLibrary::ModelLibrary(const QString& modelsDir) : dir_(QDir::cleanPath(QDir(modelsDir).absolutePath())) {}

QString ModelLibrary::defaultModelsDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/models");
}

QString ModelLibrary::libraryFile() const { return QDir(dir_).filePath(QStringLiteral("library.json")); }

QString ModelLibrary::cardPath(const QString& modelPath) {
    QString base = modelPath;
    if (base.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) base.chop(5);
    return base + QStringLiteral(".json");
}

ModelLibrary::State ModelLibrary::readState() const {
    const QJsonObject o = readJson(libraryFile());
    State s;
    for (const QJsonValue& v : o.value(QLatin1String("references")).toArray()) {
        const QString p = v.toObject().value(QLatin1String("path")).toString();
        if (!p.isEmpty() && !s.references.contains(p)) s.references << p;
    }
    s.defaultPath = o.value(QLatin1String("default")).toString();
    return s;
}

bool ModelLibrary::writeState(const State& s, QString* error) const {
    QJsonArray refs;
    for (const QString& p : s.references) refs.append(QJsonObject{{QStringLiteral("path"), p}});
    const QJsonObject o{{QStringLiteral("references"), refs}, {QStringLiteral("default"), s.defaultPath}};
    QSaveFile f(libraryFile());
    if (!QDir().mkpath(dir_) || !f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(o).toJson()) < 0 || !f.commit()) {
        if (error) *error = tr("Cannot save %1: %2").arg(libraryFile(), f.errorString());
        return false;
    }
    return true;
}

InstalledModel ModelLibrary::describe(const QString& path, bool inPlace) const {
    InstalledModel m;
    const QFileInfo fi(path);
    m.path = path;
    m.id = fi.completeBaseName();
    m.inPlace = inPlace;
    m.missing = !fi.isFile();
    m.sizeBytes = m.missing ? 0 : fi.size();
    const QJsonObject card = readJson(cardPath(path));
    m.name = card.value(QLatin1String("name")).toString();
    if (m.name.isEmpty()) m.name = m.id;
    m.sha256 = card.value(QLatin1String("sha256")).toString();
    return m;
}

QVector<InstalledModel> ModelLibrary::list() const {
    QVector<InstalledModel> out;
    const QDir d(dir_);
    for (const QString& name : d.entryList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name))
        out.push_back(describe(d.filePath(name), false));
    for (const QString& p : readState().references) out.push_back(describe(p, true));
    return out;
}

bool ModelLibrary::importFile(const QString& path, ImportMode mode, QString* error, InstalledModel* out,
                              const std::function<bool(qint64, qint64)>& progress) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return false;
    };
    const QString src = absolute(path);
    const GgufCheck check = checkGguf(src);
    if (!check.ok) return fail(check.error);
    const QFileInfo fi(src);
    for (const InstalledModel& m : list()) {
        if (absolute(m.path) == src) return fail(tr("%1 is already in the library").arg(fi.fileName()));
    }
    if (mode == ImportMode::Reference) {
        State s = readState();
        s.references << src;
        if (!writeState(s, error)) return false;
        if (out) *out = describe(src, true);
        return true;
    }

    const QString dest = QDir(dir_).filePath(fi.fileName());
    if (QFileInfo::exists(dest))
        return fail(tr("A model named %1 is already in the library (%2)").arg(fi.fileName(), QDir::toNativeSeparators(dest)));
    if (!QDir().mkpath(dir_)) return fail(tr("Cannot create the models folder %1").arg(QDir::toNativeSeparators(dir_)));
    const qint64 total = fi.size();
    const QStorageInfo st(dir_);
    if (st.isValid() && st.bytesAvailable() >= 0 && st.bytesAvailable() < total + kSpaceMargin)
        return fail(tr("Not enough free space in %1 to copy %2 (%3 free)")
                        .arg(QDir::toNativeSeparators(dir_), formatBytes(total), formatBytes(st.bytesAvailable())));

    // Copy through <name>.part and rename, so a crash or a cancel never leaves half a model
    // that looks installed. Hashing on the way makes the card's SHA-256 free.
    QFile in(src);
    const QString part = dest + QStringLiteral(".part");
    QFile outFile(part);
    if (!in.open(QIODevice::ReadOnly)) return fail(tr("Cannot read %1: %2").arg(src, in.errorString()));
    if (!outFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(tr("Cannot write %1: %2").arg(part, outFile.errorString()));
    Sha256 hash;
    qint64 done = 0;
    QString why;
    while (why.isEmpty() && !in.atEnd()) {
        const QByteArray b = in.read(kCopyChunk);
        if (b.isEmpty()) {
            why = tr("Cannot read %1: %2").arg(src, in.errorString());
        } else if (outFile.write(b) != b.size()) {
            why = tr("Cannot write %1: %2").arg(part, outFile.errorString());
        } else {
            hash.addData(b);
            done += b.size();
            if (progress && !progress(done, total)) why = tr("Import canceled");
        }
    }
    if (why.isEmpty() && !outFile.flush()) why = tr("Cannot write %1: %2").arg(part, outFile.errorString());
    outFile.close();
    if (why.isEmpty() && done != total) why = tr("%1 changed while it was being copied").arg(src);
    if (why.isEmpty() && !QFile::rename(part, dest)) why = tr("Cannot rename %1 to %2").arg(part, dest);
    if (!why.isEmpty()) {
        QFile::remove(part);
        return fail(why);
    }
    QJsonObject card{{QStringLiteral("name"), check.modelName.isEmpty() ? fi.completeBaseName() : check.modelName},
                     {QStringLiteral("architecture"), check.architecture},
                     {QStringLiteral("sha256"), QString::fromLatin1(hash.result().toHex())},
                     {QStringLiteral("size"), static_cast<double>(total)},
                     {QStringLiteral("source"), src}};
    // Keep a card that came with the file (same base name), adding what we know.
    const QJsonObject given = readJson(cardPath(src));
    for (auto it = given.begin(); it != given.end(); ++it)
        if (!card.contains(it.key()) || it.key() == QLatin1String("name")) card.insert(it.key(), it.value());
    QSaveFile c(cardPath(dest));
    if (c.open(QIODevice::WriteOnly)) {
        c.write(QJsonDocument(card).toJson());
        c.commit();  // a missing card only costs the display name
    }
    if (out) *out = describe(dest, false);
    return true;
}

bool ModelLibrary::remove(const QString& idOrPath, QString* error) {
    const QString asPath = absolute(idOrPath);
    for (const InstalledModel& m : list()) {
        if (m.id != idOrPath && m.path != idOrPath && absolute(m.path) != asPath) continue;
        State s = readState();
        if (m.inPlace) {
            s.references.removeAll(m.path);
        } else {
            if (!QFile::remove(m.path)) {
                if (error) *error = tr("Cannot delete %1").arg(QDir::toNativeSeparators(m.path));
                return false;
            }
            QFile::remove(cardPath(m.path));
        }
        if (s.defaultPath == m.path) s.defaultPath.clear();
        // Only write library.json if it matters (a plain copy with no state needs no file).
        if (m.inPlace || QFileInfo::exists(libraryFile())) return writeState(s, error);
        return true;
    }
    if (error) *error = tr("No installed model is called %1 (see: tern-models list)").arg(idOrPath);
    return false;
}

QString ModelLibrary::defaultModel() const { return readState().defaultPath; }

bool ModelLibrary::setDefault(const QString& pathOrEmpty, QString* error) {
    State s = readState();
    s.defaultPath.clear();
    if (!pathOrEmpty.isEmpty()) {
        for (const InstalledModel& m : list())
            if (m.path == pathOrEmpty || m.id == pathOrEmpty || absolute(m.path) == absolute(pathOrEmpty)) s.defaultPath = m.path;
        if (s.defaultPath.isEmpty()) {
            if (error) *error = tr("%1 is not an installed model").arg(pathOrEmpty);
            return false;
        }
    }
    return writeState(s, error);
}

}  // namespace tern::modelstore
