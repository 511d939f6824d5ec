// brokersim-gui: opens a scenario (runs it in a child process) or a saved trace and replays it.
//
//   brokersim-gui [SCENARIO.yaml | TRACE.bstrace] [--brokersim PATH] [--at SECONDS]
//                 [--teach REQUEST,HOP]
//   brokersim-gui TRACE --bench FRAMES      draws FRAMES frames of the busiest request, prints fps
#include "main_window.hpp"
#include "network_view.hpp"
#include "teaching_panel.hpp"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

namespace {

int run_bench(brokersim::gui::MainWindow& window, int frames)
{
    const auto result = window.bench(frames);
    const auto& run = *window.run();
    std::printf("scenario %s: %llu nodes, %zu records, %zu flights\n",
                run.header().scenario_name.c_str(),
                static_cast<unsigned long long>(run.header().node_count), run.records().size(),
                run.flights().size());
    std::printf("window %dx%d, map view %dx%d, simulated %.6f s to %.6f s\n", window.width(),
                window.height(), window.network_view()->viewport()->width(),
                window.network_view()->viewport()->height(), result.from_s, result.to_s);
    std::printf("%d frames in %.3f s: %.1f frames/s; messages in the air per frame: mean %.0f, "
                "max %zu\n",
                result.frames, result.wall_s, result.frames / std::max(result.wall_s, 1e-9),
                result.mean_flights, result.max_flights);
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("brokersim");
    QApplication::setApplicationName("brokersim-gui");
    QApplication::setApplicationVersion("0.1.0");

    QCommandLineParser parser;
    parser.setApplicationDescription(
        "Replays brokersim runs: a scenario (run in the background) or a saved trace.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument("file", "A scenario (.yaml) to run, or a trace (.bstrace)");
    const QCommandLineOption brokersim("brokersim", "The brokersim executable to run scenarios",
                                       "path");
    const QCommandLineOption at("at", "Start at this simulated time", "seconds");
    const QCommandLineOption bench("bench",
                                   "Draw this many frames of the busiest request and "
                                   "print the frame rate (needs a trace)",
                                   "frames");
    const QCommandLineOption teach("teach",
                                   "Open teaching mode on this request at this hop "
                                   "(both counted from 0)",
                                   "request,hop");
    parser.addOptions({brokersim, at, teach, bench});
    parser.process(app);

    brokersim::gui::MainWindow window;
    if (parser.isSet(brokersim))
        window.launcher().set_program(parser.value(brokersim));
    window.show();

    if (parser.isSet(at))
        QObject::connect(&window, &brokersim::gui::MainWindow::runLoaded, &window,
                         [&window, t = parser.value(at).toDouble()] { window.seek(t); });

    if (parser.isSet(teach)) {
        const auto parts = parser.value(teach).split(',');
        QObject::connect(&window, &brokersim::gui::MainWindow::runLoaded, &window,
                         [&window, request = parts.value(0).toInt(), hop = parts.value(1).toInt()] {
                             window.teaching_panel()->choose_request(request);
                             window.teaching_panel()->go_to_step(hop);
                         });
    }

    const auto files = parser.positionalArguments();
    if (!files.isEmpty()) {
        const auto& file = files.front();
        const auto suffix = QFileInfo(file).suffix().toLower();
        if (suffix == "yaml" || suffix == "yml") {
            window.open_scenario(file);
        } else {
            QString error;
            if (!window.open_trace(file, &error)) {
                std::fprintf(stderr, "brokersim-gui: %s\n", qPrintable(error));
                return 1;
            }
        }
    }

    if (parser.isSet(bench)) {
        if (!window.run()) {
            std::fprintf(stderr, "brokersim-gui: --bench needs a trace file\n");
            return 2;
        }
        QApplication::processEvents();
        return run_bench(window, parser.value(bench).toInt());
    }
    return QApplication::exec();
}
