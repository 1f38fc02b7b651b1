#include "app/modelstore/progress_line.h"

#include "app/modelstore/system_memory.h"

#include <QCoreApplication>
#include <cmath>

namespace tern::modelstore {

QString formatDuration(double seconds) {
    if (seconds < 0 || !std::isfinite(seconds)) return QString();
    const qint64 s = static_cast<qint64>(std::llround(seconds));
    if (s < 60) return QCoreApplication::translate("tern::modelstore", "%1 s").arg(s);
    if (s < 3600) return QCoreApplication::translate("tern::modelstore", "%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QCoreApplication::translate("tern::modelstore", "%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString progressLine(qint64 received, qint64 total, double bytesPerSecond, double secondsLeft) {
    QString line = formatBytes(received);
    if (total > 0) {
        const int pct = static_cast<int>(std::min<qint64>(100, received * 100 / total));
        line += QStringLiteral(" / %1  %2%").arg(formatBytes(total)).arg(pct);
    }
    if (bytesPerSecond > 0) line += QStringLiteral("  %1/s").arg(formatBytes(static_cast<qint64>(bytesPerSecond)));
    const QString left = formatDuration(secondsLeft);
    if (!left.isEmpty()) line += QStringLiteral("  %1 left").arg(left);
    return line;
}

qint64 parseRate(const QString& text) {
    QString t = text.trimmed();
    qint64 mult = 1;
    if (t.endsWith(QLatin1Char('k'), Qt::CaseInsensitive)) mult = 1024;
    else if (t.endsWith(QLatin1Char('m'), Qt::CaseInsensitive)) mult = 1024 * 1024;
    else if (t.endsWith(QLatin1Char('g'), Qt::CaseInsensitive)) mult = 1024LL * 1024 * 1024;
    if (mult != 1) t.chop(1);
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    if (!ok || n < 0 || n > (qint64{1} << 40)) return -1;
    return n * mult;
}

}  // namespace tern::modelstore
