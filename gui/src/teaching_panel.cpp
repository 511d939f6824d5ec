#include "teaching_panel.hpp"

#include "request_choices.hpp"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace brokersim::gui {

TeachingPanel::TeachingPanel(QWidget* parent) : QWidget(parent)
{
    request_ = new QComboBox;
    request_->setMinimumContentsLength(22);
    request_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    previous_ = new QPushButton(tr("\u25c0 Previous hop"));
    next_ = new QPushButton(tr("Next hop \u25b6"));
    caption_ = new QLabel(tr("Open a run, pick a request and step through its hops."));
    caption_->setWordWrap(true);
    caption_->setMinimumHeight(48);
    caption_->setStyleSheet(QStringLiteral("QLabel { font-size: 11pt; padding: 4px; "
                                           "background: #fffbe6; border: 1px solid #e0d080; }"));
    list_ = new QListWidget;
    list_->setWordWrap(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(request_, 1);
    buttons->addWidget(previous_);
    buttons->addWidget(next_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(buttons);
    layout->addWidget(caption_);
    layout->addWidget(list_, 1);

    connect(request_, &QComboBox::currentIndexChanged, this,
            [this](int index) { show_request(index); });
    connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= static_cast<int>(steps_.size()))
            return;
        caption_->setText(steps_[row].caption);
        previous_->setEnabled(row > 0);
        next_->setEnabled(row + 1 < static_cast<int>(steps_.size()));
        emit stepChosen(steps_[row].record, steps_[row].time_s);
    });
    connect(previous_, &QPushButton::clicked, this, &TeachingPanel::previous_step);
    connect(next_, &QPushButton::clicked, this, &TeachingPanel::next_step);
}

void TeachingPanel::show_run(const RunData* run)
{
    run_ = run;
    fill_request_choices(*request_, run_);
    show_request(request_->count() > 0 ? request_->currentIndex() : -1);
}

void TeachingPanel::show_request(int request)
{
    const QSignalBlocker block(list_);
    list_->clear();
    steps_.clear();
    if (run_ && request >= 0)
        steps_ = request_lifecycle(*run_, static_cast<std::uint32_t>(request));
    for (const auto& step : steps_)
        list_->addItem(step.caption);
    caption_->setText(steps_.empty()
                          ? tr("No hops recorded for this request.")
                          : tr("%1 hops. Press \"Next hop\" to start.").arg(steps_.size()));
    previous_->setEnabled(false);
    next_->setEnabled(!steps_.empty());
}

void TeachingPanel::choose_request(int request)
{
    if (request >= 0 && request < request_->count())
        request_->setCurrentIndex(request);  // lists its hops through the signal
}

int TeachingPanel::current_step() const
{
    return list_->currentRow();
}

void TeachingPanel::go_to_step(int step)
{
    if (step >= 0 && step < static_cast<int>(steps_.size()))
        list_->setCurrentRow(step);
}

void TeachingPanel::next_step()
{
    go_to_step(list_->currentRow() + 1);
}

void TeachingPanel::previous_step()
{
    go_to_step(std::max(0, list_->currentRow() - 1));
}

}  // namespace brokersim::gui
