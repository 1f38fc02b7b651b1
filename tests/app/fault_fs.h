#pragma once
// File-system faults for the history tests, made for real: read-only files, folders and mounts,
// a full disk, a file-size limit. Every change is undone by the destructor, on every exit path,
// and is only ever made under a temporary folder the test created.
//
// Root writes through permission bits, so as root "read-only" is a read-only bind mount (the
// real-world case: a read-only medium); otherwise it is the permission bits. A full disk is a
// small tmpfs when the test may mount one (root), else a file-size limit (RLIMIT_FSIZE, with
// SIGXFSZ ignored so writes fail with EFBIG as the app's do).
#include <QString>
#include <QStringList>
#include <QVector>
#include <sys/resource.h>

namespace tern_app_test {

bool runningAsRoot();

class FaultFs {
public:
    FaultFs() = default;
    ~FaultFs();
    FaultFs(const FaultFs&) = delete;
    FaultFs& operator=(const FaultFs&) = delete;

    // Makes a file or a folder read-only (see above). False, with why(), if it cannot.
    bool makeReadOnly(const QString& path);
    // Mounts a tmpfs of `bytes` on the (empty) folder dir; root only.
    bool mountTmpfs(const QString& dir, qint64 bytes);
    // Remounts the tmpfs mounted by mountTmpfs() read-only.
    bool remountReadOnly(const QString& dir);
    // Fills the file system holding dir with one file, up to the last byte; returns its path.
    QString fillDisk(const QString& dir);
    // Keeps this process from writing files beyond `bytes`, until the object dies or
    // liftFileSizeLimit() is called.
    bool limitFileSize(qint64 bytes);
    void liftFileSizeLimit();
    QString why() const { return why_; }

private:
    QStringList mounts_;  // innermost last
    QVector<QPair<QString, int>> permissions_;  // to restore: path, QFile::Permissions
    bool limited_ = false;
    struct rlimit savedLimit_ {};
    void (*savedHandler_)(int) = nullptr;
    QString why_;
};

}  // namespace tern_app_test
