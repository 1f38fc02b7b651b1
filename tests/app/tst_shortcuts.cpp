// The real window's keyboard shortcuts that open or end things: Ctrl+/ shows the shortcuts sheet
// (also from the toolbar's Help menu), and it lists every key of README.md's table; Ctrl+Q quits
// through the QML engine's quit, the path app.exec() returns by.
#include "app/model_controller.h"
#include "app/tern_application.h"
#include "app_test_support.h"

#include <QFile>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace tern::app;
using tern_app_test::waitFor;

namespace {

void collect(QQuickItem* item, QVector<QQuickItem*>& out) {
    out.push_back(item);
    for (QQuickItem* child : item->childItems()) collect(child, out);
}

QStringList visibleTexts(QQuickWindow* w, const char* objectName) {
    QVector<QQuickItem*> items;
    collect(w->contentItem(), items);
    QStringList out;
    for (QQuickItem* item : items)
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) out << item->property("text").toString();
    return out;
}

QQuickItem* findVisible(QQuickWindow* w, const char* objectName) {
    QVector<QQuickItem*> items;
    collect(w->contentItem(), items);
    for (QQuickItem* item : items)
        if (item->objectName() == QLatin1String(objectName) && item->isVisible()) return item;
    return nullptr;
}

void click(QQuickWindow* w, QQuickItem* item) {
    QVERIFY(item);
    QTest::mouseClick(w, Qt::LeftButton, {}, item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint());
}

// The "Keys" column of README.md's table under "## The app".
QStringList readmeKeys() {
    QFile f(QStringLiteral(TERN_README));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QString text = QString::fromUtf8(f.readAll());
    const int table = text.indexOf(QStringLiteral("| Keys | What they do |"));
    if (table < 0) return {};
    QStringList keys;
    const QStringList lines = text.mid(table).split(QLatin1Char('\n'));
    for (int i = 2; i < lines.size() && lines[i].startsWith(QLatin1Char('|')); ++i)
        keys << lines[i].section(QLatin1Char('|'), 1, 1).trimmed();
    return keys;
}

}  // namespace

class Shortcuts : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        TernApplication::setIdentity();
        QQuickStyle::setStyle(QStringLiteral("Basic"));
    }

    void sheetListsTheKeysAndCtrlQQuits() {
        AppOptions o;
        o.databasePath = dir_.filePath(QStringLiteral("history.sqlite3"));
        o.modelsDir = dir_.filePath(QStringLiteral("models"));
        o.modelPath = tern_app_test::tinyModelPath();
        TernApplication app(o);
        QVERIFY(app.start());
        QQuickWindow* w = app.window();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        w->requestActivate();
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));

        QObject* sheet = w->findChild<QObject*>(QStringLiteral("shortcutsSheet"));
        QVERIFY(sheet);
        QVERIFY(!sheet->property("visible").toBool());
        QTest::keyClick(w, Qt::Key_Slash, Qt::ControlModifier);
        QVERIFY(waitFor([&] { return sheet->property("opened").toBool(); }));

        // Every row of README's key table is on the sheet (each of its keys, in any grouping).
        const QStringList readme = readmeKeys();
        QVERIFY2(readme.size() >= 10, "README.md's key table was not found");
        const QString shown = visibleTexts(w, "shortcutKeys").join(QLatin1Char(' '));
        for (const QString& row : readme)
            for (const QString& key : row.split(QRegularExpression(QStringLiteral("\\s*(/|\\bor\\b|\\(|\\))\\s*")), Qt::SkipEmptyParts))
                QVERIFY2(shown.contains(key.trimmed()), qPrintable(QStringLiteral("%1 is missing from the sheet: %2").arg(key, shown)));
        QVERIFY(shown.contains(QStringLiteral("Ctrl+/")));  // the split above cannot tell
        QVERIFY(shown.contains(QStringLiteral("Ctrl+Q")));

        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return !sheet->property("visible").toBool(); }));

        // The same sheet from the toolbar: ? then Keyboard shortcuts.
        click(w, findVisible(w, "helpButton"));
        QVERIFY(waitFor([&] { return findVisible(w, "shortcutsMenuItem") != nullptr; }));
        QTest::qWait(300);  // the menu's opening transition
        click(w, findVisible(w, "shortcutsMenuItem"));
        QVERIFY(waitFor([&] { return sheet->property("opened").toBool(); }));
        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return !sheet->property("visible").toBool(); }));

        // Ctrl+Q asks the engine to quit; QQmlApplicationEngine passes that on to
        // QCoreApplication::quit(), which ends app.exec() in main().
        QSignalSpy quit(app.qmlEngine(), &QQmlEngine::quit);
        QTest::keyClick(w, Qt::Key_Q, Qt::ControlModifier);
        QCOMPARE(quit.count(), 1);
    }
};

QTEST_MAIN(Shortcuts)
#include "tst_shortcuts.moc"
