// End to end, the Models page: download from a local server, use and delete a model, and what the
// page and the settings say about the models there are.
#include "e2e_fixture.h"

using namespace tern::app;
using namespace tern_app_test::e2e;
using tern_app_test::waitFor;

class ModelsEndToEnd : public Fixture {
    Q_OBJECT

private slots:
    void initTestCase() { setUpFixture(); }

    // The Models page as users meet it: open it from the toolbar, download a catalog model from
    // a real local HTTP server, use it, then delete it again.
    void modelsPageDownloadUseDelete() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served")), defaultModel_);
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));

        AppOptions o = options();
        o.catalogPath = served.catalogPath();
        o.modelPath = defaultModel_;
        TernApplication app(o);
        QVERIFY(app.start());
        QVERIFY(QTest::qWaitForWindowExposed(app.window()));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        themeOf(app.qmlEngine())->setMode(1);

        click(app.window(), findVisible(app.window(), "modelsButton"));
        QVERIFY(waitFor([&] { return findVisible(app.window(), "downloadButton") != nullptr; }));
        shot(app, QStringLiteral("12-models-light"));
        click(app.window(), findVisible(app.window(), "downloadButton"));
        const QString installed = o.modelsDir + QStringLiteral("/story-writer.gguf");
        QVERIFY(waitFor([&] { return app.models()->models()->rowOfPath(installed) >= 0; }, 60000));
        themeOf(app.qmlEngine())->setMode(2);
        shot(app, QStringLiteral("13-models-installed-dark"));
        themeOf(app.qmlEngine())->setMode(1);

        // Use it: the row's Use button loads it in the engine.
        const int row = app.models()->models()->rowOfPath(installed);
        QQuickItem* use = nullptr;
        for (QQuickItem* item : allItems(app.window()))
            if (item->objectName() == QLatin1String("useButton") && item->isVisible() && item->isEnabled()) use = item;
        QVERIFY(use);
        click(app.window(), use);
        QVERIFY(waitFor([&] { return app.models()->loaded() && app.models()->currentIndex() == row; }, 60000));

        // Delete it: confirm in the dialog; the file is gone and the built-in model is back.
        click(app.window(), findVisible(app.window(), "removeButton"));
        QObject* confirm = app.window()->findChild<QObject*>(QStringLiteral("removeDialog"));
        QVERIFY(confirm);
        QVERIFY(waitFor([&] { return confirm->property("opened").toBool(); }));
        shot(app, QStringLiteral("14-models-delete-light"));
        QMetaObject::invokeMethod(confirm, "accept");
        QVERIFY(waitFor([&] { return !QFile::exists(installed); }));
        QVERIFY(waitFor([&] { return app.models()->loaded() && app.models()->currentIsDefault(); }, 60000));
        QTest::keyClick(app.window(), Qt::Key_Escape);
    }

    // Issue 16 #5, #10, #11: errors show on the Models page where the user is; a model that
    // failed to load is not "in use" anywhere; "opens at start" names the model that opens;
    // models added by tern-models appear at once; drop-downs are readable; the theme box is whole.
    void modelsPageTellsTheTruth() {
        QSettings().remove(QStringLiteral("session"));
        AppOptions o = options(QStringLiteral("models-truth.sqlite3"));
        o.modelsDir = dir_.filePath(QStringLiteral("models-truth"));
        QVERIFY(QDir().mkpath(o.modelsDir));
        AppSettings().setLastModel(chatModel_);  // used last: it, not the built-in model, opens
        TernApplication app(o);
        QVERIFY(app.start());
        QQuickWindow* w = app.window();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QVERIFY(waitFor([&] { return app.models()->loaded(); }, 60000));
        themeOf(app.qmlEngine())->setMode(1);
        click(w, findVisible(w, "modelsButton"));
        QVERIFY(waitFor([&] { return findVisible(w, "importButton") != nullptr; }));

        // "Opens at start" is on the model that opened, not on the built-in one.
        const QString tinyName = app.models()->currentName();
        QVERIFY(waitFor([&] { return installedRow(w, tinyName) != nullptr; }));
        QVERIFY(childNamed(installedRow(w, tinyName), "details")->property("text").toString().contains(QStringLiteral("opens at start")));
        if (!defaultModel_.isEmpty()) {
            const QString builtInName = app.models()->models()->entryAt(0)->name;
            QVERIFY(!childNamed(installedRow(w, builtInName), "details")->property("text").toString().contains(QStringLiteral("opens at start")));
        }

        // A renamed text file: the import error shows on the page, not behind it.
        const QString notes = dir_.filePath(QStringLiteral("notes.gguf"));
        {
            QFile f(notes);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("These are my notes, not a model.\n");
        }
        app.modelManager()->importModel(QUrl::fromLocalFile(notes), true);  // what the file dialog's choice calls
        auto pageNoticeTitles = [&] {
            QStringList titles;
            if (QQuickItem* area = findVisible(w, "modelsNotices"))
                for (QQuickItem* item : [&] { QVector<QQuickItem*> v; collect(area, v); return v; }())
                    if (item->objectName() == QLatin1String("notice") && item->isVisible() && insideWindow(w, item))
                        titles << item->property("noticeTitle").toString();
            return titles;
        };
        QVERIFY(waitFor([&] { return pageNoticeTitles().contains(QStringLiteral("The model could not be imported")); }));
        shot(app, QStringLiteral("30-models-import-error-light"));
        for (const Notice& n : app.notices()->all()) app.notices()->dismiss(n.id);

        // A model file cut short, put in the folder by another program: it appears while the app
        // runs; Use fails, and the page, the picker and the status line agree that nothing is in use.
        const QString cut = o.modelsDir + QStringLiteral("/cut-short.gguf");
        {
            QFile in(chatModel_);
            QVERIFY(in.open(QIODevice::ReadOnly));
            const QByteArray bytes = in.readAll();
            QFile f(cut);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes.left(bytes.size() / 2));
        }
        QVERIFY(waitFor([&] { return installedRow(w, QStringLiteral("cut-short")) != nullptr; }, 10000));
        click(w, childNamed(installedRow(w, QStringLiteral("cut-short")), "useButton"));
        QVERIFY(waitFor([&] { return !app.models()->loading() && app.models()->failedIndex() >= 0; }, 60000));
        QTest::qWait(100);
        const QString details = childNamed(installedRow(w, QStringLiteral("cut-short")), "details")->property("text").toString();
        QVERIFY2(details.contains(QStringLiteral("could not be loaded")), qPrintable(details));
        QStringList inUse;
        for (QQuickItem* item : allItems(w))
            if (item->objectName() == QLatin1String("details") && item->isVisible() &&
                item->property("text").toString().contains(QStringLiteral("in use")))
                inUse << item->property("text").toString();
        QVERIFY2(inUse.isEmpty(), qPrintable(inUse.join(QLatin1Char('|'))));
        QCOMPARE(findVisible(w, "modelPicker")->property("displayText").toString(), QStringLiteral("Choose a model"));
        QVERIFY(visibleTexts(w, "statusText").join(QString()).contains(QStringLiteral("No model loaded")));
        QVERIFY(waitFor([&] { return pageNoticeTitles().contains(QStringLiteral("The model could not be loaded")); }));
        shot(app, QStringLiteral("31-models-load-failed-light"));
        themeOf(app.qmlEngine())->setMode(2);
        shot(app, QStringLiteral("32-models-load-failed-dark"));
        {  // switched to dark while the page was open, its buttons are dark too
            QObject* palette = findVisible(w, "importButton")->property("palette").value<QObject*>();
            QVERIFY(palette);
            QCOMPARE(palette->property("button").value<QColor>(), themeOf(app.qmlEngine())->control());
            // and a disabled one still looks disabled
            QQuickItem* startButton = childNamed(installedRow(w, tinyName), "startModelButton");
            QVERIFY(startButton && !startButton->isEnabled());
            auto* label = startButton->property("contentItem").value<QQuickItem*>();
            QCOMPARE(label->property("color").value<QColor>(), themeOf(app.qmlEngine())->mutedText());
        }
        themeOf(app.qmlEngine())->setMode(1);

        // tern-models adds a model while the app runs, then removes it.
        tern::modelstore::ModelLibrary tool(o.modelsDir);
        QString error;
        tern::modelstore::InstalledModel added;
        QVERIFY2(tool.importFile(chatModel_, tern::modelstore::ModelLibrary::ImportMode::Copy, &error, &added), qPrintable(error));
        QVERIFY(waitFor([&] { return installedRow(w, added.name) != nullptr && app.models()->models()->rowOfPath(added.path) >= 0; }, 10000));
        QVERIFY(tool.remove(added.path, &error));
        QVERIFY(waitFor([&] { return app.models()->models()->rowOfPath(added.path) < 0; }, 10000));
        QTest::keyClick(w, Qt::Key_Escape);
        QVERIFY(waitFor([&] { return findVisible(w, "importButton") == nullptr; }));

        // Drop-downs: the highlighted entry is readable in both themes, and the theme box shows
        // its whole text.
        for (const int mode : {1, 2}) {
            themeOf(app.qmlEngine())->setMode(mode);
            QQuickItem* picker = findVisible(w, "modelPicker");
            const double ratio = highlightedEntryContrast(w, picker);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("model picker, theme %1: contrast %2").arg(mode).arg(ratio)));
            shot(app, QStringLiteral("33-picker-open-%1").arg(mode == 1 ? QStringLiteral("light") : QStringLiteral("dark")));
            closeList(picker);
        }
        click(w, findVisible(w, "settingsButton"));
        QObject* settings = w->findChild<QObject*>(QStringLiteral("settingsDialog"));
        QVERIFY(settings && waitFor([&] { return settings->property("opened").toBool(); }));
        QQuickItem* themeBox = findVisible(w, "themeBox");
        QVERIFY(themeBox);
        themeOf(app.qmlEngine())->setMode(0);  // the box shows its longest choice, "Follow the system"
        QVERIFY(waitFor([&] { return themeBox->property("displayText").toString() == QStringLiteral("Follow the system"); }));
        QTest::qWait(50);  // the layout settles
        auto* field = themeBox->property("contentItem").value<QQuickItem*>();
        QVERIFY(field);
        const double room = field->width() - field->property("leftPadding").toDouble() - field->property("rightPadding").toDouble();
        QVERIFY2(field->property("contentWidth").toDouble() <= room + 0.5,
                 qPrintable(QStringLiteral("%1 of text in %2").arg(field->property("contentWidth").toDouble()).arg(room)));
        for (const int mode : {1, 2}) {
            themeOf(app.qmlEngine())->setMode(mode);
            const double ratio = highlightedEntryContrast(w, themeBox);
            QVERIFY2(ratio >= 4.5, qPrintable(QStringLiteral("theme box, theme %1: contrast %2").arg(mode).arg(ratio)));
            shot(app, QStringLiteral("34-theme-box-open-%1").arg(mode == 1 ? QStringLiteral("light") : QStringLiteral("dark")));
            closeList(themeBox);
        }
        // The compact-memory box (scrolled to: it is the last control but the API server's) writes
        // the app-wide setting, which applies at the next load.
        QQuickItem* compact = findVisible(w, "compactCacheBox");
        QVERIFY(compact);
        QCOMPARE(compact->property("checked").toBool(), false);
        auto* flick = findVisible(w, "settingsScroll")->property("contentItem").value<QQuickItem*>();
        QVERIFY(flick);
        const QPointF at = compact->mapToItem(flick->property("contentItem").value<QQuickItem*>(), QPointF(0, 0));
        flick->setProperty("contentY", std::max(0.0, at.y() - 40));
        QVERIFY(waitFor([&] { return insideWindow(w, compact); }));
        QTest::qWait(50);
        click(w, compact);
        QVERIFY(waitFor([&] { return tern::app::AppSettings().compactCache(); }));
        shot(app, QStringLiteral("35-settings-compact-memory"));
        click(w, compact);
        QVERIFY(waitFor([&] { return !tern::app::AppSettings().compactCache(); }));
        QMetaObject::invokeMethod(settings, "close");
    }
};

QTEST_MAIN(ModelsEndToEnd)
#include "tst_e2e_models.moc"
