// The list models QML binds to, checked by QAbstractItemModelTester while they change.
#include "app/conversation_list_model.h"
#include "app/message_list_model.h"
#include "app/model_list_model.h"
#include "app/modelstore/system_memory.h"
#include "app/search_results_list_model.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace tern::app;

class TestModels : public QObject {
    Q_OBJECT
private slots:
    void messageList() {
        MessageListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy count(&m, &MessageListModel::countChanged);
        MessageRecord a, b;
        a.id = 1; a.role = "user"; a.content = "hi";
        b.id = 2; b.parentId = 1; b.role = "assistant"; b.state = MessageState::Streaming;
        m.setRows({{a, 1, 1}, {b, 2, 3}});
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(count.count(), 1);
        QCOMPARE(m.data(m.index(1), MessageListModel::VersionIndexRole).toInt(), 2);
        QCOMPARE(m.data(m.index(1), MessageListModel::VersionCountRole).toInt(), 3);
        QCOMPARE(m.data(m.index(1), MessageListModel::StreamingRole).toBool(), true);

        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.appendText(2, "Hel");
        m.appendText(2, "lo");
        m.appendText(99, "ignored");
        QCOMPARE(changed.count(), 2);
        QCOMPARE(m.contentAt(1), QStringLiteral("Hello"));

        b.content = "Hello!";
        b.state = MessageState::Complete;
        b.tokenCount = 4;
        b.tokensPerSecond = 50;
        m.updateMessage(b);
        QCOMPARE(m.data(m.index(1), MessageListModel::StreamingRole).toBool(), false);
        QCOMPARE(m.data(m.index(1), MessageListModel::TokenCountRole).toInt(), 4);
        QVERIFY(m.roleNames().values().contains("versionCount"));

        // A new list that shares the rows on screen keeps them (their bubbles are not rebuilt):
        // the new tail is inserted, a changed row is updated, only another branch's rows replaced.
        QSignalSpy resets(&m, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
        MessageRecord c;
        c.id = 3; c.parentId = 2; c.role = "user"; c.content = "more";
        m.setRows({{a, 1, 1}, {b, 2, 3}, {c, 1, 1}});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(m.contentAt(2), QStringLiteral("more"));
        MessageRecord d;
        d.id = 4; d.parentId = 1; d.role = "assistant"; d.content = "other";
        changed.clear();
        m.setRows({{a, 1, 2}, {d, 3, 3}});
        QCOMPARE(resets.count(), 0);
        QCOMPARE(changed.count(), 1);  // the first row's version count
        QCOMPARE(m.data(m.index(0), MessageListModel::VersionCountRole).toInt(), 2);
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.contentAt(1), QStringLiteral("other"));
        m.setRows({{d, 1, 1}});  // nothing shared: a reset
        QCOMPARE(resets.count(), 1);
        m.setRows({});
        QCOMPARE(m.rowCount(), 0);
    }

    void conversationListSections() {
        ConversationListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDate today(2026, 3, 10);
        m.setToday(today);
        auto at = [](QDate d) { return QDateTime(d, QTime(12, 0)).toMSecsSinceEpoch(); };
        ConversationRecord c1, c2, c3;
        c1.id = 3; c1.title = "Now"; c1.updatedAt = at(today);
        c2.id = 2; c2.title = ""; c2.updatedAt = at(today.addDays(-1));
        c3.id = 1; c3.title = "Old"; c3.updatedAt = at(today.addDays(-30));
        m.setConversations({c1, c2, c3});
        QCOMPARE(m.data(m.index(0), ConversationListModel::SectionRole).toString(), QStringLiteral("Today"));
        QCOMPARE(m.data(m.index(1), ConversationListModel::SectionRole).toString(), QStringLiteral("Yesterday"));
        QCOMPARE(m.data(m.index(2), ConversationListModel::SectionRole).toString(), QStringLiteral("Earlier"));
        QCOMPARE(m.data(m.index(1), ConversationListModel::TitleRole).toString(), QStringLiteral("New chat"));
        QCOMPARE(m.rowOf(1), 2);
        QCOMPARE(m.idAt(0), qint64(3));
        QCOMPARE(m.idAt(7), qint64(0));
        m.setConversations({c3});
        QCOMPARE(m.rowCount(), 1);
    }

    void searchResults() {
        SearchResultsListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SearchHit h;
        h.conversationId = 4;
        h.messageId = 9;
        h.title = "Zebras";
        h.snippetHtml = "about <b>zebras</b>";
        m.setHits({h, h});
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.data(m.index(0), SearchResultsListModel::SnippetRole).toString(), QStringLiteral("about <b>zebras</b>"));
        QCOMPARE(m.data(m.index(0), SearchResultsListModel::MessageIdRole).toLongLong(), qint64(9));
        m.setHits({});
        QCOMPARE(m.rowCount(), 0);
    }

    void modelListWithCards() {
        QTemporaryDir dir;
        auto touch = [&](const QString& name, const QByteArray& data) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(data);
        };
        touch("default.gguf", QByteArray(1000, 'x'));
        touch("default.json", R"({"name": "Tern Default", "parameters": {"total": 4200000}})");
        QDir(dir.path()).mkpath("models");
        touch("models/b.gguf", QByteArray(10, 'y'));
        touch("models/a.gguf", QByteArray(10, 'y'));
        touch("models/a.json", R"({"name": "Model A", "description": "Imported by hand."})");
        ModelListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tern::modelstore::ModelLibrary library(dir.filePath("models"));
        m.scan(dir.filePath("default.gguf"), library.list(), {dir.filePath("models/a.gguf"), dir.filePath("missing.gguf")});
        QCOMPARE(m.rowCount(), 3);  // duplicates and missing extras are left out
        QCOMPARE(m.data(m.index(0), ModelListModel::NameRole).toString(), QStringLiteral("Tern Default"));
        QVERIFY(m.data(m.index(0), ModelListModel::IsDefaultRole).toBool());
        const QString card = m.data(m.index(0), ModelListModel::SummaryRole).toString();
        QVERIFY2(card.contains("tiny demo") && card.contains("model manager") && card.contains("4.2 M parameters"), qPrintable(card));
        // A card with its own text keeps it, and still points to the model manager.
        touch("default.json", R"({"about": "A tiny demo model that writes stories.", "parameters": 5776640})");
        const QString own = ModelListModel::describe(dir.filePath("default.gguf"), true).summary;
        QVERIFY2(own.startsWith("A tiny demo model that writes stories. (5.8 M parameters)") && own.contains("model manager"), qPrintable(own));
        QCOMPARE(m.data(m.index(1), ModelListModel::NameRole).toString(), QStringLiteral("Model A"));
        QCOMPARE(m.data(m.index(1), ModelListModel::SummaryRole).toString(), QStringLiteral("Imported by hand."));
        QCOMPARE(m.rowOfPath(dir.filePath("models/b.gguf")), 2);
        QVERIFY(m.data(m.index(1), ModelListModel::InLibraryRole).toBool());
        QVERIFY(!m.data(m.index(0), ModelListModel::InLibraryRole).toBool());
        // No start model chosen: the built-in one opens at start.
        QVERIFY(m.data(m.index(0), ModelListModel::IsStartModelRole).toBool());
        m.setStartModel(dir.filePath("models/b.gguf"));
        QVERIFY(!m.data(m.index(0), ModelListModel::IsStartModelRole).toBool());
        QVERIFY(m.data(m.index(2), ModelListModel::IsStartModelRole).toBool());
        QCOMPARE(tern::modelstore::formatBytes(1187801280), QStringLiteral("1.19 GB"));
    }
};

QTEST_GUILESS_MAIN(TestModels)
#include "tst_models.moc"
