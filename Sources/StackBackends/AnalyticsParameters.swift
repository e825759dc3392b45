import Foundation

/// Reads the Analytics API's query parameters into queries, with a 400 naming the bad one.
/// Pure: the clock comes in as `now`, so defaults are table-testable.
enum AnalyticsParameters {
    static let defaultLimit = 100
    static let maxQueryLength = 256
    static let defaultWindow: TimeInterval = 24 * 3600
    static let maxBuckets = 10_000
    static let intervalRange = 1...(30 * 86_400)

    static func search(_ params: [String: String], maxLimit: Int) throws(APIError) -> EventSearchQuery {
        let text = try queryText(params)
        let from = try params["from"].map { text throws(APIError) in try parseTime(text, field: "from") }
        let to = try params["to"].map { text throws(APIError) in try parseTime(text, field: "to") }
        if let from, let to, from >= to { throw .invalid("to", "'to' must be after 'from'") }
        var limit = defaultLimit
        if let raw = params["limit"] {
            guard let value = Int(raw), (1...maxLimit).contains(value) else {
                throw .invalid("limit", "limit must be an integer from 1 to \(maxLimit); got '\(raw)'")
            }
            limit = value
        }
        return EventSearchQuery(text: text, from: from, to: to, limit: min(limit, maxLimit))
    }

    static func counts(_ params: [String: String], now: Date) throws(APIError) -> (query: EventCountsQuery, interval: String) {
        let text = try queryText(params)
        let intervalText = params["interval"] ?? "1h"
        let interval = try parseInterval(intervalText)
        let to = try params["to"].map { text throws(APIError) in try parseTime(text, field: "to") } ?? now
        let from = try params["from"].map { text throws(APIError) in try parseTime(text, field: "from") }
            ?? to.addingTimeInterval(-defaultWindow)
        guard from < to else { throw .invalid("to", "'to' must be after 'from'") }
        let buckets = (to.timeIntervalSince(from) / Double(interval)).rounded(.up)
        guard buckets <= Double(maxBuckets) else {
            throw APIError(
                .badRequest, code: "too_many_buckets",
                message: "interval \(intervalText) over this range makes \(Int(buckets)) buckets; at most \(maxBuckets) are allowed",
                field: "interval"
            )
        }
        return (EventCountsQuery(from: from, to: to, intervalSeconds: interval, text: text), intervalText)
    }

    private static func queryText(_ params: [String: String]) throws(APIError) -> String {
        let text = params["q"] ?? ""
        guard text.count <= maxQueryLength else {
            throw .invalid("q", "q must be at most \(maxQueryLength) characters; got \(text.count)")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Accepts RFC 3339 (`2026-11-29T00:00:00Z`, optionally with fractional seconds) or Unix seconds.
    static func parseTime(_ text: String, field: String) throws(APIError) -> Date {
        if !text.isEmpty, text.allSatisfy(\.isNumber), let seconds = Double(text) {
            return Date(timeIntervalSince1970: seconds)
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions.insert(.withFractionalSeconds)
        if let date = formatter.date(from: text) { return date }
        throw .invalid(field, "\(field) must be an RFC 3339 time (2026-11-29T00:00:00Z) or Unix seconds; got '\(text)'")
    }

    /// Accepts `<n>s`, `<n>m`, `<n>h`, `<n>d` or plain seconds, from 1 s to 30 d.
    static func parseInterval(_ text: String) throws(APIError) -> Int {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var multiplier = 1
        if let last = text.last, let unit = units[last] {
            digits = digits.dropLast()
            multiplier = unit
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
              let value = Int(digits), value.multipliedReportingOverflow(by: multiplier).overflow == false,
              intervalRange.contains(value * multiplier)
        else {
            throw .invalid("interval", "interval must look like 30s, 5m, 1h or 1d (from 1s to 30d); got '\(text)'")
        }
        return value * multiplier
    }
}
