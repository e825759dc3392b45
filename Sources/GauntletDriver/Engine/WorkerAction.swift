import GauntletCore

/// What a slot (one reusable connection's easy handle) should send: plain values. The transport turns
/// the header-set id into its curl list and the URL into a pre-parsed handle when `parseURL` asks.
struct OutgoingRequest: Sendable, Equatable {
    /// A reusable request shape (>= 0: an `http` request index) whose options stay set between sends.
    var kind = -1
    var method = "GET"
    var url: String
    var headers = HeaderSets.none
    var cookie: String?
    var bearer: String?
    var body: [UInt8]?
    /// Keep a parsed URL handle for it (request lanes send the same URLs over and over).
    var parseURL = false
    var captureHeaders = false
    var captureBody = false
}

/// What the transport reports about a finished exchange: plain values, read off the easy handle.
struct TransferResponse: Sendable, Equatable {
    /// nil: the exchange completed (any status); else libcurl's failure, typed.
    var failure: TransportError?
    var status = 0
    var servedBy: String?
    var location: String?
    var setCookies: [String] = []
    var body: [UInt8] = []
    /// `Server-Timing` from the load balancer (negative: absent).
    var lbAuth = -1.0
    var targetTime = -1.0
    /// Per-hop times in seconds (negative: not applicable, e.g. a reused connection has no connect).
    var connect = -1.0
    var tls = -1.0
    var ttfb = -1.0

    static func failed(_ error: TransportError) -> TransferResponse { TransferResponse(failure: error) }
}

/// What the worker's state machine asks its event loop to do.
enum WorkerAction: Sendable {
    /// Create slot `slot`'s easy handle; `timedByLibcurl`: libcurl enforces the timeout (logins,
    /// tokens, probes), else the machine sweeps it (request lanes).
    case open(slot: Int, timedByLibcurl: Bool)
    case send(slot: Int, OutgoingRequest)
    /// Take the slot's exchange off the wire (a timeout, or the end of the run).
    case cancel(slot: Int)
    /// Hand one interval's figures (and request-log lines) to the coordinator.
    case post(IntervalRecord, log: [UInt8])
    /// The pinned DNS answers ran out: re-resolve, off the loop.
    case resolve
    /// Something the run must report (the first one a run notes is shown).
    case fail(String)
}
