// The "request N: agent/action at T s" chooser shared by the panels that follow one request.
#pragma once

class QComboBox;

namespace brokersim::gui {

class RunData;

// Replaces the choices with the run's requests (none without a run), without signalling.
void fill_request_choices(QComboBox& choices, const RunData* run);

}  // namespace brokersim::gui
