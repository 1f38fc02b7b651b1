// Export of a conversation as Markdown (the visible branch) and JSON (the whole tree).
#include <catch2/catch.hpp>

#include "app/conversation_export.h"
#include "app/conversation_store.h"
#include "app/message_tree.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace tern::app;

TEST_CASE("a conversation exports to Markdown and JSON", "[export]") {
    QTemporaryDir dir;
    ConversationStore store;
    store.open(dir.filePath("h.sqlite3"));
    const qint64 c = store.createConversation("tern-default");
    store.renameConversation(c, "Stripes", false);
    MessageRecord m;
    m.conversationId = c;
    m.role = "user";
    m.content = "Why do zebras have stripes?";
    const qint64 u = store.addMessage(m);
    m.parentId = u;
    m.role = "assistant";
    m.content = "First answer";
    store.addMessage(m);
    m.content = "Second answer with `code`";
    m.state = MessageState::Stopped;
    const qint64 a2 = store.addMessage(m);
    store.setCurrentLeaf(c, a2);

    ConversationRecord rec;
    REQUIRE(store.conversation(c, &rec));
    const QVector<MessageRecord> all = store.messages(c);
    const QVector<MessageRecord> path = MessageTree(all).pathTo(rec.currentLeafId);

    const QString md = exportMarkdown(rec, path, "Be nice.\nAlways.");
    CHECK(md.startsWith("# Stripes\n"));
    CHECK(md.contains("> Be nice.\n> Always."));
    CHECK(md.contains("## You\n\nWhy do zebras have stripes?"));
    CHECK(md.contains("## Assistant\n\nSecond answer with `code`\n\n_(stopped)_"));
    CHECK_FALSE(md.contains("First answer"));  // only the branch on screen

    const QJsonObject j = QJsonDocument::fromJson(exportJson(rec, all, path, "Be nice.")).object();
    CHECK(j.value("format").toString() == "tern-conversation");
    CHECK(j.value("title").toString() == "Stripes");
    CHECK(j.value("system_prompt").toString() == "Be nice.");
    const QJsonArray msgs = j.value("messages").toArray();
    REQUIRE(msgs.size() == 3);  // every branch
    CHECK(msgs[0].toObject().value("parent_id").isNull());
    CHECK(msgs[2].toObject().value("parent_id").toInteger() == u);
    CHECK(msgs[2].toObject().value("state").toString() == "stopped");
    CHECK(j.value("current_path").toArray().size() == 2);
    CHECK(j.value("created_at").toString().endsWith("Z"));
}
