// doctest's runner inside a QApplication: widgets need one, and QSignalSpy::wait needs its
// event loop. Settings go to a throwaway location, never the user's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <QApplication>
#include <QStandardPaths>

int main(int argc, char** argv)
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName("brokersim-test");
    QApplication::setApplicationName("brokersim-gui-test");
    doctest::Context context(argc, argv);
    return context.run();
}
