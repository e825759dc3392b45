import Foundation

/// One stored event as the Analytics UI shows it.
public struct AnalyticsEvent: Codable, Sendable, Equatable {
    public var id: String
    public var time: Date
    /// The source the uploader named, when the store keeps one.
    public var source: String?
    public var event: JSONValue

    public init(id: String, time: Date, source: String? = nil, event: JSONValue) {
        self.id = id
        self.time = time
        self.source = source
        self.event = event
    }
}

public struct EventSearchQuery: Sendable, Equatable {
    /// Case-insensitive text every returned event contains; empty matches all.
    public var text: String
    /// Inclusive lower bound on event time.
    public var from: Date?
    /// Exclusive upper bound on event time.
    public var to: Date?
    public var limit: Int

    public init(text: String, from: Date?, to: Date?, limit: Int) {
        self.text = text
        self.from = from
        self.to = to
        self.limit = limit
    }
}

public struct EventSearchResult: Sendable, Equatable {
    /// Newest first, at most `limit`.
    public var events: [AnalyticsEvent]
    /// How many events matched in all, when the source knows it cheaply.
    public var totalMatched: Int?

    public init(events: [AnalyticsEvent], totalMatched: Int?) {
        self.events = events
        self.totalMatched = totalMatched
    }
}

public struct EventCountsQuery: Sendable, Equatable {
    public var from: Date
    public var to: Date
    /// Bucket width in whole seconds.
    public var intervalSeconds: Int
    /// Case-insensitive text the counted events contain; empty counts all.
    public var text: String

    public init(from: Date, to: Date, intervalSeconds: Int, text: String = "") {
        self.from = from
        self.to = to
        self.intervalSeconds = intervalSeconds
        self.text = text
    }

    /// Bucket starts from `from` up to (not including) `to`.
    public var bucketStarts: [Date] {
        let span = to.timeIntervalSince(from)
        let count = max(0, Int((span / Double(intervalSeconds)).rounded(.up)))
        return (0..<count).map { from.addingTimeInterval(Double($0 * intervalSeconds)) }
    }

    /// Zero-filled buckets counting `times`; for a source that can only count without a text filter
    /// and so falls back to bucketing the times of matching events itself.
    public func bucket(_ times: some Sequence<Date>) -> [EventCountBucket] {
        var buckets = bucketStarts.map { EventCountBucket(start: $0, count: 0) }
        for time in times {
            if let index = bucketIndex(of: time), index < buckets.count { buckets[index].count += 1 }
        }
        return buckets
    }

    /// The bucket an event at `time` falls in, or nil outside [from, to).
    public func bucketIndex(of time: Date) -> Int? {
        guard time >= from, time < to else { return nil }
        return Int(time.timeIntervalSince(from) / Double(intervalSeconds))
    }
}

public struct EventCountBucket: Codable, Sendable, Equatable {
    public var start: Date
    public var count: Int

    public init(start: Date, count: Int) {
        self.start = start
        self.count = count
    }
}

/// Where the Analytics UI reads events from. The event store implements it; tests use
/// `InMemoryEventSource`. Implementations must return `counts` zero-filled: one bucket per
/// `EventCountsQuery.bucketStarts` entry, in order.
public protocol AnalyticsEventSource: Sendable {
    func search(_ query: EventSearchQuery) async throws -> EventSearchResult
    func counts(_ query: EventCountsQuery) async throws -> [EventCountBucket]
}

/// An event source held in memory, for tests and for a stack started without an event store.
public actor InMemoryEventSource: AnalyticsEventSource {
    private var events: [AnalyticsEvent] = []
    /// Each event's JSON text, lowercased, for substring search.
    private var searchText: [String] = []

    public init(events: [AnalyticsEvent] = []) {
        self.events = events
        self.searchText = events.map(Self.searchableText)
    }

    private static func searchableText(_ event: AnalyticsEvent) -> String {
        let text = (try? JSONEncoder().encode(event.event)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.lowercased()
    }

    public func append(_ newEvents: [AnalyticsEvent]) {
        for event in newEvents { insert(event) }
    }

    private func insert(_ event: AnalyticsEvent) {
        events.append(event)
        searchText.append(Self.searchableText(event))
    }

    private func matches(_ index: Int, text: String, from: Date?, to: Date?) -> Bool {
        let time = events[index].time
        if let from, time < from { return false }
        if let to, time >= to { return false }
        return text.isEmpty || searchText[index].contains(text)
    }

    public func search(_ query: EventSearchQuery) -> EventSearchResult {
        let needle = query.text.lowercased()
        let matching = events.indices.filter { matches($0, text: needle, from: query.from, to: query.to) }
            .sorted { events[$0].time != events[$1].time ? events[$0].time > events[$1].time : $0 > $1 }
        return EventSearchResult(events: matching.prefix(query.limit).map { events[$0] }, totalMatched: matching.count)
    }

    public func counts(_ query: EventCountsQuery) -> [EventCountBucket] {
        let needle = query.text.lowercased()
        return query.bucket(events.indices.lazy.filter { self.matches($0, text: needle, from: query.from, to: query.to) }.map { self.events[$0].time })
    }
}
