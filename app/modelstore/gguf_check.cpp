#include "app/modelstore/gguf_check.h"

#include "engine/arch.h"
#include "engine/gguf_reader.h"

#include <QFileInfo>

namespace tern::models {

GgufCheck checkGguf(const QString& path) {
    GgufCheck r;
    const QString shown = QFileInfo(path).fileName();
    const QFileInfo fi(path);
    if (!fi.exists()) {
        r.error = QStringLiteral("%1 does not exist").arg(path);
        return r;
    }
    if (!fi.isFile()) {
        r.error = QStringLiteral("%1 is not a file").arg(path);
        return r;
    }
    try {
        // open() validates every header field, tensor type, shape and offset: a truncated or
        // hostile file gives a GgufError, and tensor data is only mapped, never read.
        const GgufFile f = GgufFile::open(path.toStdString());
        const std::optional<std::string> arch = f.get_string_opt("general.architecture");
        if (!arch) {
            r.error = QStringLiteral("%1 is a GGUF file but does not say which model architecture it holds").arg(shown);
            return r;
        }
        r.architecture = QString::fromStdString(*arch);
        r.modelName = QString::fromStdString(f.get_string_opt("general.name").value_or(""));
        r.tensorCount = static_cast<qint64>(f.tensors().size());
        if (!find_arch(*arch)) {
            r.error = QStringLiteral("%1 is a '%2' model, which Tern cannot run (Tern runs: %3)")
                          .arg(shown, r.architecture, QString::fromStdString(known_arch_names()));
            return r;
        }
        for (const GgufTensorInfo& t : f.tensors()) {
            // The reader already refuses ids outside GgmlType; this keeps the check explicit
            // should the reader ever accept more types than the kernels run.
            if (!ggml_type_supported(static_cast<uint32_t>(t.type))) {
                r.error = QStringLiteral("%1: tensor '%2' has a weight type Tern cannot run")
                              .arg(shown, QString::fromStdString(t.name));
                return r;
            }
            const QString type = QString::fromLatin1(ggml_type_name(t.type));
            if (!r.tensorTypes.contains(type)) r.tensorTypes << type;
        }
        // Without these no model runs: the embedding table and the vocabulary.
        if (!f.find_tensor("token_embd.weight")) {
            r.error = QStringLiteral("%1 has no token_embd.weight tensor: it is not a complete model").arg(shown);
            return r;
        }
        if (!f.find("tokenizer.ggml.tokens")) {
            r.error = QStringLiteral("%1 has no tokenizer (tokenizer.ggml.tokens): it cannot be used for chat").arg(shown);
            return r;
        }
    } catch (const GgufError& e) {
        r.error = e.kind == GgufErrorKind::BadMagic
                      ? QStringLiteral("%1 is not a GGUF model file").arg(shown)
                      : QStringLiteral("%1 is not a usable GGUF file: %2").arg(shown, QString::fromStdString(e.what()));
        return r;
    } catch (const std::exception& e) {
        r.error = QStringLiteral("%1: %2").arg(shown, QString::fromStdString(e.what()));
        return r;
    }
    r.ok = true;
    return r;
}

}  // namespace tern::models
