// Text for people goes through tr(): under a translator that marks every string it is asked for,
// the texts the app builds outside QObjects (sections, titles, the Markdown export, a damaged
// history's report) come out marked, each under the context a translator would look it up in.
#include <catch2/catch.hpp>

#include "app/conversation_export.h"
#include "app/conversation_list_model.h"
#include "app/conversation_store.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTranslator>

using namespace tern::app;

namespace {
// Translates "text" in context "C" as "[C|text]".
class MarkingTranslator : public QTranslator {
public:
    bool isEmpty() const override { return false; }
    QString translate(const char* context, const char* source, const char*, int) const override {
        return QStringLiteral("[%1|%2]").arg(QLatin1String(context), QString::fromUtf8(source));
    }
};

// Installed for one test case only: the other tests compare the English source texts.
struct Installed {
    Installed() { REQUIRE(QCoreApplication::installTranslator(&translator)); }
    ~Installed() { QCoreApplication::removeTranslator(&translator); }
    MarkingTranslator translator;
};
}  // namespace

TEST_CASE("the app's own texts are looked up in translations", "[tr]") {
    Installed tr;
    CHECK(ConversationListModel::shownTitle({}) == "[tern::app::ConversationListModel|New chat]");
    CHECK(ConversationListModel::shownTitle(QStringLiteral("Mine")) == "Mine");
    const QDate today(2026, 5, 4);
    CHECK(ConversationListModel::sectionFor(QDateTime(today, QTime(9, 0)).toMSecsSinceEpoch(), today) ==
          "[tern::app::ConversationListModel|Today]");

    ConversationRecord c;
    c.createdAt = QDateTime(today, QTime(9, 0)).toMSecsSinceEpoch();
    MessageRecord user, reply;
    user.role = QStringLiteral("user");
    user.content = QStringLiteral("Hi");
    reply.role = QStringLiteral("assistant");
    reply.content = QStringLiteral("Hello");
    reply.state = MessageState::Stopped;
    const QString md = exportMarkdown(c, {user, reply}, QStringLiteral("Be brief."));
    for (const char* shown : {"# [ConversationExport|Conversation]", "[ConversationExport|System prompt]",
                              "## [ConversationExport|You]", "## [ConversationExport|Assistant]",
                              "[ConversationExport|(stopped)]", "[ConversationExport|unknown]"}) {
        INFO(shown);
        CHECK(md.contains(QLatin1String(shown)));
    }

    // A damaged history: the report the window shows is the store's, translated.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite3"));
    QFile junk(path);
    REQUIRE(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(8192, 'x'));
    junk.close();
    ConversationStore store;
    const OpenReport report = store.open(path);
    CHECK(report.status == OpenReport::Recovered);
    CHECK(report.message.startsWith(QLatin1String("[ConversationStore|The history database was damaged")));
}
