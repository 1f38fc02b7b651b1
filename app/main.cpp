// tern: the desktop chat app. Everything is built by TernApplication; main() only handles the
// command line and the optional --screenshot hook used for visual checks.
#include "app/chat_controller.h"
#include "app/model_controller.h"
#include "app/tern_application.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QIcon>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

// The command line's help text is read by people: translated, in the context "CommandLine".
struct Options {
    Q_DECLARE_TR_FUNCTIONS(CommandLine)
public:
    QCommandLineOption model{{QStringLiteral("m"), QStringLiteral("model")}, tr("Load this GGUF model."), tr("FILE")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  tr("Save a picture of the window once the model is loaded, then quit."), tr("PNG")};
    QCommandLineOption threads{{QStringLiteral("t"), QStringLiteral("threads")}, tr("Inference threads (default: all)."), tr("N")};
};

Options describe(QCommandLineParser& cli) {
    Options o;
    cli.setApplicationDescription(Options::tr("Chat with ternary (1.58-bit) language models, offline."));
    cli.addHelpOption();
    cli.addOption(QCommandLineOption(QStringLiteral("version"), Options::tr("Print the version and quit.")));
    cli.addOptions({o.model, o.screenshot, o.threads});
    return o;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef SIGXFSZ
    // Under a file-size limit (RLIMIT_FSIZE) a write must fail with EFBIG, which the history
    // store reports like a full disk, rather than kill the app with SIGXFSZ.
    std::signal(SIGXFSZ, SIG_IGN);
#endif
    QElapsedTimer sinceLaunch;
    sinceLaunch.start();
    // --version must work without a display (scripts, packaging checks), so answer it before
    // the GUI application connects to one.
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("tern %s\n", TERN_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            QCoreApplication noGui(argc, argv);
            QCommandLineParser cli;
            describe(cli);
            cli.process(noGui);  // prints the help and exits
        }
    }
    QGuiApplication app(argc, argv);
    tern::app::TernApplication::setIdentity();
    QGuiApplication::setDesktopFileName(QStringLiteral("tern"));
    // Window icon, from the resource packaging/Packaging.cmake links in (title bar, X11 switchers).
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256}) icon.addFile(QStringLiteral(":/tern/icons/%1x%1/apps/tern.png").arg(size));
    QGuiApplication::setWindowIcon(icon);

    QCommandLineParser cli;
    const Options opt = describe(cli);
    cli.process(app);

    // The Basic style takes our palette everywhere, so light and dark look the same on every OS.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE")) QQuickStyle::setStyle(QStringLiteral("Basic"));

    tern::app::AppOptions options;
    options.modelPath = cli.value(opt.model);
    options.worker.threads = cli.value(opt.threads).toInt();
    tern::app::TernApplication tern(options);
    if (!tern.start()) {
        std::fprintf(stderr, "tern: the user interface could not be loaded; the installation is incomplete\n");
        return 1;
    }
    if (qEnvironmentVariableIsSet("TERN_TIMING")) std::fprintf(stderr, "tern: window created after %lld ms\n", (long long)sinceLaunch.elapsed());
    if (QQuickWindow* w = tern.window())
        QObject::connect(w, &QQuickWindow::frameSwapped, &app, [&sinceLaunch] {
            static bool once = false;
            if (!once && qEnvironmentVariableIsSet("TERN_TIMING")) std::fprintf(stderr, "tern: first frame after %lld ms\n", (long long)sinceLaunch.elapsed());
            once = true;
        });

    if (cli.isSet(opt.screenshot)) {
        const QString file = cli.value(opt.screenshot);
        auto grab = [&tern, file] {
            if (QQuickWindow* w = tern.window()) w->grabWindow().save(file);
            QGuiApplication::quit();
        };
        QObject::connect(tern.models(), &tern::app::ModelController::stateChanged, &app, [&tern, grab] {
            if (!tern.models()->loading()) QTimer::singleShot(500, grab);
        });
        QTimer::singleShot(15000, grab);  // no model at all: picture the error state
    }
    return app.exec();
}
