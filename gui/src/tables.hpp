// The report's tables: per request, duplicate deliveries, the conservation account. Each cell
// that shows a figure keeps the exact value under Qt::UserRole, so tests and exports compare
// numbers, not their printed form.
#pragma once

#include "replay.hpp"

#include <QTableWidget>

namespace brokersim::gui {

// Per request: what the report says at the end of the run, and replies received so far.
class RequestTable : public QTableWidget
{
    Q_OBJECT

public:
    explicit RequestTable(QWidget* parent = nullptr);
    void show_run(const RunData* run);
    void refresh(const Replay& replay);  // the "so far" column

    static constexpr int kRepliesSoFarColumn = 20;
};

// Every duplicate delivery in the trace, with the brokerPath its extra copy took.
class DuplicateTable : public QTableWidget
{
    Q_OBJECT

public:
    explicit DuplicateTable(QWidget* parent = nullptr);
    void show_run(const RunData* run);

signals:
    void recordActivated(std::uint32_t record);
};

// The conservation account: each term so far in the replay, and at the end of the run.
class ConservationTable : public QTableWidget
{
    Q_OBJECT

public:
    explicit ConservationTable(QWidget* parent = nullptr);
    void show_run(const RunData* run);
    void refresh(const Replay& replay);

    static constexpr int kSoFarColumn = 1;
    static constexpr int kReportColumn = 2;

private:
    std::vector<std::string> drop_reasons_;  // rows after the fixed ones
};

// The table as CSV (RFC 4180 quoting), header row first.
QString table_csv(const QTableWidget& table);

}  // namespace brokersim::gui
