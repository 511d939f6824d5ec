#include "tables.hpp"

#include <QHeaderView>

#include <cstring>

namespace brokersim::gui {

namespace {

QTableWidgetItem* text_item(const QString& text)
{
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

QTableWidgetItem* count_item(std::int64_t value)
{
    auto* item = text_item(QString::number(value));
    item->setData(Qt::UserRole, static_cast<qlonglong>(value));
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

// Seconds shown in milliseconds; the exact seconds kept for comparison.
QTableWidgetItem* ms_item(const std::optional<double>& seconds)
{
    if (!seconds)
        return text_item(QStringLiteral("-"));
    auto* item = text_item(QString::number(*seconds * 1000.0, 'f', 3));
    item->setData(Qt::UserRole, *seconds);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

void prepare(QTableWidget& table, const QStringList& headers)
{
    table.setColumnCount(static_cast<int>(headers.size()));
    table.setHorizontalHeaderLabels(headers);
    table.verticalHeader()->setVisible(false);
    table.setEditTriggers(QAbstractItemView::NoEditTriggers);
    table.setSelectionBehavior(QAbstractItemView::SelectRows);
    table.setAlternatingRowColors(true);
    table.horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
}

std::optional<model::DropReason> reason_named(const std::string& name)
{
    for (int r = 0; r < 32; ++r) {
        const auto reason = static_cast<model::DropReason>(r);
        if (name == model::to_string(reason))
            return reason;
    }
    return std::nullopt;
}

}  // namespace

RequestTable::RequestTable(QWidget* parent) : QTableWidget(parent)
{
    prepare(*this, {"#",
                    "client",
                    "agent/action",
                    "filter",
                    "expected",
                    "delivered",
                    "matched",
                    "executions",
                    "replies",
                    "replying nodes",
                    "late",
                    "missing",
                    "duplicates",
                    "dup. executions",
                    "first ms",
                    "last ms",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "max ms",
                    "replies so far"});
}

void RequestTable::show_run(const RunData* run)
{
    setRowCount(0);
    if (!run)
        return;
    const auto& requests = run->report().requests;
    setRowCount(static_cast<int>(requests.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const auto& r = requests[row];
        setItem(row, 0, count_item(r.index));
        setItem(row, 1, text_item(QString::fromStdString(r.client)));
        setItem(row, 2, text_item(QString::fromStdString(r.agent + "/" + r.action)));
        setItem(row, 3,
                text_item(r.filter.empty() ? QStringLiteral("(none)")
                                           : QString::fromStdString(r.filter)));
        const std::uint64_t counts[] = {r.expected,
                                        r.delivered_nodes,
                                        r.matched,
                                        r.executions,
                                        r.replies,
                                        r.replying_nodes,
                                        r.late_replies,
                                        r.missing,
                                        r.duplicate_deliveries,
                                        r.duplicate_executions};
        int column = 4;
        for (const auto count : counts)
            setItem(row, column++, count_item(static_cast<std::int64_t>(count)));
        for (const auto& seconds :
             {r.first_reply_s, r.last_reply_s, r.p50_s, r.p95_s, r.p99_s, r.max_s})
            setItem(row, column++, ms_item(seconds));
        setItem(row, kRepliesSoFarColumn, count_item(0));
    }
}

void RequestTable::refresh(const Replay& replay)
{
    for (int row = 0; row < rowCount(); ++row) {
        const auto replies = replay.request(static_cast<std::size_t>(row)).replies;
        auto* cell = item(row, kRepliesSoFarColumn);
        if (cell && cell->data(Qt::UserRole).toLongLong() != replies)
            setItem(row, kRepliesSoFarColumn, count_item(replies));
    }
}

DuplicateTable::DuplicateTable(QWidget* parent) : QTableWidget(parent)
{
    prepare(*this, {"request", "node", "copy", "brokerPath", "ms after request"});
    connect(this, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
        if (auto* cell = item(row, 0))
            emit recordActivated(cell->data(Qt::UserRole + 1).toUInt());
    });
}

void DuplicateTable::show_run(const RunData* run)
{
    setRowCount(0);
    if (!run)
        return;
    const auto& rows = run->duplicates();
    setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < rowCount(); ++row) {
        const auto& d = rows[row];
        auto* request = count_item(d.request);
        request->setData(Qt::UserRole + 1, d.record);
        setItem(row, 0, request);
        setItem(row, 1, text_item(QString::fromStdString(d.node)));
        setItem(row, 2, count_item(d.copy));
        setItem(row, 3, text_item(QString::fromStdString(d.path)));
        setItem(row, 4, ms_item(d.after_s));
    }
}

ConservationTable::ConservationTable(QWidget* parent) : QTableWidget(parent)
{
    prepare(*this, {"term", "so far", "end of run"});
}

void ConservationTable::show_run(const RunData* run)
{
    setRowCount(0);
    drop_reasons_.clear();
    if (!run)
        return;
    const auto& c = run->report().conservation;
    const std::pair<const char*, std::uint64_t> terms[] = {
        {"published", c.published},
        {"broker arrivals", c.arrivals},
        {"forwarded over bridges", c.forwards},
        {"delivered to nodes", c.node_deliveries},
        {"delivered to clients", c.client_deliveries},
        {"agent executions", c.executions},
        {"replies published", c.replies_published},
    };
    for (const auto& [reason, count] : c.drops)
        drop_reasons_.push_back(reason);

    setRowCount(static_cast<int>(std::size(terms) + drop_reasons_.size() + 1));
    int row = 0;
    for (const auto& [name, count] : terms) {
        setItem(row, 0, text_item(QString::fromUtf8(name)));
        setItem(row, kSoFarColumn, count_item(0));
        setItem(row++, kReportColumn, count_item(static_cast<std::int64_t>(count)));
    }
    for (const auto& reason : drop_reasons_) {
        setItem(row, 0,
                text_item(QStringLiteral("dropped: %1").arg(QString::fromStdString(reason))));
        setItem(row, kSoFarColumn, count_item(0));
        setItem(row++, kReportColumn, count_item(static_cast<std::int64_t>(c.drops.at(reason))));
    }
    setItem(row, 0, text_item(QStringLiteral("account holds")));
    setItem(row, kSoFarColumn, text_item(QString()));
    auto* holds =
        text_item(c.holds ? QStringLiteral("yes")
                          : QStringLiteral("NO: ") +
                                QString::fromStdString(
                                    c.violations.empty() ? std::string() : c.violations.front()));
    holds->setData(Qt::UserRole, c.holds);
    setItem(row, kReportColumn, holds);
}

void ConservationTable::refresh(const Replay& replay)
{
    if (rowCount() == 0)
        return;
    const auto& t = replay.totals();
    std::vector<std::int64_t> values = {t.published,        t.arrivals,          t.forwards,
                                        t.node_deliveries,  t.client_deliveries, t.executions,
                                        t.replies_published};
    for (const auto& reason : drop_reasons_) {
        const auto r = reason_named(reason);
        values.push_back(r ? t.drops.at(static_cast<std::size_t>(*r)) : 0);
    }
    for (int row = 0; row < static_cast<int>(values.size()); ++row) {
        auto* cell = item(row, kSoFarColumn);
        if (cell && cell->data(Qt::UserRole).toLongLong() != values[row])
            setItem(row, kSoFarColumn, count_item(values[row]));
    }
}

QString table_csv(const QTableWidget& table)
{
    const auto quote = [](QString text) {
        if (text.contains(',') || text.contains('"') || text.contains('\n')) {
            text.replace("\"", "\"\"");
            return "\"" + text + "\"";
        }
        return text;
    };
    QString csv;
    QStringList cells;
    for (int c = 0; c < table.columnCount(); ++c)
        cells << quote(table.horizontalHeaderItem(c) ? table.horizontalHeaderItem(c)->text()
                                                     : QString());
    csv += cells.join(',') + "\r\n";
    for (int r = 0; r < table.rowCount(); ++r) {
        cells.clear();
        for (int c = 0; c < table.columnCount(); ++c) {
            const auto* cell = table.item(r, c);
            cells << quote(cell ? cell->text() : QString());
        }
        csv += cells.join(',') + "\r\n";
    }
    return csv;
}

}  // namespace brokersim::gui
