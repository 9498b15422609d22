// vigil: the desktop console (default) and the headless engine (--headless).

#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QLocale>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QSettings>
#include <QTranslator>
#include <cstdio>
#include <memory>

#include "app/vigil/command_line.h"
#include "app/vigil/render_command.h"
#include "app/vigil/unix_signals.h"
#include "core/engine/engine.h"
#include "core/engine/engine_options_loader.h"
#include "core/notify/receivers/desktop_notifications.h"
#include "core/util/log_output.h"
#include "ui/shell/event_loop_lag_probe.h"
#include "ui/shell/main_window.h"
#include "ui/shell/tray_icon.h"
#include "vigil/version.h"

Q_LOGGING_CATEGORY(lcApp, "vigil.app")

namespace {

// Prints a start-up error; in the GUI also shows it, unless the platform has
// no screen for a dialog (offscreen, minimal) where it would only block.
void reportFatal(const QString& message, bool gui) {
    std::fprintf(stderr, "vigil: %s\n", qPrintable(message));
    if (gui) {
        const QString platform = QGuiApplication::platformName();
        if (platform != QLatin1String("offscreen") && platform != QLatin1String("minimal")) {
            QMessageBox::critical(nullptr, QObject::tr("Vigil cannot start"), message);
        }
    }
}

void configureApplication() {
    QCoreApplication::setApplicationName(QStringLiteral("vigil"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(vigil::kVersion));
}

}  // namespace

int main(int argc, char** argv) {
    if (vigil::app::isRenderCommand(argc, argv))
        return vigil::app::runRenderCommand(argc, argv);
    const bool noDisplayNeeded = vigil::app::wantsNoDisplay(argc, argv);
    if (!noDisplayNeeded && !vigil::app::displayAvailable()) {
        std::fprintf(
            stderr,
            "vigil: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "  To run the engine without a window:  vigil --headless\n"
            "  To run the GUI on a virtual display: xvfb-run vigil   (or: xvfb-run make run)\n");
        return 2;
    }

    std::unique_ptr<QCoreApplication> app;
    if (noDisplayNeeded) {
        app = std::make_unique<QCoreApplication>(argc, argv);
    } else {
        app = std::make_unique<QApplication>(argc, argv);
    }
    configureApplication();
    const vigil::app::VigilOptions options = vigil::app::parseVigilCommandLine();
    const bool gui = !options.headless;

    auto loaded = vigil::engine::loadEngineOptions(
        vigil::engine::AppPaths::resolve(options.configFile, options.dataDir), options.listen);
    if (!loaded) {
        reportFatal(QString::fromStdString(loaded.status().message()), gui);
        return 1;
    }
    vigil::installLogOutput(loaded->options.config.logLevel);
    if (loaded->wroteDefaultConfig) {
        qCInfo(lcApp).noquote() << "first run: wrote the default configuration to"
                                << loaded->options.configFile;
    }
    for (const auto& warning : loaded->warnings)
        qCWarning(lcApp).noquote() << QString::fromStdString(warning);

    vigil::engine::Engine engine(std::move(loaded->options));
    if (vigil::Status started = engine.start(); !started.isOk()) {
        reportFatal(QString::fromStdString(started.message()), gui);
        return 1;
    }

    vigil::app::UnixSignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &vigil::app::UnixSignalWatcher::terminationRequested,
                     app.get(), [](int signal) {
                         qCInfo(lcApp) << "received signal" << signal << "- shutting down";
                         QCoreApplication::quit();
                     });

    int exitCode = 0;
    if (!gui) {
        qCInfo(lcApp) << "running headless; stop with SIGINT or SIGTERM";
        exitCode = app->exec();
    } else {
        QTranslator translator;
        if (translator.load(QLocale(), QStringLiteral("vigil"), QStringLiteral("_"),
                            QStringLiteral(":/i18n"))) {
            QCoreApplication::installTranslator(&translator);
        }
        QApplication::setQuitOnLastWindowClosed(false);  // the tray may keep Vigil alive
        QSettings settings(QDir(engine.dataDir()).filePath(QStringLiteral("ui.ini")),
                           QSettings::IniFormat);
        vigil::ui::EventLoopLagProbe lagProbe(engine.metrics());
        vigil::ui::MainWindow window(engine, settings);
        vigil::ui::TrayIcon tray(&window);
        if (vigil::ui::TrayIcon::available()) {
            window.setTrayIcon(&tray);
        } else {
            qCInfo(lcApp) << "no system tray is available: closing the window quits Vigil";
        }
        // Alerts for desktop_configs receivers pop up from the tray.
        std::uint64_t desktopSubscription = 0;
        if (auto* hub = engine.desktopNotifications())
            desktopSubscription =
                hub->subscribe([&tray](const vigil::notify::receivers::DesktopNotification& n) {
                    const QString title = QString::fromStdString(n.title);
                    const QString body = QString::fromStdString(n.body);
                    const bool firing = n.firing;
                    QMetaObject::invokeMethod(
                        &tray, [&tray, title, body, firing] { tray.notify(title, body, firing); },
                        Qt::QueuedConnection);
                });
        window.show();
        exitCode = app->exec();
        if (auto* hub = engine.desktopNotifications())
            hub->unsubscribe(desktopSubscription);
        window.saveState();
    }
    engine.stop();
    return exitCode;
}
