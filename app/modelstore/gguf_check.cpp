#include "app/modelstore/gguf_check.h"

#include "engine/gguf/gguf_reader.h"
#include "engine/model/model_inspect.h"

#include <QFileInfo>

namespace tern::modelstore {

GgufCheck checkGguf(const QString& path) {
    GgufCheck r;
    const QString shown = QFileInfo(path).fileName();
    const QFileInfo fi(path);
    if (!fi.exists()) {
        r.error = GgufCheck::tr("%1 does not exist").arg(path);
        return r;
    }
    if (!fi.isFile()) {
        r.error = GgufCheck::tr("%1 is not a file").arg(path);
        return r;
    }
    try {
        // open() validates every header field, tensor type, shape and offset: a truncated or
        // hostile file gives a GgufError, and tensor data is only mapped, never read.
        const GgufFile f = GgufFile::open(path.toStdString());
        const std::optional<std::string> arch = f.get_string_opt("general.architecture");
        if (!arch) {
            r.error = GgufCheck::tr("%1 is a GGUF file but does not say which model architecture it holds").arg(shown);
            return r;
        }
        // Named in the result even when the model cannot run, so the error can be shown with them.
        r.architecture = QString::fromStdString(*arch);
        r.modelName = QString::fromStdString(f.get_string_opt("general.name").value_or(""));
        r.tensorCount = static_cast<qint64>(f.tensors().size());
        const ModelInspection model = inspect_model(f);
        for (const GgmlType type : model.types) r.tensorTypes << QString::fromLatin1(ggml_type_name(type));
        r.memoryNeeded = static_cast<qint64>(model.memory_needed());
    } catch (const GgufError& e) {
        r.error = e.kind == GgufErrorKind::BadMagic
                      ? GgufCheck::tr("%1 is not a GGUF model file").arg(shown)
                      : GgufCheck::tr("%1 is not a usable GGUF file: %2").arg(shown, QString::fromStdString(e.what()));
        return r;
    } catch (const std::exception& e) {
        // tern::Error from the inspection: what Model::load would say about this file.
        r.error = GgufCheck::tr("%1 is a model Tern cannot run: %2").arg(shown, QString::fromStdString(e.what()));
        return r;
    }
    r.ok = true;
    return r;
}

}  // namespace tern::modelstore
