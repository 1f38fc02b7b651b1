// tern-models: the model store from the command line (list, pull, import, remove), with the
// same code and the same models folder as the app's Models page.
#include "app/modelstore/catalog.h"
#include "app/modelstore/download_manager.h"
#include "app/modelstore/model_library.h"
#include "app/modelstore/progress_line.h"
#include "app/modelstore/system_memory.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <functional>

#ifdef Q_OS_UNIX
#include <QSocketNotifier>
#include <unistd.h>
#endif

using namespace tern::modelstore;

namespace {

enum Exit { Ok = 0, Error = 1, Usage = 2, DiskProblem = 3, Interrupted = 130 };

const char* kUsage =
    "Usage: tern-models [--models-dir DIR] [--catalog FILE] COMMAND\n"
    "\n"
    "Commands:\n"
    "  list                       catalog models (size, RAM fit, installed) and installed models\n"
    "  pull ID|URL                download a catalog model, or any GGUF URL; resumes a stopped download\n"
    "       [--sha256 H] [--output NAME] [--limit-rate N[k|M]]\n"
    "  import FILE [--reference]  add a local GGUF (copied; --reference: used where it lies)\n"
    "  remove ID                  delete a model (a referenced one is only forgotten)\n"
    "\n"
    "Options:\n"
    "  --models-dir DIR           models folder (default: the app's, %1)\n"
    "  --catalog FILE             catalog to use instead of the bundled one\n"
    "  --version, --help\n"
    "\n"
    "Exit codes: 0 ok, 1 error, 2 usage, 3 paused by a disk or write error, 130 interrupted.\n";

void err(const QString& s) {
    std::fputs(qPrintable(s), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}
void out(const QString& s) {
    std::fputs(qPrintable(s), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// SIGINT/SIGTERM pause a pull (and stop an import). A handler may only set a flag and, on Unix,
// write a byte to a pipe that the event loop watches (the self-pipe trick); the pause itself
// happens on the event loop. Windows has no such pipe: there the loop polls the flag.
volatile std::sig_atomic_t interrupted = 0;
#ifdef Q_OS_UNIX
int sigPipe[2] = {-1, -1};
void onSignal(int sig) {
    interrupted = 1;
    const char c = static_cast<char>(sig);
    [[maybe_unused]] ssize_t n = ::write(sigPipe[1], &c, 1);
}
#else
void onSignal(int sig) {
    interrupted = 1;
    std::signal(sig, onSignal);  // the Windows CRT resets the handler once it ran
}
#endif

bool installSignalHandlers() {
#ifdef Q_OS_UNIX
    if (::pipe(sigPipe) != 0) return false;
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    return sigaction(SIGINT, &sa, nullptr) == 0 && sigaction(SIGTERM, &sa, nullptr) == 0;
#else
    return std::signal(SIGINT, onSignal) != SIG_ERR && std::signal(SIGTERM, onSignal) != SIG_ERR;
#endif
}

// Runs fn on the event loop (owned by ctx) when SIGINT/SIGTERM arrives.
void onInterrupt(QObject* ctx, const std::function<void()>& fn) {
#ifdef Q_OS_UNIX
    auto* sn = new QSocketNotifier(sigPipe[0], QSocketNotifier::Read, ctx);
    QObject::connect(sn, &QSocketNotifier::activated, ctx, [fn] {
        char c;
        [[maybe_unused]] ssize_t n = ::read(sigPipe[0], &c, 1);
        fn();
    });
#else
    auto* t = new QTimer(ctx);
    QObject::connect(t, &QTimer::timeout, ctx, [fn] {
        if (!interrupted) return;
        interrupted = 0;
        fn();
    });
    t->start(100);
#endif
}

bool loadCatalog(const QString& given, Catalog* c, bool required) {
    const QString path = given.isEmpty() ? Catalog::bundledPath() : given;
    if (path.isEmpty()) {
        if (required) err(QStringLiteral("No catalog found; give one with --catalog FILE"));
        return false;
    }
    QString why;
    if (!Catalog::load(path, c, &why)) {
        err(why);
        return false;
    }
    return true;
}

int list(const QString& dir, const QString& catalogPath) {
    // Columns are padded pieces joined together (not chained arg() calls, which would substitute
    // a "%1" that happens to be in a model's name).
    int rc = Ok;
    Catalog catalog;
    const QString path = catalogPath.isEmpty() ? Catalog::bundledPath() : catalogPath;
    const qint64 ram = totalPhysicalMemory();
    if (path.isEmpty()) {
        out(QStringLiteral("No catalog found; give one with --catalog FILE."));
    } else if (!loadCatalog(path, &catalog, true)) {
        rc = Error;
    } else {
        out(QStringLiteral("Catalog (this computer has %1 of RAM):").arg(ram > 0 ? formatBytes(ram) : QStringLiteral("an unknown amount")));
        if (catalog.entries.isEmpty()) out(QStringLiteral("  (none)"));
        for (const CatalogEntry& e : catalog.entries) {
            const QString file = QDir(dir).filePath(e.fileName);
            QString line = QStringLiteral("  ") + e.id.leftJustified(30) + QLatin1Char(' ') +
                           (e.sizeBytes > 0 ? formatBytes(e.sizeBytes) : QStringLiteral("size ?")).rightJustified(9) +
                           QStringLiteral("  ") + e.name;
            if (e.ramBytes > 0) {
                line += QStringLiteral(", needs ") + formatBytes(e.ramBytes) + QStringLiteral(" RAM");
                if (ram > 0) line += QStringLiteral(": ") + fitLabel(fitFor(e.ramBytes, ram));
            }
            if (QFileInfo::exists(file)) line += QStringLiteral("  [installed]");
            else if (QFileInfo::exists(file + QStringLiteral(".part"))) line += QStringLiteral("  [partly downloaded]");
            out(line);
        }
    }
    ModelLibrary lib(dir);
    const QVector<InstalledModel> installed = lib.list();
    const QString def = lib.defaultModel();
    out(QStringLiteral("Installed in %1:").arg(QDir::toNativeSeparators(dir)));
    if (installed.isEmpty()) out(QStringLiteral("  (none)"));
    for (const InstalledModel& m : installed) {
        QString line = QStringLiteral("  ") + m.id.leftJustified(30) + QLatin1Char(' ') + formatBytes(m.sizeBytes).rightJustified(9) +
                       QStringLiteral("  ") + QDir::toNativeSeparators(m.path);
        if (m.inPlace) line += QStringLiteral("  [referenced]");
        if (m.missing) line += QStringLiteral("  [file missing]");
        if (m.path == def) line += QStringLiteral("  [default]");
        out(line);
    }
    return rc;
}

int pull(QCoreApplication& app, const QString& dir, const QString& catalogPath, const QString& what,
         const QCommandLineParser& p) {
    DownloadSpec spec;
    const QUrl asUrl(what, QUrl::StrictMode);
    if (what.contains(QLatin1String("://"))) {
        if (!asUrl.isValid() || (asUrl.scheme() != QLatin1String("https") && asUrl.scheme() != QLatin1String("http")) ||
            asUrl.host().isEmpty()) {
            err(QStringLiteral("Not an http(s) address: %1").arg(what));
            return Usage;
        }
        spec.url = asUrl;
        spec.fileName = p.isSet(QStringLiteral("output")) ? p.value(QStringLiteral("output")) : asUrl.fileName();
        spec.id = spec.fileName;
        spec.card = QJsonObject{{QStringLiteral("name"), QFileInfo(spec.fileName).completeBaseName()}};
    } else {
        Catalog catalog;
        if (!loadCatalog(catalogPath, &catalog, true)) return Error;
        const CatalogEntry* e = catalog.find(what);
        if (!e) {
            err(QStringLiteral("No model %1 in the catalog (see: tern-models list)").arg(what));
            return Error;
        }
        spec = DownloadSpec{e->id, e->url, e->fileName, e->sha256, e->sizeBytes,
                            QJsonObject{{QStringLiteral("name"), e->name},
                                        {QStringLiteral("description"), e->description},
                                        {QStringLiteral("license"), e->license},
                                        {QStringLiteral("homepage"), e->homepage},
                                        {QStringLiteral("recommended"), e->recommended}}};
        if (p.isSet(QStringLiteral("output"))) spec.fileName = p.value(QStringLiteral("output"));
    }
    if (p.isSet(QStringLiteral("sha256"))) {
        spec.sha256 = p.value(QStringLiteral("sha256")).trimmed().toLower();
        if (!isSha256Hex(spec.sha256)) {
            err(QStringLiteral("--sha256 wants 64 hex digits"));
            return Usage;
        }
    }
    if (spec.fileName.isEmpty() || spec.fileName.contains(QLatin1Char('/')) || spec.fileName.startsWith(QLatin1Char('.'))) {
        err(QStringLiteral("Cannot tell the file name from %1; give one with --output NAME").arg(what));
        return Usage;
    }
    qint64 rate = 0;
    if (p.isSet(QStringLiteral("limit-rate"))) {
        rate = parseRate(p.value(QStringLiteral("limit-rate")));
        if (rate < 0) {
            err(QStringLiteral("--limit-rate wants a number of bytes per second, e.g. 500k or 2M"));
            return Usage;
        }
    }
    const QString final = QDir(dir).filePath(spec.fileName);
    if (QFileInfo::exists(final)) {
        out(QStringLiteral("%1 is already installed: %2").arg(spec.id, QDir::toNativeSeparators(final)));
        return Ok;
    }

    DownloadManager manager(dir);
    manager.setRateLimit(rate);
    Download* d = manager.add(spec);
    if (d->received() > 0) err(QStringLiteral("Resuming %1 from %2 bytes").arg(spec.fileName, QString::number(d->received())));
    else err(QStringLiteral("Downloading %1 from %2").arg(spec.fileName, spec.url.toString()));

    bool lineOpen = false;
    auto endLine = [&] {
        if (lineOpen) std::fputc('\n', stderr);
        lineOpen = false;
    };
    QObject::connect(d, &Download::progressChanged, &app, [&] {
        if (d->status() != DownloadStatus::Downloading) return;
        const QString line = progressLine(d->received(), d->total(), d->rate(), d->secondsLeft());
        std::fprintf(stderr, "\r%-72s", qPrintable(line));
        std::fflush(stderr);
        lineOpen = true;
    });
    QObject::connect(d, &Download::statusChanged, &app, [&] {
        switch (d->status()) {
        case DownloadStatus::Retrying:
            endLine();
            err(d->message());
            break;
        case DownloadStatus::Done:
            endLine();
            out(QStringLiteral("Installed %1 (%2, SHA-256 %3; %4 bytes fetched this run)")
                    .arg(QDir::toNativeSeparators(d->finalPath()), formatBytes(d->received()), d->sha256(),
                         QString::number(d->bytesFetched())));
            app.exit(Ok);
            break;
        case DownloadStatus::Failed:
            endLine();
            err(d->message());
            app.exit(Error);
            break;
        case DownloadStatus::Paused:
            endLine();
            if (d->pausedByError()) {
                err(d->message());
                app.exit(DiskProblem);
            } else {
                err(QStringLiteral("Paused at %1; run the same command again to resume.").arg(formatBytes(d->received())));
                app.exit(Interrupted);
            }
            break;
        default:
            break;
        }
    });

    QObject signalContext;
    onInterrupt(&signalContext, [&] {
        if (d->isActive() || d->status() == DownloadStatus::Queued) d->pause();  // -> Paused -> exit 130
        else app.exit(Interrupted);
    });
    // A download that ended synchronously (e.g. verified a complete .part) already called exit()
    // before the loop ran; handle it here.
    switch (d->status()) {
    case DownloadStatus::Done: return Ok;
    case DownloadStatus::Failed: err(d->message()); return Error;
    case DownloadStatus::Paused: err(d->message()); return d->pausedByError() ? DiskProblem : Interrupted;
    default: break;
    }
    return app.exec();
}

int import(const QString& dir, const QString& file, bool reference) {
    ModelLibrary lib(dir);
    QString why;
    InstalledModel m;
    bool lineOpen = false;
    const bool ok = lib.importFile(file, reference ? ModelLibrary::ImportMode::Reference : ModelLibrary::ImportMode::Copy,
                                   &why, &m, [&](qint64 done, qint64 total) {
                                       std::fprintf(stderr, "\rCopying %-60s", qPrintable(progressLine(done, total, 0, -1)));
                                       lineOpen = true;
                                       return !interrupted;  // Ctrl+C: the copy stops, its .part is removed
                                   });
    if (lineOpen) std::fputc('\n', stderr);
    if (!ok) {
        err(why);
        return interrupted ? Interrupted : Error;
    }
    out(QStringLiteral("%1 %2 as %3 (%4)")
            .arg(reference ? QStringLiteral("Referenced") : QStringLiteral("Imported"), QDir::toNativeSeparators(m.path), m.id,
                 formatBytes(m.sizeBytes)));
    return Ok;
}

int removeModel(const QString& dir, const QString& id) {
    ModelLibrary lib(dir);
    QString why;
    if (!lib.remove(id, &why)) {
        err(why);
        return Error;
    }
    out(QStringLiteral("Removed %1").arg(id));
    return Ok;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef SIGXFSZ
    // Under a file-size limit a write must fail with EFBIG (and pause the download with a
    // message), not kill the process with SIGXFSZ.
    std::signal(SIGXFSZ, SIG_IGN);
#endif
    QCoreApplication app(argc, argv);
    // The app's identity, so that the default models folder is the app's.
    QCoreApplication::setOrganizationName(QStringLiteral("Tern"));
    QCoreApplication::setApplicationName(QStringLiteral("Tern"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TERN_VERSION));

    QCommandLineParser p;
    p.addOptions({{QStringLiteral("models-dir"), QStringLiteral("Models folder."), QStringLiteral("DIR")},
                  {QStringLiteral("catalog"), QStringLiteral("Catalog file."), QStringLiteral("FILE")},
                  {QStringLiteral("sha256"), QStringLiteral("Expected SHA-256."), QStringLiteral("H")},
                  {QStringLiteral("output"), QStringLiteral("File name."), QStringLiteral("NAME")},
                  {QStringLiteral("limit-rate"), QStringLiteral("Bytes per second."), QStringLiteral("N")},
                  {QStringLiteral("reference"), QStringLiteral("Reference in place.")},
                  {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Help.")},
                  {QStringLiteral("version"), QStringLiteral("Version.")}});
    const QString usage = QString::fromLatin1(kUsage).arg(QDir::toNativeSeparators(ModelLibrary::defaultModelsDir()));
    if (!p.parse(app.arguments())) {
        err(p.errorText());
        err(usage);
        return Usage;
    }
    if (p.isSet(QStringLiteral("version"))) {
        out(QStringLiteral("tern-models %1").arg(QStringLiteral(TERN_VERSION)));
        return Ok;
    }
    if (p.isSet(QStringLiteral("help"))) {
        std::fputs(qPrintable(usage), stdout);
        return Ok;
    }
    const QStringList args = p.positionalArguments();
    const QString cmd = args.value(0);
    const QString dir = p.isSet(QStringLiteral("models-dir")) ? QDir(p.value(QStringLiteral("models-dir"))).absolutePath()
                                                              : ModelLibrary::defaultModelsDir();
    const QString catalog = p.value(QStringLiteral("catalog"));
    auto wants = [&](int n) {
        if (args.size() == n + 1) return true;
        err(QStringLiteral("%1 takes %2 argument%3\n").arg(cmd, QString::number(n), n == 1 ? QString() : QStringLiteral("s")) + usage);
        return false;
    };
    if (cmd == QLatin1String("list")) return wants(0) ? list(dir, catalog) : Usage;
    if ((cmd == QLatin1String("import") || cmd == QLatin1String("pull")) && !installSignalHandlers()) {
        err(QStringLiteral("Cannot set up signal handling"));
        return Error;
    }
    if (cmd == QLatin1String("import")) return wants(1) ? import(dir, args[1], p.isSet(QStringLiteral("reference"))) : Usage;
    if (cmd == QLatin1String("remove")) return wants(1) ? removeModel(dir, args[1]) : Usage;
    if (cmd == QLatin1String("pull")) {
        if (!wants(1)) return Usage;
        return pull(app, dir, catalog, args[1], p);
    }
    err(cmd.isEmpty() ? usage : QStringLiteral("Unknown command %1\n").arg(cmd) + usage);
    return Usage;
}
