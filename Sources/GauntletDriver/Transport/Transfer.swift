#if canImport(Glibc)
import Glibc
#endif
import CCurl
import GauntletCore

/// One reusable libcurl easy handle and what its current exchange captured.
///
/// Owned by one worker thread. Options that never change are set once; per request only what differs
/// is set. The header callback keeps only the headers the oracle and sessions read; the body is kept
/// only when asked (login pages), otherwise discarded.
final class Transfer {
    let handle: UnsafeMutableRawPointer
    /// The state machine's number for this handle.
    let slot: Int
    /// On the multi handle now.
    var attached = false
    /// Response facts, reset before each request.
    var servedBy: String?
    var location: String?
    var lbAuth: Double = -1
    var targetTime: Double = -1
    var setCookies: [String] = []
    var body: [UInt8] = []
    var captureHeaders = false
    var captureBody = false
    /// The request body's bytes; libcurl reads them in place, so they live as long as the request.
    var requestBody: [UInt8] = []
    /// URL handle currently set (nil: a string URL).
    var currentURL: OpaquePointer?
    var currentKind = -1
    /// New CURLOPT_RESOLVE pins (after a TTL ran out), applied before the next request.
    var pendingResolve: UnsafeMutablePointer<curl_slist>?

    init(slot: Int, timedByLibcurl: Bool, settings: TransportSettings) throws(TransportError) {
        _ = Curl.initialised
        guard let handle = curl_easy_init() else {
            throw TransportError(category: .other, code: -1, message: "curl_easy_init failed (out of memory?)")
        }
        self.handle = handle
        self.slot = slot
        try configure(settings, timedByLibcurl: timedByLibcurl)
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    private func configure(_ settings: TransportSettings, timedByLibcurl: Bool) throws(TransportError) {
        // Options LIBCURL-NOTES measured as paying off: no signals, no proxy look-ups, pinned DNS.
        try Curl.setLong(handle, CURLOPT_NOSIGNAL, 1)
        try Curl.setString(handle, CURLOPT_NOPROXY, "*")
        try Curl.setLong(handle, CURLOPT_DNS_CACHE_TIMEOUT, -1)
        if timedByLibcurl {
            // Logins, tokens and probes: libcurl times them out. Request lanes are swept by the state
            // machine (sweepTimeouts), which saves libcurl arming and clearing two timers per request.
            try Curl.setLong(handle, CURLOPT_TIMEOUT_MS, Int(settings.timeout * 1000))
            try Curl.setLong(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(settings.timeout, 10) * 1000))
        }
        try Curl.setLong(handle, CURLOPT_HTTP_VERSION, settings.http2 ? Int(CURL_HTTP_VERSION_2TLS) : Int(CURL_HTTP_VERSION_1_1))
        if settings.http2 { try Curl.setLong(handle, CURLOPT_PIPEWAIT, 1) }
        if let caFile = settings.caFile { try Curl.setString(handle, CURLOPT_CAINFO, caFile) }
        if settings.insecure {
            try Curl.setLong(handle, CURLOPT_SSL_VERIFYPEER, 0)
            try Curl.setLong(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        try Curl.setLong(handle, CURLOPT_FOLLOWLOCATION, 0)
        let me = Unmanaged.passUnretained(self).toOpaque()
        try Curl.setPointer(handle, CURLOPT_PRIVATE, me)
        try Curl.setPointer(handle, CURLOPT_WRITEDATA, me)
        try Curl.setPointer(handle, CURLOPT_HEADERDATA, me)
        try Curl.check(gauntlet_easy_setopt_write(handle, transferWrite), "setting the write callback")
        try Curl.check(gauntlet_easy_setopt_header(handle, transferHeader), "setting the header callback")
        if let resolve = settings.resolve { try Curl.setList(handle, CURLOPT_RESOLVE, resolve) }
    }

    /// Prepares the next request. `kind` names a request shape whose options are already set, so that a
    /// closed-loop run re-sending one URL sets nothing at all per request.
    func prepare(_ request: WireRequest) throws(TransportError) {
        servedBy = nil
        location = nil
        lbAuth = -1
        targetTime = -1
        if !setCookies.isEmpty { setCookies.removeAll(keepingCapacity: true) }
        if !body.isEmpty { body.removeAll(keepingCapacity: true) }
        if let pins = pendingResolve {
            try Curl.setList(handle, CURLOPT_RESOLVE, pins)
            pendingResolve = nil
        }
        captureHeaders = request.captureHeaders
        captureBody = request.captureBody
        if request.kind >= 0, request.kind == currentKind { return }
        currentKind = request.kind
        if let url = request.urlHandle {
            if url != currentURL { try Curl.check(gauntlet_easy_setopt_curlu(handle, CURLOPT_CURLU, url), "setting the URL") }
            currentURL = url
        } else {
            currentURL = nil
            try Curl.setPointer(handle, CURLOPT_CURLU, nil)
            try Curl.setString(handle, CURLOPT_URL, request.url)
        }
        try Curl.setList(handle, CURLOPT_HTTPHEADER, request.headers)
        try Curl.setString(handle, CURLOPT_COOKIE, request.cookie)
        if let bearer = request.bearer {
            try Curl.setLong(handle, CURLOPT_HTTPAUTH, 1 << 6 /* CURLAUTH_BEARER, a macro Swift cannot import */)
            try Curl.setString(handle, CURLOPT_XOAUTH2_BEARER, bearer)
        } else {
            try Curl.setString(handle, CURLOPT_XOAUTH2_BEARER, nil)
        }
        switch request.method {
        case "GET":
            try Curl.setLong(handle, CURLOPT_HTTPGET, 1)
            try Curl.setString(handle, CURLOPT_CUSTOMREQUEST, nil)
        default:
            requestBody = request.body ?? []
            try Curl.setLong(handle, CURLOPT_POST, 1)
            try Curl.setPointer(handle, CURLOPT_POSTFIELDS, nil)
            try Curl.check(gauntlet_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(requestBody.count)), "setting the body size")
            // The array is not mutated until the next request, so its storage stays where libcurl reads it.
            let code = requestBody.withUnsafeMutableBytes { gauntlet_easy_setopt_ptr(handle, CURLOPT_POSTFIELDS, $0.baseAddress) }
            try Curl.check(code, "setting the body")
            try Curl.setString(handle, CURLOPT_CUSTOMREQUEST, request.method == "POST" ? nil : request.method)
        }
    }

    /// Phase timings of the finished exchange, in seconds (negative: not applicable).
    func timings() -> (connect: Double, tls: Double, ttfb: Double, total: Double) {
        let connects = Curl.infoLong(handle, CURLINFO_NUM_CONNECTS)
        let lookup = Curl.infoOff(handle, CURLINFO_NAMELOOKUP_TIME_T)
        let connect = Curl.infoOff(handle, CURLINFO_CONNECT_TIME_T)
        let appConnect = Curl.infoOff(handle, CURLINFO_APPCONNECT_TIME_T)
        let preTransfer = Curl.infoOff(handle, CURLINFO_PRETRANSFER_TIME_T)
        let start = Curl.infoOff(handle, CURLINFO_STARTTRANSFER_TIME_T)
        let total = Curl.infoOff(handle, CURLINFO_TOTAL_TIME_T)
        let fresh = connects > 0
        return (
            fresh ? Double(max(0, connect - lookup)) / 1e6 : -1,
            fresh && appConnect > 0 ? Double(max(0, appConnect - connect)) / 1e6 : -1,
            start >= 0 ? Double(max(0, start - preTransfer)) / 1e6 : -1,
            Double(total) / 1e6
        )
    }

    var status: Int { max(0, Curl.infoLong(handle, CURLINFO_RESPONSE_CODE)) }

    /// What the finished exchange brought back, for the state machine.
    func response() -> TransferResponse {
        let status = self.status
        var response = TransferResponse(
            status: status, servedBy: servedBy, location: location, setCookies: setCookies, body: body, lbAuth: lbAuth, targetTime: targetTime)
        if status > 0 {
            let timings = timings()
            response.connect = timings.connect
            response.tls = timings.tls
            response.ttfb = timings.ttfb
        }
        return response
    }

    /// Called from the header callback with one header line (CRLF included).
    func header(_ line: UnsafeBufferPointer<UInt8>) {
        guard line.count > 2 else { return }
        let first = line[0] | 0x20
        if line[0] == UInt8(ascii: "H"), HeaderLine.hasPrefix(line, "HTTP/") {
            // A new response (after 100 Continue): forget what an earlier one said.
            servedBy = nil
            location = nil
            if !setCookies.isEmpty { setCookies.removeAll(keepingCapacity: true) }
            return
        }
        switch first {
        case UInt8(ascii: "x"):
            if let value = HeaderLine.value(line, "x-served-by") { servedBy = value }
        case UInt8(ascii: "l"):
            if let value = HeaderLine.value(line, "location") { location = value }
        case UInt8(ascii: "s"):
            if let value = HeaderLine.value(line, "server-timing") {
                let timing = ServerTiming(value)
                lbAuth = timing.lbAuth
                targetTime = timing.target
            } else if captureHeaders, let value = HeaderLine.value(line, "set-cookie") {
                setCookies.append(value)
            }
        default:
            break
        }
    }
}

/// What a transfer should send. Strings and lists are the worker's, kept alive by it.
struct WireRequest {
    /// A reusable shape (>= 0) or -1 for a one-off.
    var kind: Int = -1
    var method: String = "GET"
    var urlHandle: OpaquePointer?
    var url: String = ""
    var headers: UnsafeMutablePointer<curl_slist>?
    var cookie: String?
    var bearer: String?
    var body: [UInt8]?
    var captureHeaders = false
    var captureBody = false
}

/// Transport options every handle of a run shares.
struct TransportSettings: @unchecked Sendable {
    var timeout: Double
    var http2: Bool
    var caFile: String?
    var insecure: Bool
    /// CURLOPT_RESOLVE pins (`host:port:address`), owned by the worker.
    var resolve: UnsafeMutablePointer<curl_slist>?
}

private let transferWrite: curl_write_callback = { data, size, count, context in
    let length = size * count
    guard let context else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    if transfer.captureBody, let data, transfer.body.count < 1 << 20 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) {
            transfer.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
        }
    }
    return length
}

private let transferHeader: curl_write_callback = { data, size, count, context in
    let length = size * count
    guard let context, let data else { return length }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    data.withMemoryRebound(to: UInt8.self, capacity: length) {
        transfer.header(UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}
