// Runner of the app's Catch2 tests. A QGuiApplication exists for the whole run (the store,
// the worker's queued signals and QTextDocument need one); offscreen, so no display is needed.
// `unit_main --child-stream DB MODEL` is the child process of the crash-safety test.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "app_test_support.h"

#include <QGuiApplication>
#include <cstring>

int runStreamingChild(const char* db, const char* model);  // test_crash.cpp

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("TernTests"));
    QGuiApplication::setApplicationName(QStringLiteral("tern-app-unit"));
    tern_app_test::isolateUserFolders();
    if (argc == 4 && std::strcmp(argv[1], "--child-stream") == 0) return runStreamingChild(argv[2], argv[3]);
    return Catch::Session().run(argc, argv);
}
