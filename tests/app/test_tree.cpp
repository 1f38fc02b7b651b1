// Branches and versions: regenerate adds a sibling reply, editing adds a sibling prompt, and
// switching to a version shows the branch last written under it.
#include <catch2/catch.hpp>

#include "app/message_tree.h"

using namespace tern::app;

namespace {
MessageRecord node(qint64 id, qint64 parent, const char* role) {
    MessageRecord m;
    m.id = id;
    m.parentId = parent;
    m.role = QLatin1String(role);
    m.content = QString::number(id);
    return m;
}
QVector<qint64> ids(const QVector<MessageRecord>& path) {
    QVector<qint64> out;
    for (const auto& m : path) out << m.id;
    return out;
}
}  // namespace

TEST_CASE("the message tree gives paths, siblings and newest leaves", "[tree]") {
    //  1 user ── 2 reply ── 3 user ── 4 reply
    //        └── 5 reply (regenerated)
    //  6 user (edited first message) ── 7 reply
    MessageTree t({node(1, 0, "user"), node(2, 1, "assistant"), node(3, 2, "user"), node(4, 3, "assistant"),
                   node(5, 1, "assistant"), node(6, 0, "user"), node(7, 6, "assistant")});
    CHECK(ids(t.pathTo(4)) == QVector<qint64>{1, 2, 3, 4});
    CHECK(ids(t.pathTo(5)) == QVector<qint64>{1, 5});
    CHECK(ids(t.pathTo(0)) == QVector<qint64>{6, 7});      // unknown leaf: the newest branch
    CHECK(ids(t.pathTo(999)) == QVector<qint64>{6, 7});
    CHECK(t.siblings(2) == QVector<qint64>{2, 5});
    CHECK(t.siblings(1) == QVector<qint64>{1, 6});
    CHECK(t.siblings(4) == QVector<qint64>{4});
    CHECK(t.newestLeafUnder(1) == 5);
    CHECK(t.newestLeafUnder(2) == 4);
    CHECK(t.newestLeafUnder(7) == 7);

    // Later, a reply under 3 is regenerated (id 8): the old first branch is now the newest.
    MessageTree later({node(1, 0, "user"), node(2, 1, "assistant"), node(3, 2, "user"), node(4, 3, "assistant"),
                       node(5, 1, "assistant"), node(6, 0, "user"), node(7, 6, "assistant"), node(8, 3, "assistant")});
    CHECK(later.newestLeafUnder(1) == 8);
    CHECK(ids(later.pathTo(0)) == QVector<qint64>{1, 2, 3, 8});
    CHECK(later.siblings(8) == QVector<qint64>{4, 8});
    CHECK(t.siblings(42).isEmpty());
}

TEST_CASE("a damaged tree with a cycle does not hang", "[tree]") {
    MessageTree t({node(1, 2, "user"), node(2, 1, "assistant")});
    CHECK(t.pathTo(2).size() <= 3);
}
