// The sidebar's history controller: listing, rename (and back to automatic titles), delete with
// undo, neighbours for next/previous shortcuts, and search hits.
#include <catch2/catch.hpp>

#include "app/chat_controller.h"
#include "app/conversation_store.h"
#include "app/history_controller.h"

#include <QTemporaryDir>

using namespace tern::app;

TEST_CASE("conversations are listed newest first, renamed, deleted and restored", "[history]") {
    QTemporaryDir dir;
    ConversationStore store;
    store.open(dir.filePath("h.sqlite3"));
    const qint64 a = store.createConversation("m");
    store.renameConversation(a, autoTitle("Plan a trip to Lisbon\nwith kids"), true);
    const qint64 b = store.createConversation("m");
    MessageRecord m;
    m.conversationId = b;
    m.role = "user";
    m.content = "Recipe for pancakes";
    store.addMessage(m);
    store.touch(b);

    HistoryController h(&store);
    h.refresh();
    ConversationListModel* list = h.conversations();
    REQUIRE(list->rowCount() == 2);
    CHECK(list->idAt(0) == b);  // newest first
    CHECK(list->data(list->index(1), ConversationListModel::TitleRole).toString() == "Plan a trip to Lisbon");
    CHECK(list->data(list->index(0), ConversationListModel::SectionRole).toString() == "Today");
    CHECK(h.neighbour(b, 1) == a);
    CHECK(h.neighbour(a, 1) == 0);
    CHECK(h.neighbour(0, -1) == a);  // nothing open: Ctrl+Shift+Tab goes to the last one

    h.rename(a, "  Lisbon   trip ");
    CHECK(list->data(list->index(1), ConversationListModel::TitleRole).toString() == "Lisbon trip");

    h.setSearchQuery("pancake");
    REQUIRE(h.searchResults()->rowCount() == 1);
    CHECK(h.searchResults()->data(h.searchResults()->index(0), SearchResultsListModel::SnippetRole).toString().contains("<b>pancakes</b>"));

    int deleted = 0;
    QObject::connect(&h, &HistoryController::conversationDeleted, [&](qint64 id) { deleted += id == b; });
    h.remove(b);
    CHECK(deleted == 1);
    CHECK(h.canUndo());
    CHECK(h.undoTitle() == "New chat");
    CHECK(list->rowCount() == 1);
    CHECK(h.searchResults()->rowCount() == 0);
    h.undoRemove();
    CHECK_FALSE(h.canUndo());
    CHECK(list->rowCount() == 2);

    h.remove(a);
    h.forgetUndo();  // the undo bar timed out: gone for good
    CHECK(list->rowCount() == 1);
    ConversationRecord gone;
    CHECK_FALSE(store.conversation(a, &gone));
}

TEST_CASE("automatic titles come from the first line, cut at a word", "[history]") {
    CHECK(autoTitle("  Hello there  \nsecond line") == "Hello there");
    const QString t = autoTitle(QString("word ").repeated(30));
    CHECK(t.size() <= 61);
    CHECK(t.endsWith(QStringLiteral("…")));
    CHECK_FALSE(t.contains("wor…"));
}

TEST_CASE("automatic titles leave the Markdown markers out", "[history]") {
    CHECK(autoTitle("# Heading\nbody") == "Heading");
    CHECK(autoTitle("## Plan a trip ##") == "Plan a trip");
    CHECK(autoTitle("| col a | col b |\n|---|---|\n| 1 | 2 |") == "col a · col b");
    CHECK(autoTitle("```python\nprint('hi')\n```") == "print('hi')");
    CHECK(autoTitle("**Bold** and `code` and [a link](https://example.org)") == "Bold and code and a link");
    CHECK(autoTitle("- [ ] buy *milk*") == "buy milk");
    CHECK(autoTitle("> quoted words") == "quoted words");
    CHECK(autoTitle("1. first step") == "first step");
    // What only looks like a marker stays.
    CHECK(autoTitle("Is 2*3 = 6 in C#?").toStdString() == "Is 2*3 = 6 in C#?");
    CHECK(autoTitle("rename snake_case_names") == "rename snake_case_names");
}
