import GauntletCore

/// Fast readers for the lines of `intervals.jsonl` and `timeseries.jsonl` in the shape Gauntlet writes
/// them (snake-case keys, numbers, strings without escapes). A merge of 16 ten-minute shards reads tens of
/// thousands of each, and JSONDecoder spent most of the merge's time there. Any other line (escapes, an
/// unknown key, another layout) gives nil, and the caller decodes it with JSONDecoder, which also says
/// what is wrong with it.
enum ResultLine {
    static func interval(_ line: UnsafeRawBufferPointer) -> IntervalHistograms? {
        var scanner = JSONScanner(line)
        var index: Int?
        var type: RequestType?
        var phase: String?
        var corrected: SparseHistogram?
        var service: SparseHistogram?
        let parsed = scanner.object { scanner, key in
            switch key {
            case "index": index = scanner.unsigned().map(Int.init)
            case "type": type = scanner.string().flatMap(RequestType.init(rawValue:))
            case "phase": phase = scanner.string()
            case "corrected": corrected = sparse(&scanner)
            case "service": service = sparse(&scanner)
            default: return false
            }
            return true
        }
        guard parsed, scanner.atEnd, let index, let type, let phase, let corrected, let service else { return nil }
        return IntervalHistograms(index: index, type: type, phase: phase, corrected: corrected, service: service)
    }

    private static func sparse(_ scanner: inout JSONScanner) -> SparseHistogram? {
        var values: [UInt64]?
        var counts: [UInt64]?
        var min: UInt64?
        var max: UInt64?
        let parsed = scanner.object { scanner, key in
            switch key {
            case "values": values = scanner.unsignedArray()
            case "counts": counts = scanner.unsignedArray()
            case "min": min = scanner.unsigned()
            case "max": max = scanner.unsigned()
            default: return false
            }
            return true
        }
        guard parsed, let values, let counts, values.count == counts.count else { return nil }
        return SparseHistogram(values: values, counts: counts, min: min, max: max)
    }

    static func timeSeriesPoint(_ line: UnsafeRawBufferPointer) -> TimeSeriesPoint? {
        var scanner = JSONScanner(line)
        var second: Int?
        var type: RequestType?
        var count: Int?
        var ok: Int?
        var failed: Int?
        var rejected: Int?
        var intendedRate: Double?
        var p50: Double?
        var p99: Double?
        var max: Double?
        let parsed = scanner.object { scanner, key in
            switch key {
            case "second": second = scanner.unsigned().map(Int.init)
            case "type": type = scanner.string().flatMap(RequestType.init(rawValue:))
            case "count": count = scanner.unsigned().map(Int.init)
            case "ok": ok = scanner.unsigned().map(Int.init)
            case "failed": failed = scanner.unsigned().map(Int.init)
            case "rejected": rejected = scanner.unsigned().map(Int.init)
            // Optionals are left out when nil, so a key present must hold a number.
            case "intended_rate": intendedRate = scanner.number(); return intendedRate != nil
            case "p50": p50 = scanner.number(); return p50 != nil
            case "p99": p99 = scanner.number(); return p99 != nil
            case "max": max = scanner.number(); return max != nil
            default: return false
            }
            return true
        }
        guard parsed, scanner.atEnd, let second, let type, let count, let ok, let failed, let rejected else { return nil }
        return TimeSeriesPoint(
            second: second, type: type, count: count, ok: ok, failed: failed, rejected: rejected, intendedRate: intendedRate, p50: p50, p99: p99, max: max)
    }
}
