#include "app/modelstore/system_memory.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>

#if defined(Q_OS_WIN)
#include <windows.h>
#elif defined(Q_OS_MACOS)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace tern::modelstore {

qint64 totalPhysicalMemory() {
#if defined(Q_OS_WIN)
    MEMORYSTATUSEX st;
    st.dwLength = sizeof(st);
    return GlobalMemoryStatusEx(&st) ? static_cast<qint64>(st.ullTotalPhys) : 0;
#elif defined(Q_OS_MACOS)
    int64_t mem = 0;
    size_t len = sizeof(mem);
    return sysctlbyname("hw.memsize", &mem, &len, nullptr, 0) == 0 ? mem : 0;
#else
    // /proc/meminfo: "MemTotal:       16318480 kB". Its size reads as 0 (atEnd() is true at once): read lines until none.
    QFile f(QStringLiteral("/proc/meminfo"));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text)) return 0;
    static const QRegularExpression re(QStringLiteral("^MemTotal:\\s+(\\d+)\\s*kB"));
    for (QByteArray line = f.readLine(); !line.isEmpty(); line = f.readLine()) {
        const QRegularExpressionMatch m = re.match(QString::fromLatin1(line));
        if (m.hasMatch()) return m.captured(1).toLongLong() * 1024;
    }
    return 0;
#endif
}

Fit fitFor(qint64 ramNeeded, qint64 totalRam) {
    if (ramNeeded <= 0 || totalRam <= 0) return Fit::Fits;
    // Integer arithmetic on tenths: exact at the 60 % and 90 % borders.
    if (ramNeeded * 10 <= totalRam * 6) return Fit::Fits;
    if (ramNeeded * 10 <= totalRam * 9) return Fit::Tight;
    return Fit::WontFit;
}

QString fitLabel(Fit f) {
    switch (f) {
    case Fit::Fits: return QCoreApplication::translate("tern::modelstore", "Fits");
    case Fit::Tight: return QCoreApplication::translate("tern::modelstore", "Tight");
    case Fit::WontFit: return QCoreApplication::translate("tern::modelstore", "Won't fit");
    }
    return QString();
}

QString formatBytes(qint64 n) {
    if (n < 0) return QStringLiteral("?");
    if (n < 1000) return QCoreApplication::translate("tern::modelstore", "%1 B").arg(n);
    const char* units[] = {"kB", "MB", "GB", "TB"};
    double v = static_cast<double>(n);
    int u = -1;
    while (v >= 1000.0 && u < 3) {
        v /= 1000.0;
        ++u;
    }
    // Three significant digits: "7.40 MB" reads as more precise than it is, so trim to 2 above 10.
    const int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
    QString s = QString::number(v, 'f', decimals);
    if (decimals > 0 && u < 2) {  // "7.4 MB" rather than "7.40 MB" for the smaller units
        while (s.endsWith(QLatin1Char('0'))) s.chop(1);
        if (s.endsWith(QLatin1Char('.'))) s.chop(1);
    }
    return s + QLatin1Char(' ') + QLatin1String(units[u]);
}

}  // namespace tern::modelstore
