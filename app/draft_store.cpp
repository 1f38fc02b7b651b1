#include "app/draft_store.h"

#include <QSettings>

namespace tern::app {

namespace {
QString key(qint64 id) { return QStringLiteral("drafts/%1").arg(id); }
}  // namespace

QString DraftStore::get(qint64 conversationId) const { return QSettings().value(key(conversationId)).toString(); }

void DraftStore::set(qint64 conversationId, const QString& text) {
    QSettings s;
    // Only whitespace is no draft: do not keep a stale "\n" around forever.
    if (text.trimmed().isEmpty())
        s.remove(key(conversationId));
    else
        s.setValue(key(conversationId), text);
}

}  // namespace tern::app
