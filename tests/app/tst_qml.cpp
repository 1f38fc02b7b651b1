// Qt Quick Test runner for the QML components. They are loaded from the TernUi module exactly
// as the app ships them (static plugins, qrc:/ import path).
#include <QQmlEngine>
#include <QQuickStyle>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtQml/QQmlExtensionPlugin>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(TernCorePlugin)
Q_IMPORT_QML_PLUGIN(TernUiPlugin)

class Setup : public QObject {
    Q_OBJECT
    QTemporaryDir settingsDir_;
public slots:
    void applicationAvailable() {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        // The Theme writes the user's choice to QSettings: keep it away from the real one.
        QCoreApplication::setOrganizationName(QStringLiteral("TernTests"));
        QStandardPaths::setTestModeEnabled(true);
        // Qt 6.4's test mode still shares ~/.qttest/config between runs: use a folder of our own.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir_.path());
    }
    void qmlEngineAvailable(QQmlEngine* engine) { engine->addImportPath(QStringLiteral("qrc:/")); }
};

QUICK_TEST_MAIN_WITH_SETUP(tern_components, Setup)
#include "tst_qml.moc"
