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
#include <string_view>

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

// The options, for the application and for the help text alone.
struct Options
{
    QCommandLineOption brokersim{"brokersim", "The brokersim executable to run scenarios", "path"};
    QCommandLineOption at{"at", "Start at this simulated time", "seconds"};
    QCommandLineOption bench{"bench",
                             "Draw this many frames of the busiest request and print the frame "
                             "rate (needs a trace)",
                             "frames"};
    QCommandLineOption teach{"teach",
                             "Open teaching mode on this request at this hop (both counted from "
                             "0)",
                             "request,hop"};

    void add_to(QCommandLineParser& parser) const
    {
        parser.setApplicationDescription(
            "Replays brokersim runs: a scenario (run in the background) or a saved trace.");
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument("file", "A scenario (.yaml) to run, or a trace (.bstrace)");
        parser.addOptions({brokersim, at, teach, bench});
    }
};

void name_application()
{
    QCoreApplication::setOrganizationName("brokersim");
    QCoreApplication::setApplicationName("brokersim-gui");
    QCoreApplication::setApplicationVersion("0.1.0");
}

bool is_scenario(const QString& file)
{
    const auto suffix = QFileInfo(file).suffix().toLower();
    return suffix == "yaml" || suffix == "yml";
}

}  // namespace

int main(int argc, char** argv)
{
    // --help and --version need no display.
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" ||
            arg == "--version") {
            QCoreApplication core(argc, argv);
            name_application();
            QCommandLineParser parser;
            Options().add_to(parser);
            parser.process(core);  // prints and exits
        }
    }

    QApplication app(argc, argv);
    name_application();
    QCommandLineParser parser;
    const Options options;
    options.add_to(parser);
    parser.process(app);

    const auto files = parser.positionalArguments();
    int bench_frames = 0;
    if (parser.isSet(options.bench)) {
        bool number = false;
        bench_frames = parser.value(options.bench).toInt(&number);
        if (!number || bench_frames <= 0) {
            std::fprintf(stderr, "brokersim-gui: --bench needs a number of frames above 0\n");
            return 2;
        }
        if (files.isEmpty() || is_scenario(files.front())) {
            std::fprintf(stderr, "brokersim-gui: --bench needs a trace file\n");
            return 2;
        }
    }

    brokersim::gui::MainWindow window;
    if (parser.isSet(options.brokersim))
        window.launcher().set_program(parser.value(options.brokersim));
    window.show();

    if (parser.isSet(options.at))
        QObject::connect(&window, &brokersim::gui::MainWindow::runLoaded, &window,
                         [&window, t = parser.value(options.at).toDouble()] { window.seek(t); });

    if (parser.isSet(options.teach)) {
        const auto parts = parser.value(options.teach).split(',');
        QObject::connect(&window, &brokersim::gui::MainWindow::runLoaded, &window,
                         [&window, request = parts.value(0).toInt(), hop = parts.value(1).toInt()] {
                             window.teaching_panel()->choose_request(request);
                             window.teaching_panel()->go_to_step(hop);
                         });
    }

    if (!files.isEmpty()) {
        const auto& file = files.front();
        if (is_scenario(file)) {
            window.open_scenario(file);
        } else {
            QString error;
            if (!window.open_trace(file, &error)) {
                std::fprintf(stderr, "brokersim-gui: %s\n", qPrintable(error));
                return 1;
            }
        }
    }

    if (bench_frames > 0) {
        QApplication::processEvents();
        return run_bench(window, bench_frames);
    }
    return QApplication::exec();
}
