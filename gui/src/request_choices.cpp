#include "request_choices.hpp"

#include "run_data.hpp"

#include <QComboBox>
#include <QSignalBlocker>

namespace brokersim::gui {

void fill_request_choices(QComboBox& choices, const RunData* run)
{
    const QSignalBlocker block(&choices);
    choices.clear();
    if (!run)
        return;
    for (std::size_t r = 0; r < run->header().requests.size(); ++r) {
        const auto& request = run->header().requests[r];
        choices.addItem(QStringLiteral("request %1: %2/%3 at %4 s")
                            .arg(r)
                            .arg(QString::fromStdString(request.agent),
                                 QString::fromStdString(request.action))
                            .arg(request.at_s));
    }
}

}  // namespace brokersim::gui
