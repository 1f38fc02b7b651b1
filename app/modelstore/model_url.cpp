#include "app/modelstore/model_url.h"

#include <QStringList>

namespace tern::modelstore {

namespace {

// What a message may quote of the user's text: enough to recognise it, never a page of it.
QString clipped(const QString& s, int max = 60) { return s.size() <= max ? s : s.left(max - 1) + QChar(0x2026); }

// Characters no file name may hold on one of the systems Tern runs on, plus control characters.
bool hasUnsafeCharacter(const QString& name) {
    for (const QChar c : name)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || QStringLiteral("<>:\"/\\|?*").contains(c)) return true;
    return false;
}

bool isHuggingFace(const QString& host) {
    return host == QLatin1String("huggingface.co") || host == QLatin1String("www.huggingface.co") || host == QLatin1String("hf.co");
}

// huggingface.co/ORG/REPO/blob/REV/FILE (and /datasets/ORG/REPO/blob/...) is the page that shows
// a file; /resolve/ in the same place is the file itself. segments: the path's, still encoded.
void blobToResolve(QStringList& segments) {
    const int at = segments.value(0) == QLatin1String("datasets") || segments.value(0) == QLatin1String("spaces") ? 3 : 2;
    if (segments.size() > at + 2 && segments.at(at) == QLatin1String("blob")) segments[at] = QStringLiteral("resolve");
}

}  // namespace

ModelUrl ModelUrl::parse(const QString& text) {
    ModelUrl r;
    const auto refuse = [&r](const QString& why) {
        r.url.clear();
        r.fileName.clear();
        r.error = why;
        return r;
    };
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return refuse(tr("Paste the address of a .gguf file, starting with https://."));
    QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) return refuse(tr("“%1” is not a valid web address.").arg(clipped(trimmed)));
    // Only the web: file: would copy a local file (Import does that, with its own checks), and
    // ftp:, data:, javascript: and the rest are nothing a model is published at.
    const QString scheme = url.scheme();
    if (scheme.isEmpty()) return refuse(tr("The address must start with https:// (or http://)."));
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        return refuse(tr("Only http:// and https:// addresses can be downloaded, not %1: ones.").arg(clipped(scheme, 20)));
    if (url.host().isEmpty()) return refuse(tr("The address has no server name."));

    QStringList segments = url.path(QUrl::FullyEncoded).split(QLatin1Char('/'));
    if (!segments.isEmpty() && segments.first().isEmpty()) segments.removeFirst();  // the leading '/'
    // A server resolves "." and ".." against the path; the file fetched would not be the one the
    // address seems to name. Decoded, so that %2e%2e counts too.
    for (const QString& s : segments) {
        const QString decoded = QUrl::fromPercentEncoding(s.toUtf8());
        if (decoded == QLatin1String(".") || decoded == QLatin1String(".."))
            return refuse(tr("The address contains “..” or “.” as a folder; paste the file's own address."));
    }
    if (isHuggingFace(url.host())) {
        blobToResolve(segments);
        url.setPath(QLatin1Char('/') + segments.join(QLatin1Char('/')), QUrl::StrictMode);
    }
    url.setFragment(QString());

    const QString last = segments.isEmpty() ? QString() : segments.last();
    if (last.isEmpty()) return refuse(tr("The address does not name a file. Paste the link to the .gguf file itself."));
    const QString name = QUrl::fromPercentEncoding(last.toUtf8());
    // Encoded separators (%2f, %5c) decode into a name that would leave the models folder.
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.contains(QLatin1String("..")))
        return refuse(tr("The file name in the address (“%1”) contains a path; Tern only saves into its models folder.")
                          .arg(clipped(name)));
    if (name.startsWith(QLatin1Char('.')))
        return refuse(tr("The file name in the address (“%1”) starts with a dot.").arg(clipped(name)));
    if (!name.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive))
        return refuse(tr("The address does not point to a .gguf file (it names “%1”). Tern runs GGUF models: "
                         "paste the link to the .gguf file itself.")
                          .arg(clipped(name)));
    if (hasUnsafeCharacter(name) || name.trimmed() != name)
        return refuse(tr("The file name in the address (“%1”) has characters a file name cannot have.").arg(clipped(name)));
    const int bytes = int(name.toUtf8().size());
    if (bytes > kMaxFileNameBytes)
        return refuse(tr("The file name in the address is too long (%1 bytes; at most %2).")
                          .arg(QString::number(bytes), QString::number(kMaxFileNameBytes)));
    r.url = url;
    r.fileName = name;
    return r;
}

}  // namespace tern::modelstore
