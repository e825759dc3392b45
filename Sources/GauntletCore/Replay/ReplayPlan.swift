import Foundation

/// What `gauntlet replay` was asked to do with the recorded timing and which requests to keep.
public struct ReplayOptions: Sendable, Equatable {
    /// Keep the recorded inter-arrival times scaled by a factor (2 = twice as fast), or ignore them
    /// and send at a fixed rate in recorded order.
    public enum Pacing: Sendable, Equatable {
        case speed(Double)
        case rate(Double)
    }

    /// A window bound: an absolute time (epoch seconds) or an offset after the first recorded request.
    public enum TimeBound: Sendable, Equatable {
        case absolute(Double)
        case offset(Double)

        /// `2018-07-02T22:23:00Z` (absolute) or `90s`, `+1m30s`, `45` (offset into the recording).
        public init?(_ text: String) {
            let text = text.trimmingSpaces()
            if let time = ISO8601Time.parse(text) {
                self = .absolute(time)
            } else if let seconds = Quantity.seconds(text.hasPrefix("+") ? String(text.dropFirst()) : text), seconds >= 0 {
                self = .offset(seconds)
            } else {
                return nil
            }
        }
    }

    public var pacing: Pacing
    public var from: TimeBound?
    public var to: TimeBound?
    /// A regular expression searched for in each request's path and query.
    public var match: String?
    /// Replay recorded login-flow steps too (by default virtual users log in by themselves).
    public var includeAuthFlow: Bool

    public init(pacing: Pacing = .speed(1), from: TimeBound? = nil, to: TimeBound? = nil, match: String? = nil, includeAuthFlow: Bool = false) {
        self.pacing = pacing
        self.from = from
        self.to = to
        self.match = match
        self.includeAuthFlow = includeAuthFlow
    }
}

/// A reason the options cannot be used, naming the option.
public struct ReplayOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var option: String
    public var message: String

    public var description: String { "\(option): \(message)" }
}

/// One request of the replay: when to send it, what it was, and as whom.
public struct PlannedReplayRequest: Sendable, Equatable {
    /// Intended send time, seconds after the replay's start.
    public var offset: Double
    public var request: RecordedRequest
    public var classification: ReplayClassifier.Classification
    public var user: VirtualUserAssignment

    public init(offset: Double, request: RecordedRequest, classification: ReplayClassifier.Classification, user: VirtualUserAssignment) {
        self.offset = offset
        self.request = request
        self.classification = classification
        self.user = user
    }
}

/// Turns a stream of recorded requests into intended send times — a pure function of the recording
/// and the options, so a replay plan is table-tested with no clock.
///
/// Sources are close to time order but not exactly (an ALB writes a line when the response ends);
/// a request recorded earlier than one already planned is sent right after it and counted as
/// `reordered`, so the plan's offsets never go backwards.
public struct ReplayPlanner {
    public struct Counts: Sendable, Equatable {
        public var seen = 0
        public var planned = 0
        public var outsideWindow = 0
        public var unmatched = 0
        public var authFlow = 0
        public var reordered = 0
        public var byType: [RequestType: Int] = [:]
    }

    public let options: ReplayOptions
    private let pattern: NSRegularExpression?
    private var firstSeen: Double?
    private var firstPlanned: Double?
    private var lastPlannedTime: Double?
    private var lastOffset = 0.0
    private var users = VirtualUserMapper()
    public private(set) var counts = Counts()

    public init(options: ReplayOptions) throws(ReplayOptionsError) {
        switch options.pacing {
        case .speed(let speed) where !(speed > 0 && speed.isFinite):
            throw ReplayOptionsError(option: "--speed", message: "expected a positive factor such as 2 or 0.5, got \(speed)")
        case .rate(let rate) where !(rate > 0 && rate.isFinite):
            throw ReplayOptionsError(option: "--rate", message: "expected a positive number of requests per second, got \(rate)")
        default: break
        }
        if let match = options.match {
            do {
                pattern = try NSRegularExpression(pattern: match)
            } catch {
                throw ReplayOptionsError(option: "--match", message: "not a valid regular expression: \"\(match)\"")
            }
        } else {
            pattern = nil
        }
        if case .absolute(let from) = options.from, case .absolute(let to) = options.to, to < from {
            throw ReplayOptionsError(option: "--to", message: "ends before --from")
        }
        if case .offset(let from) = options.from, case .offset(let to) = options.to, to < from {
            throw ReplayOptionsError(option: "--to", message: "ends before --from")
        }
        self.options = options
    }

    /// The recorded span of the planned requests (last minus first recorded time), in seconds.
    public var recordedSpan: Double {
        guard let first = firstPlanned, let last = lastPlannedTime else { return 0 }
        return max(0, last - first)
    }

    /// Distinct recorded clients, i.e. virtual users the replay needs, by role.
    public var clientsByRole: [Role?: Int] { users.clientsByRole }

    /// The planned request for `request`, or nil when the options filter it out.
    public mutating func plan(_ request: RecordedRequest) -> PlannedReplayRequest? {
        counts.seen += 1
        let first = firstSeen ?? request.time
        if firstSeen == nil { firstSeen = first }
        if let from = options.from, request.time < bound(from, first) {
            counts.outsideWindow += 1
            return nil
        }
        if let to = options.to, request.time > bound(to, first) {
            counts.outsideWindow += 1
            return nil
        }
        if let pattern {
            let text = request.pathAndQuery
            if pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil {
                counts.unmatched += 1
                return nil
            }
        }
        let classification = ReplayClassifier.classify(request)
        if classification.isAuthFlow, !options.includeAuthFlow {
            counts.authFlow += 1
            return nil
        }
        let base = firstPlanned ?? request.time
        if firstPlanned == nil { firstPlanned = base }
        var offset: Double
        switch options.pacing {
        case .speed(let speed): offset = (request.time - base) / speed
        case .rate(let rate): offset = Double(counts.planned) / rate
        }
        if offset < lastOffset {
            counts.reordered += 1
            offset = lastOffset
        }
        lastOffset = offset
        lastPlannedTime = max(lastPlannedTime ?? request.time, request.time)
        counts.planned += 1
        counts.byType[classification.type, default: 0] += 1
        let user = users.assign(clientKey: request.clientKey, role: request.role ?? classification.role)
        return PlannedReplayRequest(offset: offset, request: request, classification: classification, user: user)
    }

    private func bound(_ bound: ReplayOptions.TimeBound, _ first: Double) -> Double {
        switch bound {
        case .absolute(let time): time
        case .offset(let seconds): first + seconds
        }
    }
}
