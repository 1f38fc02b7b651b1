// Catch2 with a QCoreApplication: downloads need an event loop (the tests spin it while waiting).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QStandardPaths>
#include <csignal>

int main(int argc, char** argv) {
    // Never the user's real folders (QStandardPaths points at ~/.qttest instead).
    QStandardPaths::setTestModeEnabled(true);
#ifdef SIGPIPE
    std::signal(SIGPIPE, SIG_IGN);  // a server killed mid-write must not kill the test
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("TernTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tern-models-tests"));
    return Catch::Session().run(argc, argv);
}
