import GauntletCore

extension MergeInfo {
    /// The per-shard table for a terminal: a generator that fell behind, started late or failed more than
    /// its siblings stands out.
    public var table: String {
        func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        func rpad(_ text: String, _ width: Int) -> String { text.count >= width ? text : String(repeating: " ", count: width - text.count) + text }
        var lines = ["shards: \(shards.count), started within \(Quantity.format(seconds: startSkew)) of each other"]
        lines.append([pad("shard", 6), pad("host", 24), rpad("start", 9), rpad("intended", 9), rpad("achieved", 9), rpad("%", 6), rpad("lag p99", 9), rpad("errors", 7), " clock"].joined(separator: " "))
        for row in shards {
            let delivered = row.intended.map { $0 > 0 ? String(format: "%.1f", 100 * Double(row.count) / $0) : "-" } ?? "-"
            let clock = row.clockSynchronized.map { $0 ? "synced" : "UNSYNCED" } ?? "?"
            lines.append([
                pad("\(row.index)", 6), pad(row.host, 24), rpad("+" + Quantity.format(seconds: row.startOffset), 9),
                rpad(row.intended.map { String(Int($0.rounded())) } ?? "max", 9), rpad("\(row.count)", 9), rpad(delivered, 6),
                rpad(row.lagP99.map { Quantity.format(seconds: $0) } ?? "-", 9), rpad("\(row.failed)", 7),
                " " + clock + (row.fellBehind ? "  FELL BEHIND" : ""),
            ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }
}
