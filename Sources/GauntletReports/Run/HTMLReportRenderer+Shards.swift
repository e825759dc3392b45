import GauntletCore

extension HTMLReportRenderer {
    /// A merged run's shards, one row each: a generator that delivered less than its share, started late,
    /// lagged or failed more than its siblings stands out in its row.
    static func shardSection(_ merge: MergeInfo) -> String {
        let rows = merge.shards.map { row -> [String] in
            let delivered = row.intended.map { $0 > 0 ? number(100 * Double(row.count) / $0) + "%" : "–" } ?? "–"
            let clock = row.clockSynchronized.map { $0 ? "synchronised" : "<strong>not synchronised</strong>" } ?? "unknown"
            return [
                "\(row.index)", escape(row.host), "+" + duration(row.startOffset),
                row.intended.map { number($0, decimals: 0) } ?? "max", "\(row.count)", delivered,
                duration(row.lagP99) + (row.fellBehind ? " <strong>fell behind</strong>" : ""), "\(row.failed)", clock,
            ]
        }
        return "<p>\(merge.shards.count) shards, started within \(duration(merge.startSkew)) of each other; figures above are their exact sum.</p>\n"
            + table(["shard", "host", "start", "intended", "achieved", "delivered", "lag p99", "errors", "clock"], rows, textColumns: [1, 8])
    }
}
