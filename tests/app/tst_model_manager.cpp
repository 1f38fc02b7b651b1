// The Models page's C++ side on real files: the catalog list with fit hints, importing the
// built-in model by copy and by reference through the model manager (on its import thread),
// loading the import in the real engine, start-model choice, removal, a rejected file, and
// downloads from a real local HTTP server (busybox httpd) through to the model list: from the
// catalog, and from an address pasted on the page.
#include "app/app_settings.h"
#include "app/catalog_list_model.h"
#include "app/download_list_model.h"
#include "app/model_controller.h"
#include "app/model_manager_controller.h"
#include "app/modelstore/download_manager.h"
#include "app/modelstore/model_library.h"
#include "app/worker_thread.h"
#include "app_test_support.h"
#include "engine/model/default_model.h"
#include "served_model.h"

#include <QAbstractItemModelTester>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace tern::app;
using tern_app_test::waitFor;

namespace {

QString builtInModel() {
    return QString::fromStdString(tern::default_model_path(QCoreApplication::applicationFilePath().toLocal8Bit().constData()));
}

void writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), qint64(bytes.size()));
}

QByteArray readFile(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The catalog's first entry promises a different SHA-256: the download completes, fails its
// check, and the file is deleted.
void breakCatalogChecksum(const QString& catalogPath) {
    QJsonObject root = QJsonDocument::fromJson(readFile(catalogPath)).object();
    QJsonArray models = root.value(QStringLiteral("models")).toArray();
    QVERIFY(!models.isEmpty());
    QJsonObject first = models.at(0).toObject();
    first.insert(QStringLiteral("sha256"), QString(64, QLatin1Char('0')));
    models.replace(0, first);
    root.insert(QStringLiteral("models"), models);
    writeFile(catalogPath, QJsonDocument(root).toJson());
}

// The address the test's server gives a file in its www folder (the catalog names story.gguf there).
QString servedUrl(const tern_app_test::ServedModel& served, const QString& name) {
    const QJsonObject root = QJsonDocument::fromJson(readFile(served.catalogPath())).object();
    const QString story = root.value(QStringLiteral("models")).toArray().at(0).toObject().value(QStringLiteral("url")).toString();
    return story.left(story.lastIndexOf(QLatin1Char('/')) + 1) + name;
}

// The app's model side without a window: worker thread, settings, library, the two controllers.
struct ManagerRig {
    explicit ManagerRig(const QString& modelsDir, const QString& catalog = {})
        : library(modelsDir) {
        thread = std::make_unique<WorkerThread>(WorkerOptions{});
        models = std::make_unique<ModelController>(thread->worker(), &settings, &library);
        manager = std::make_unique<ModelManagerController>(&library, models.get(), catalog);
        QObject::connect(manager.get(), &ModelManagerController::notice, manager.get(),
                         [this](const QString& t, const QString& d, const QString&) { notices << t + QStringLiteral(": ") + d; });
        QObject::connect(manager.get(), &ModelManagerController::noticeWithdrawn, manager.get(),
                         [this](const QString& t) { withdrawn << t; });
    }
    ~ManagerRig() {
        manager.reset();
        models.reset();
        thread.reset();
    }
    int rowOf(const QString& path) const { return models->models()->rowOfPath(path); }

    AppSettings settings;
    tern::modelstore::ModelLibrary library;
    std::unique_ptr<WorkerThread> thread;
    std::unique_ptr<ModelController> models;
    std::unique_ptr<ModelManagerController> manager;
    QStringList notices;
    QStringList withdrawn;  // titles of notices withdrawn
};

}  // namespace

class TestModelManager : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void initTestCase() {
        tern_app_test::isolateUserFolders();
        QVERIFY(!builtInModel().isEmpty());
    }

    void catalogListWithFitHints() {
        const QString path = dir_.filePath(QStringLiteral("catalog.json"));
        QJsonObject small{{"id", "small"}, {"name", "Small"}, {"description", "A small one."}, {"license", "MIT"},
                          {"url", "https://example.org/small.gguf"}, {"file", "small.gguf"}, {"size", 1000000000.0},
                          {"ram", 2000000000.0}, {"sha256", "4221b252fdd5fd25e15847adfeb5ee88886506ba50b8a34548374492884c2162"}};
        QJsonObject big{{"id", "big"}, {"name", "Big"}, {"description", "A big one."}, {"license", "Apache-2.0"},
                        {"url", "https://example.org/big.gguf"}, {"file", "big.gguf"}, {"size", 7000000000.0},
                        {"ram", 7600000000.0}, {"sha256", QJsonValue::Null}, {"hash_on_first_download", true}};
        QVERIFY(tern_app_test::writeCatalog(path, {small, big}));
        tern::modelstore::Catalog catalog;
        QString error;
        QVERIFY2(tern::modelstore::Catalog::load(path, &catalog, &error), qPrintable(error));
        CatalogListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setCatalog(catalog, 8000000000LL);  // an 8 GB computer
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.data(m.index(0), CatalogListModel::FitTextRole).toString(), QStringLiteral("Fits"));
        QCOMPARE(m.data(m.index(1), CatalogListModel::FitTextRole).toString(), QStringLiteral("Won't fit"));
        QCOMPARE(m.data(m.index(0), CatalogListModel::SizeTextRole).toString(), QStringLiteral("1.00 GB"));
        QVERIFY(m.data(m.index(0), CatalogListModel::HashKnownRole).toBool());
        QVERIFY(!m.data(m.index(1), CatalogListModel::HashKnownRole).toBool());
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.setState({QStringLiteral("big.gguf")}, {QStringLiteral("small")});
        QCOMPARE(changed.count(), 1);
        QVERIFY(m.data(m.index(1), CatalogListModel::InstalledRole).toBool());
        QVERIFY(m.data(m.index(0), CatalogListModel::DownloadingRole).toBool());
        m.setState({QStringLiteral("big.gguf")}, {QStringLiteral("small")});
        QCOMPARE(changed.count(), 1);  // nothing new, no signal
        m.setCatalog(catalog, 0);      // unknown memory: no hint rather than a wrong one
        QCOMPARE(m.data(m.index(1), CatalogListModel::FitRole).toInt(), -1);
    }

    void importCopyLoadStartModelDelete() {
        const QString modelsDir = dir_.filePath(QStringLiteral("copy-models"));
        ManagerRig rig(modelsDir);
        rig.models->start(builtInModel(), {}, {});
        QVERIFY(waitFor([&] { return rig.models->loaded(); }, 60000));
        QCOMPARE(rig.models->models()->rowCount(), 1);

        QSignalSpy imported(rig.manager.get(), &ModelManagerController::imported);
        rig.manager->importModel(QUrl::fromLocalFile(builtInModel()), true);
        QVERIFY(rig.manager->importing());
        QVERIFY(waitFor([&] { return !rig.manager->importing(); }, 60000));
        QCOMPARE(imported.count(), 1);
        const QString copy = imported.first().first().toString();
        QVERIFY2(copy.startsWith(modelsDir), qPrintable(copy));
        QCOMPARE(readFile(copy), readFile(builtInModel()));
        QCOMPARE(rig.models->models()->rowCount(), 2);
        const int row = rig.rowOf(copy);
        QVERIFY(row >= 0);
        QVERIFY(rig.models->models()->data(rig.models->models()->index(row), ModelListModel::InLibraryRole).toBool());
        QVERIFY(!rig.models->models()->data(rig.models->models()->index(row), ModelListModel::InPlaceRole).toBool());

        // Importing the same file again is refused with a notice, and nothing changes.
        rig.manager->importModel(QUrl::fromLocalFile(builtInModel()), true);
        QVERIFY(waitFor([&] { return !rig.manager->importing(); }, 60000));
        QCOMPARE(rig.notices.size(), 1);
        QCOMPARE(rig.models->models()->rowCount(), 2);

        // The copy runs in the engine, and can be made the start model.
        rig.models->loadAt(row);
        QVERIFY(waitFor([&] { return rig.models->loaded() && rig.models->currentIndex() == row; }, 60000));
        rig.models->setStartModel(copy);
        QCOMPARE(rig.library.defaultModel(), copy);
        QVERIFY(rig.models->models()->data(rig.models->models()->index(row), ModelListModel::IsStartModelRole).toBool());
        QVERIFY(!rig.models->models()->data(rig.models->models()->index(0), ModelListModel::IsStartModelRole).toBool());

        // Deleting the model in use frees the file, forgets the start choice and goes back to
        // the built-in model.
        rig.manager->remove(copy);
        QVERIFY(!QFile::exists(copy));
        QCOMPARE(rig.models->models()->rowCount(), 1);
        QVERIFY(rig.library.defaultModel().isEmpty());
        QVERIFY(waitFor([&] { return rig.models->loaded() && rig.models->currentIsDefault(); }, 60000));
    }

    void importReferenceAndForget() {
        const QString modelsDir = dir_.filePath(QStringLiteral("ref-models"));
        const QString original = dir_.filePath(QStringLiteral("elsewhere.gguf"));
        QVERIFY(QFile::copy(builtInModel(), original));
        ManagerRig rig(modelsDir);
        rig.models->start({}, {}, {});
        QSignalSpy imported(rig.manager.get(), &ModelManagerController::imported);
        rig.manager->importModel(QUrl::fromLocalFile(original), false);
        QVERIFY(waitFor([&] { return !rig.manager->importing(); }, 60000));
        QCOMPARE(imported.count(), 1);
        const int row = rig.rowOf(original);
        QVERIFY(row >= 0);
        QVERIFY(rig.models->models()->data(rig.models->models()->index(row), ModelListModel::InPlaceRole).toBool());
        QVERIFY(QDir(modelsDir).entryList({QStringLiteral("*.gguf")}, QDir::Files).isEmpty());  // nothing copied
        // The file moves away: the model stays listed, marked missing, and can be forgotten.
        QVERIFY(QFile::rename(original, original + QStringLiteral(".moved")));
        rig.models->rescan();
        const int missingRow = rig.rowOf(original);
        QVERIFY(missingRow >= 0);
        QVERIFY(rig.models->models()->data(rig.models->models()->index(missingRow), ModelListModel::MissingRole).toBool());
        QVERIFY(QFile::rename(original + QStringLiteral(".moved"), original));
        rig.manager->remove(original);
        QVERIFY(QFile::exists(original));  // forgetting never deletes the user's own file
        QCOMPARE(rig.rowOf(original), -1);
    }

    void importRejectsWhatCannotRun() {
        ManagerRig rig(dir_.filePath(QStringLiteral("bad-models")));
        rig.models->start({}, {}, {});
        const QString notGguf = dir_.filePath(QStringLiteral("notes.gguf"));
        writeFile(notGguf, "These are my notes, not a model.");
        const QString truncated = dir_.filePath(QStringLiteral("truncated.gguf"));
        writeFile(truncated, readFile(builtInModel()).left(100000));
        const int before = rig.models->models()->rowCount();  // the model used last may be listed
        for (const QString& bad : {notGguf, truncated}) {
            rig.notices.clear();
            rig.manager->importModel(QUrl::fromLocalFile(bad), true);
            QVERIFY(waitFor([&] { return !rig.manager->importing(); }, 60000));
            QCOMPARE(rig.notices.size(), 1);
            QVERIFY2(rig.notices.first().startsWith(QStringLiteral("The model could not be imported")), qPrintable(rig.notices.first()));
        }
        QCOMPARE(rig.models->models()->rowCount(), before);
        QVERIFY(QDir(rig.library.modelsDir()).entryList({QStringLiteral("*.gguf*")}, QDir::Files).isEmpty());
    }

    void downloadFromLocalServerIntoTheModelList() {
        // The built-in model, served by a real HTTP server and described by a catalog.
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served")), builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        const QByteArray& bytes = served.bytes();
        const QString catalog = served.catalogPath();
        const QString modelsDir = dir_.filePath(QStringLiteral("downloaded-models"));
        ManagerRig rig(modelsDir, catalog);
        QVERIFY2(rig.manager->catalogProblem().isEmpty(), qPrintable(rig.manager->catalogProblem()));
        rig.models->start({}, {}, {});
        rig.manager->start();
        QCOMPARE(rig.manager->catalog()->rowCount(), 1);
        rig.manager->download(QStringLiteral("story"));
        QVERIFY(rig.manager->catalog()->data(rig.manager->catalog()->index(0), CatalogListModel::DownloadingRole).toBool());
        QCOMPARE(rig.manager->downloads()->rowCount(), 1);
        const QString installed = modelsDir + QStringLiteral("/story-writer.gguf");
        QVERIFY(waitFor([&] { return rig.rowOf(installed) >= 0; }, 60000));
        QCOMPARE(readFile(installed), bytes);
        const QModelIndex row = rig.models->models()->index(rig.rowOf(installed));
        QCOMPARE(row.data(ModelListModel::NameRole).toString(), QStringLiteral("Story writer"));  // from the card
        QVERIFY(rig.manager->catalog()->data(rig.manager->catalog()->index(0), CatalogListModel::InstalledRole).toBool());
        QVERIFY(!rig.manager->catalog()->data(rig.manager->catalog()->index(0), CatalogListModel::DownloadingRole).toBool());
        QVERIFY(rig.notices.filter(QStringLiteral("Model installed")).size() == 1);
        rig.manager->dismiss(0);
        QCOMPARE(rig.manager->downloads()->rowCount(), 0);
    }

    void modelAddedByItsAddressDownloadsIntoTheModelList() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        const QString folder = dir_.filePath(QStringLiteral("served-url"));
        tern_app_test::ServedModel served(folder, builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        const QString modelsDir = dir_.filePath(QStringLiteral("url-models"));
        ManagerRig rig(modelsDir);  // no catalog: pasting an address needs none
        rig.models->start({}, {}, {});
        rig.manager->start();
        const QString url = servedUrl(served, QStringLiteral("story.gguf"));

        // Not the web, or not a file: refused with the reason as a notice, nothing listed.
        for (const QString& bad : {QStringLiteral("file:///etc/passwd"), servedUrl(served, QStringLiteral("../../etc/passwd.gguf")),
                                   servedUrl(served, QString())}) {
            rig.notices.clear();
            const QString why = rig.manager->addFromUrl(bad);
            QVERIFY2(!why.isEmpty(), qPrintable(bad));
            QCOMPARE(rig.notices, QStringList{QStringLiteral("The model cannot be added: ") + why});
        }
        QCOMPARE(rig.manager->downloads()->rowCount(), 0);
        QVERIFY(rig.withdrawn.isEmpty());

        rig.manager->downloadManager()->setRateLimit(256 * 1024);  // slow enough to paste it again meanwhile
        QCOMPARE(rig.manager->addFromUrl(QStringLiteral("  ") + url + QStringLiteral("?pasted=1  ")), QString());
        // The refusals above no longer hold: their notice goes.
        QCOMPARE(rig.withdrawn, QStringList{QStringLiteral("The model cannot be added")});
        QCOMPARE(rig.manager->downloads()->rowCount(), 1);
        QVERIFY(rig.manager->addFromUrl(url).contains(QStringLiteral("already in the downloads list")));
        QCOMPARE(rig.manager->downloads()->rowCount(), 1);
        rig.manager->downloadManager()->setRateLimit(0);

        const QString installed = modelsDir + QStringLiteral("/story.gguf");
        QVERIFY(waitFor([&] { return rig.rowOf(installed) >= 0; }, 60000));
        QCOMPARE(readFile(installed), served.bytes());
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(served.bytes(), QCryptographicHash::Sha256).toHex());
        // The row and the notice say it was checked as a model but not against a published checksum.
        const QModelIndex row = rig.manager->downloads()->index(0);
        QVERIFY(row.data(DownloadListModel::FinishedRole).toBool());
        const QString note = row.data(DownloadListModel::MessageRole).toString();
        QVERIFY2(note.contains(QStringLiteral("Not verified against a published checksum")) && note.contains(sha), qPrintable(note));
        QCOMPARE(rig.notices.filter(QStringLiteral("Model installed")).size(), 1);
        QVERIFY(rig.notices.filter(QStringLiteral("Model installed")).first().contains(QStringLiteral("not verified")));
        const QJsonObject card = QJsonDocument::fromJson(readFile(modelsDir + QStringLiteral("/story.json"))).object();
        QCOMPARE(card.value(QStringLiteral("sha256")).toString(), sha);
        QCOMPARE(card.value(QStringLiteral("source")).toString(), url + QStringLiteral("?pasted=1"));
        QCOMPARE(rig.models->models()->index(rig.rowOf(installed)).data(ModelListModel::NameRole).toString(), QStringLiteral("story"));

        // The same address again: the name is taken, so it is refused (not saved as a second copy).
        QVERIFY(rig.manager->addFromUrl(url).contains(QStringLiteral("already in the models folder")));
        QCOMPARE(QDir(modelsDir).entryList({QStringLiteral("*.gguf*")}, QDir::Files), QStringList{QStringLiteral("story.gguf")});
    }

    void modelAddedByItsAddressThatIsNoModelLeavesNothing() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        const QString folder = dir_.filePath(QStringLiteral("served-not-model"));
        tern_app_test::ServedModel served(folder, builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        // What a wrong link often gives: a web page saved under a .gguf name.
        writeFile(folder + QStringLiteral("/www/notes.gguf"), QByteArray("<html><body>Not found</body></html>\n").repeated(2000));
        const QString modelsDir = dir_.filePath(QStringLiteral("not-model-models"));
        ManagerRig rig(modelsDir);
        rig.models->start({}, {}, {});
        rig.manager->start();
        const int before = rig.models->models()->rowCount();
        QCOMPARE(rig.manager->addFromUrl(servedUrl(served, QStringLiteral("notes.gguf"))), QString());
        DownloadListModel* downloads = rig.manager->downloads();
        QVERIFY(waitFor([&] { return downloads->index(0).data(DownloadListModel::FailedRole).toBool(); }, 60000));
        const QString why = downloads->index(0).data(DownloadListModel::MessageRole).toString();
        QVERIFY2(why.contains(QStringLiteral("not a model Tern can run")) && why.contains(QStringLiteral("deleted")), qPrintable(why));
        QCOMPARE(rig.notices.filter(QStringLiteral("Download failed")).size(), 1);
        QVERIFY(downloads->index(0).data(DownloadListModel::CanRetryRole).toBool());
        QVERIFY(QDir(modelsDir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());  // no file, part or journal
        rig.models->rescan();
        QCOMPARE(rig.models->models()->rowCount(), before);
    }

    void quitMidDownloadThenResumeAtNextStart() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served-resume")), builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        const QByteArray& bytes = served.bytes();
        const QString catalog = served.catalogPath();
        const QString modelsDir = dir_.filePath(QStringLiteral("resume-models"));
        const QString part = modelsDir + QStringLiteral("/story-writer.gguf.part");
        {
            ManagerRig rig(modelsDir, catalog);
            rig.models->start({}, {}, {});
            rig.manager->start();
            rig.manager->downloadManager()->setRateLimit(256 * 1024);  // seconds for 3 MB: time to quit
            rig.manager->download(QStringLiteral("story"));
            QVERIFY(waitFor([&] { return QFileInfo(part).size() > 0; }, 20000));
        }  // the app quits mid-transfer
        QVERIFY(QFileInfo(part).size() > 0);
        QVERIFY(QFileInfo(part).size() < bytes.size());
        QVERIFY(QFile::exists(part + QStringLiteral(".json")));  // the journal

        ManagerRig again(modelsDir, catalog);  // the next start carries on by itself
        again.models->start({}, {}, {});
        again.manager->start();
        QCOMPARE(again.manager->downloads()->rowCount(), 1);
        const QString installed = modelsDir + QStringLiteral("/story-writer.gguf");
        QVERIFY(waitFor([&] { return again.rowOf(installed) >= 0; }, 60000));
        QCOMPARE(readFile(installed), bytes);
        QVERIFY(!QFile::exists(part));
    }

    void failedLoadLeavesNothingInUse() {
        // A model file cut short (a copy interrupted, a disk error): the GGUF header reads, the
        // load fails. The picker, the Models page and the status line must then agree that no
        // model is in use, and the page must say which one failed.
        const QString modelsDir = dir_.filePath(QStringLiteral("truncated-models"));
        QVERIFY(QDir().mkpath(modelsDir));
        const QByteArray whole = readFile(builtInModel());
        const QString truncated = modelsDir + QStringLiteral("/cut-short.gguf");
        writeFile(truncated, whole.left(whole.size() / 2));
        ManagerRig rig(modelsDir);
        rig.models->start(builtInModel(), {}, builtInModel());
        QVERIFY(waitFor([&] { return rig.models->loaded(); }, 60000));
        QSignalSpy notices(rig.models.get(), &ModelController::notice);
        const int row = rig.rowOf(truncated);
        QVERIFY(row >= 0);
        rig.models->loadAt(row);
        QCOMPARE(rig.models->currentIndex(), row);  // while it loads, the row is the current one
        QVERIFY(rig.models->loading());
        QVERIFY(waitFor([&] { return !rig.models->loading(); }, 60000));
        QVERIFY(!rig.models->loaded());
        QCOMPARE(rig.models->currentIndex(), -1);
        QCOMPARE(rig.models->failedIndex(), row);
        QVERIFY(!rig.models->loadError().isEmpty());
        QVERIFY(rig.models->currentName().isEmpty());
        QCOMPARE(notices.count(), 1);
        // Another model loads: the failure is history.
        rig.models->loadAt(rig.rowOf(builtInModel()));
        QVERIFY(waitFor([&] { return rig.models->loaded(); }, 60000));
        QCOMPARE(rig.models->currentIndex(), rig.rowOf(builtInModel()));
        QCOMPARE(rig.models->failedIndex(), row);  // until it is tried again, it is the one that failed
        rig.models->loadAt(row);
        QCOMPARE(rig.models->failedIndex(), -1);
        QVERIFY(waitFor([&] { return !rig.models->loading(); }, 60000));
        QCOMPARE(rig.models->failedIndex(), row);
    }

    void startModelMarkIsTheModelThatOpens() {
        // With no start model chosen, Tern opens the model used last, so that one (not the
        // built-in model) carries "opens at start".
        const QString modelsDir = dir_.filePath(QStringLiteral("start-models"));
        QVERIFY(QDir().mkpath(modelsDir));
        const QString copy = modelsDir + QStringLiteral("/second.gguf");
        QVERIFY(QFile::copy(builtInModel(), copy));
        ManagerRig rig(modelsDir);
        rig.settings.setLastModel({});
        rig.models->start(builtInModel(), {}, {});
        QVERIFY(waitFor([&] { return rig.models->loaded(); }, 60000));
        auto opensAtStart = [&](const QString& path) {
            return rig.models->models()->index(rig.rowOf(path)).data(ModelListModel::IsStartModelRole).toBool();
        };
        QVERIFY(opensAtStart(builtInModel()));
        QVERIFY(!opensAtStart(copy));
        rig.models->loadAt(rig.rowOf(copy));
        QVERIFY(waitFor([&] { return rig.models->loaded() && rig.models->currentIndex() == rig.rowOf(copy); }, 60000));
        QVERIFY(opensAtStart(copy));
        QVERIFY(!opensAtStart(builtInModel()));
        QCOMPARE(QFileInfo(rig.models->startModelPath()).canonicalFilePath(), QFileInfo(copy).canonicalFilePath());
        // Choosing the built-in model makes it the one that opens, while another is in use.
        rig.models->setStartModel({});
        QVERIFY(opensAtStart(builtInModel()));
        QVERIFY(!opensAtStart(copy));
        ManagerRig next(modelsDir);  // the next start agrees
        next.models->start(builtInModel(), {}, {});
        QCOMPARE(next.models->currentIndex(), next.rowOf(builtInModel()));
        QVERIFY(waitFor([&] { return next.models->loaded(); }, 60000));
    }

    void modelsAddedByTheToolAppearWhileRunning() {
        // tern-models writes the same library: what it adds or removes shows without a restart.
        const QString modelsDir = dir_.filePath(QStringLiteral("shared-models"));
        ManagerRig rig(modelsDir);
        rig.models->start(builtInModel(), {}, builtInModel());
        rig.manager->start();
        const int before = rig.models->models()->rowCount();
        tern::modelstore::ModelLibrary tool(modelsDir);  // another process's view of the folder
        QString error;
        tern::modelstore::InstalledModel added;
        QVERIFY2(tool.importFile(builtInModel(), tern::modelstore::ModelLibrary::ImportMode::Copy, &error, &added), qPrintable(error));
        QVERIFY(waitFor([&] { return rig.rowOf(added.path) >= 0; }, 10000));
        QCOMPARE(rig.models->models()->rowCount(), before + 1);
        QVERIFY(tool.remove(added.path, &error));
        QVERIFY(waitFor([&] { return rig.rowOf(added.path) < 0; }, 10000));
        QCOMPARE(rig.models->models()->rowCount(), before);
    }

    void failedDownloadWithNothingKeptStartsAgain() {
        // A checksum mismatch deletes the file: "Resume" would promise bytes that are gone, and
        // the catalog card must not sit on a disabled "Downloading…".
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served-bad-hash")), builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        breakCatalogChecksum(served.catalogPath());
        const QString modelsDir = dir_.filePath(QStringLiteral("bad-hash-models"));
        ManagerRig rig(modelsDir, served.catalogPath());
        rig.models->start({}, {}, {});
        rig.manager->start();
        rig.manager->download(QStringLiteral("story"));
        DownloadListModel* downloads = rig.manager->downloads();
        QVERIFY(waitFor([&] { return downloads->index(0).data(DownloadListModel::FailedRole).toBool(); }, 60000));
        QVERIFY(!QFile::exists(modelsDir + QStringLiteral("/story-writer.gguf.part")));
        QVERIFY(!downloads->index(0).data(DownloadListModel::CanResumeRole).toBool());
        QVERIFY(downloads->index(0).data(DownloadListModel::CanRetryRole).toBool());
        QVERIFY(!downloads->index(0).data(DownloadListModel::KeptRole).toBool());
        const QModelIndex card = rig.manager->catalog()->index(0);
        QVERIFY(!card.data(CatalogListModel::DownloadingRole).toBool());
        QVERIFY(card.data(CatalogListModel::FailedRole).toBool());
        QVERIFY(!card.data(CatalogListModel::InstalledRole).toBool());
        // The card's button takes it up again: the same row, from the start.
        rig.manager->download(QStringLiteral("story"));
        QCOMPARE(downloads->rowCount(), 1);
        QVERIFY(!card.data(CatalogListModel::FailedRole).toBool());
        QVERIFY(card.data(CatalogListModel::DownloadingRole).toBool());
        QVERIFY(waitFor([&] { return downloads->index(0).data(DownloadListModel::FailedRole).toBool(); }, 60000));
    }

    void pausedDownloadCanBeResumedFromItsCard() {
        if (!TERN_TEST_HAVE_BUSYBOX) QSKIP("no busybox here for the test's HTTP server (see the configure warning)");
        tern_app_test::ServedModel served(dir_.filePath(QStringLiteral("served-paused")), builtInModel());
        QString error;
        QVERIFY2(served.start(&error), qPrintable(error));
        const QString modelsDir = dir_.filePath(QStringLiteral("paused-models"));
        ManagerRig rig(modelsDir, served.catalogPath());
        rig.models->start({}, {}, {});
        rig.manager->start();
        rig.manager->downloadManager()->setRateLimit(256 * 1024);
        rig.manager->download(QStringLiteral("story"));
        const QString part = modelsDir + QStringLiteral("/story-writer.gguf.part");
        QVERIFY(waitFor([&] { return QFileInfo(part).size() > 0; }, 20000));
        rig.manager->pause(0);
        const QModelIndex card = rig.manager->catalog()->index(0);
        QVERIFY(waitFor([&] { return card.data(CatalogListModel::PausedRole).toBool(); }));
        QVERIFY(!card.data(CatalogListModel::DownloadingRole).toBool());
        QVERIFY(rig.manager->downloads()->index(0).data(DownloadListModel::CanResumeRole).toBool());
        QVERIFY(!rig.manager->downloads()->index(0).data(DownloadListModel::CanRetryRole).toBool());
        rig.manager->downloadManager()->setRateLimit(0);
        rig.manager->download(QStringLiteral("story"));  // the card's Resume
        QVERIFY(waitFor([&] { return rig.rowOf(modelsDir + QStringLiteral("/story-writer.gguf")) >= 0; }, 60000));
    }
};

QTEST_GUILESS_MAIN(TestModelManager)
#include "tst_model_manager.moc"
