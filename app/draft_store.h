#pragma once
// Unsent text, per conversation (0: the new chat), kept in QSettings so that neither switching
// chats nor quitting loses what the user was writing. QSettings caches in memory and writes the
// file in the background, so saving on every keystroke costs nothing noticeable.
#include <QString>

namespace tern::app {

class DraftStore {
public:
    QString get(qint64 conversationId) const;
    void set(qint64 conversationId, const QString& text);  // empty removes it
    void remove(qint64 conversationId) { set(conversationId, {}); }
};

}  // namespace tern::app
