// Teaching mode: pick a request, then step through its life hop by hop; each step moves the
// replay to that hop and rings it on the map, with a caption saying what happens and why.
#pragma once

#include "lifecycle.hpp"

#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;

namespace brokersim::gui {

class TeachingPanel : public QWidget
{
    Q_OBJECT

public:
    explicit TeachingPanel(QWidget* parent = nullptr);
    void show_run(const RunData* run);

    const std::vector<LifecycleStep>& steps() const { return steps_; }
    int current_step() const;

public slots:
    void choose_request(int request);
    void go_to_step(int step);
    void next_step();
    void previous_step();

signals:
    void stepChosen(std::uint32_t record, double time_s);

private:
    void show_request(int request);

    const RunData* run_ = nullptr;
    std::vector<LifecycleStep> steps_;
    QComboBox* request_ = nullptr;
    QLabel* caption_ = nullptr;
    QListWidget* list_ = nullptr;
    QPushButton* previous_ = nullptr;
    QPushButton* next_ = nullptr;
};

}  // namespace brokersim::gui
