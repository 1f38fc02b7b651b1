#pragma once
// Checks that a file is a GGUF model Tern can run, without loading its weights: the engine's
// inspect_model (engine/model/model_inspect.h), the same inspection Model::load starts with, reads the
// header through a memory mapping (so a 1 GB file costs nothing) and checks the architecture,
// configuration, tokenizer and every tensor the model needs, with its type and shape.
#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace tern::modelstore {

struct GgufCheck {
    bool ok = false;
    QString error;  // one line, names the file and what is wrong
    QString architecture;
    QString modelName;  // general.name, if any
    qint64 tensorCount = 0;
    QStringList tensorTypes;  // distinct types of the tensors the model uses, e.g. {"i2_s", "f32"}
    // Bytes of memory the model takes when loaded with the default options: its weights plus
    // one conversation's KV cache at the default context. 0 unless ok.
    qint64 memoryNeeded = 0;

    Q_DECLARE_TR_FUNCTIONS(GgufCheck)  // error is shown to the user
};

GgufCheck checkGguf(const QString& path);

}  // namespace tern::modelstore
