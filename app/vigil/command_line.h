#pragma once

#include <QString>
#include <QStringList>

namespace vigil::app {

struct VigilOptions {
    bool headless = false;
    QString configFile;  // empty: the XDG default
    QString dataDir;     // empty: the XDG default
    QString listen;      // empty: from vigil.yml
};

// True when argv asks for something that needs no display: --headless,
// --help, --version. Decides between QCoreApplication and QApplication
// before either exists.
bool wantsNoDisplay(int argc, char** argv);

// True when a GUI could connect to a display (X11, Wayland, or a platform
// chosen explicitly with QT_QPA_PLATFORM such as offscreen).
bool displayAvailable();

// Parses the command line of the running QCoreApplication. --help and
// --version print and exit(0); bad options print and exit(2).
VigilOptions parseVigilCommandLine();

}  // namespace vigil::app
