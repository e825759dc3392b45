/// A validated batch ready to store: the decoded request body and, per event, where its JSON object lies in
/// that body plus its parsed timestamp and source. Built by `EventBatchParser`; stored whole or not at all.
public struct EventBatch: Sendable {
    public struct Event: Sendable {
        public var range: Range<Int>
        public var timestampMillis: Int64
        public var source: String
    }

    public let body: [UInt8]
    public let events: [Event]

    public init(body: [UInt8], events: [Event]) {
        self.body = body
        self.events = events
    }

    public var count: Int { events.count }
}
