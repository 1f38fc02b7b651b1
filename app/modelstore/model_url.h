#pragma once
// A model address the user pasted (Models page → Add from URL): which URL to fetch and which
// file name it gets in the models folder. The name comes from the address, which anyone can
// write, so it is held to rules that keep the file inside the models folder and make it a name
// every file system takes: one path segment, percent-decoded, ending in .gguf, no "..", no
// leading dot, no characters Windows refuses, at most kMaxFileNameBytes. Hugging Face "blob"
// pages (what a browser shows) are turned into the "resolve" address of the file itself.
#include <QCoreApplication>
#include <QString>
#include <QUrl>

namespace tern::modelstore {

struct ModelUrl {
    Q_DECLARE_TR_FUNCTIONS(ModelUrl)
public:
    // The download's file name plus ".part.json" or ".part.lock" must stay under the usual
    // 255-byte limit of a file name, with room to spare.
    static constexpr int kMaxFileNameBytes = 200;

    QUrl url;          // what to download (fragment dropped; query kept: signed links need it)
    QString fileName;  // the name in the models folder
    QString error;     // why the text is refused, one sentence for the user; "" = usable

    bool ok() const { return error.isEmpty(); }

    // Never throws; any text gives either url + fileName or an error.
    static ModelUrl parse(const QString& text);
};

}  // namespace tern::modelstore
