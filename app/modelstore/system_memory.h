#pragma once
// How much RAM the machine has, and whether a model of a given size will run on it.
#include <QString>

namespace tern::modelstore {

qint64 totalPhysicalMemory();  // bytes; 0 if it cannot be found out
enum class Fit { Fits, Tight, WontFit };
// Fits <= 60 % of RAM, Tight <= 90 %, else WontFit; an unknown need or unknown RAM -> Fits
// (no hint is better than a wrong warning).
Fit fitFor(qint64 ramNeeded, qint64 totalRam);
QString fitLabel(Fit);        // "Fits", "Tight", "Won't fit"
QString formatBytes(qint64);  // "1.19 GB", "7.4 MB" (decimal units, like file managers)

}  // namespace tern::modelstore
