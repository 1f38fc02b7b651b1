#pragma once
// Checks that a file is a GGUF model Tern can run, without loading its weights: the header is
// parsed and validated by the engine's reader (through a memory mapping, so a 1 GB file costs
// nothing), then the architecture and every tensor type are checked against what the engine runs.
#include <QString>
#include <QStringList>

namespace tern::models {

struct GgufCheck {
    bool ok = false;
    QString error;  // one line, names the file and what is wrong
    QString architecture;
    QString modelName;  // general.name, if any
    qint64 tensorCount = 0;
    QStringList tensorTypes;  // distinct, e.g. {"i2_s", "f32"}
};

GgufCheck checkGguf(const QString& path);

}  // namespace tern::models
