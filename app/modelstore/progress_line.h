#pragma once
// The one-line progress text of a transfer: "412 MB / 1.19 GB  34%  12.5 MB/s  1 min 02 s left".
#include <QString>

namespace tern::modelstore {

QString formatDuration(double seconds);  // "45 s", "3 min 07 s", "2 h 05 min"; "" if < 0
QString progressLine(qint64 received, qint64 total, double bytesPerSecond, double secondsLeft);
// "512k" -> 524288, "2M" -> 2097152, "1000" -> 1000 (binary k/M/G, as curl); -1 if malformed.
qint64 parseRate(const QString& text);

}  // namespace tern::modelstore
