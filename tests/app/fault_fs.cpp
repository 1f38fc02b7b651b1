#include "fault_fs.h"

#include <QByteArray>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace tern_app_test {

bool runningAsRoot() { return ::geteuid() == 0; }

FaultFs::~FaultFs() {
    liftFileSizeLimit();
    // Inner mounts first; MNT_DETACH so a file still open somewhere cannot keep a mount behind.
    for (auto it = mounts_.crbegin(); it != mounts_.crend(); ++it) ::umount2(QFile::encodeName(*it).constData(), MNT_DETACH);
    for (auto it = permissions_.crbegin(); it != permissions_.crend(); ++it)
        QFile::setPermissions(it->first, QFile::Permissions(it->second));
}

bool FaultFs::makeReadOnly(const QString& path) {
    const QByteArray native = QFile::encodeName(path);
    if (runningAsRoot()) {
        // A bind mount of the path onto itself, then made read-only: writes fail with EROFS.
        if (::mount(native.constData(), native.constData(), nullptr, MS_BIND, nullptr) != 0) {
            why_ = QStringLiteral("bind mount of %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        mounts_ << path;
        if (::mount(nullptr, native.constData(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
            why_ = QStringLiteral("read-only remount of %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        return true;
    }
    const QFile::Permissions before = QFile::permissions(path);
    permissions_.push_back({path, int(before)});
    if (!QFile::setPermissions(path, before & ~(QFile::WriteOwner | QFile::WriteUser | QFile::WriteGroup | QFile::WriteOther))) {
        why_ = QStringLiteral("chmod of %1 failed").arg(path);
        return false;
    }
    return true;
}

bool FaultFs::mountTmpfs(const QString& dir, qint64 bytes) {
    if (!runningAsRoot()) {
        why_ = QStringLiteral("mounting a tmpfs needs root");
        return false;
    }
    const QByteArray options = QByteArray("size=") + QByteArray::number(bytes);
    if (::mount("tern-test", QFile::encodeName(dir).constData(), "tmpfs", MS_NOSUID | MS_NODEV, options.constData()) != 0) {
        why_ = QStringLiteral("mount -t tmpfs on %1: %2").arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    mounts_ << dir;
    return true;
}

bool FaultFs::remountReadOnly(const QString& dir) {
    if (::mount(nullptr, QFile::encodeName(dir).constData(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
        why_ = QStringLiteral("read-only remount of %1: %2").arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    return true;
}

QString FaultFs::fillDisk(const QString& dir) {
    const QString path = dir + QStringLiteral("/filler");
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return {};
    // Big blocks first, then single bytes, so not one byte is left free.
    const QByteArray block(64 * 1024, 'f');
    for (int size : {64 * 1024, 4096, 1}) {
        while (::write(fd, block.constData(), size_t(size)) == size) {
        }
    }
    const bool full = errno == ENOSPC;
    ::close(fd);
    if (!full) why_ = QStringLiteral("filling %1 stopped with: %2").arg(dir, QString::fromLocal8Bit(std::strerror(errno)));
    return full ? path : QString();
}

bool FaultFs::limitFileSize(qint64 bytes) {
    if (::getrlimit(RLIMIT_FSIZE, &savedLimit_) != 0) return false;
    struct rlimit limit = savedLimit_;
    limit.rlim_cur = rlim_t(bytes);
    if (savedLimit_.rlim_max != RLIM_INFINITY && limit.rlim_cur > savedLimit_.rlim_max) limit.rlim_cur = savedLimit_.rlim_max;
    savedHandler_ = std::signal(SIGXFSZ, SIG_IGN);
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) {
        why_ = QStringLiteral("setrlimit(RLIMIT_FSIZE): %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
        std::signal(SIGXFSZ, savedHandler_);
        return false;
    }
    limited_ = true;
    return true;
}

void FaultFs::liftFileSizeLimit() {
    if (!limited_) return;
    ::setrlimit(RLIMIT_FSIZE, &savedLimit_);
    std::signal(SIGXFSZ, savedHandler_);
    limited_ = false;
}

}  // namespace tern_app_test
