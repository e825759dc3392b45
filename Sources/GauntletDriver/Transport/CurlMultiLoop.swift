#if canImport(Glibc)
import Glibc
#endif
import CCurl
import GauntletCore

/// The one door to libcurl's multi interface: it owns the multi handle, one `Transfer` (easy handle) per
/// slot, the curl header lists and pre-parsed URLs, and carries out what the state machine asks. Every
/// `curl_multi_*` and `curl_easy_*` return code goes through `Curl.check`.
///
/// Confined to its worker's thread.
final class CurlMultiLoop {
    private let multi: UnsafeMutableRawPointer
    private var settings: TransportSettings
    private var transfers: [Transfer?] = []
    /// Curl lists by `HeaderSets` id, built on first use and kept for the run.
    private var headerLists: [UnsafeMutablePointer<curl_slist>?] = []
    private var urlHandles: [String: OpaquePointer] = [:]
    /// Pre-parsed URLs of reusable request shapes, by kind.
    private var kindURLs: [OpaquePointer?] = []
    /// Every list the loop made (headers and DNS pins), freed at the end.
    private var lists: [UnsafeMutablePointer<curl_slist>] = []

    init(settings: TransportSettings, maxConnects: Int) throws(TransportError) {
        _ = Curl.initialised
        guard let multi = curl_multi_init() else { throw TransportError(category: .other, code: -1, message: "curl_multi_init failed") }
        self.multi = multi
        self.settings = settings
        try Curl.check(gauntlet_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, maxConnects), "setting CURLMOPT_MAXCONNECTS")
    }

    deinit {
        for case let transfer? in transfers where transfer.attached { _ = curl_multi_remove_handle(multi, transfer.handle) }
        transfers.removeAll()
        curl_multi_cleanup(multi)
        for handle in urlHandles.values { curl_url_cleanup(handle) }
        for handle in kindURLs.compactMap({ $0 }) { curl_url_cleanup(handle) }
        for list in lists { curl_slist_free_all(list) }
    }

    // MARK: slots

    /// Creates slot `slot`'s easy handle.
    func open(slot: Int, timedByLibcurl: Bool) throws(TransportError) {
        while transfers.count <= slot { transfers.append(nil) }
        transfers[slot] = try Transfer(slot: slot, timedByLibcurl: timedByLibcurl, settings: settings)
    }

    /// Prepares slot `slot` for `request` and adds it to the multi handle.
    func send(slot: Int, _ request: OutgoingRequest, headers: HeaderSets) throws(TransportError) {
        guard transfers.indices.contains(slot), let transfer = transfers[slot] else {
            throw TransportError(category: .other, code: -1, message: "slot \(slot) has no easy handle")
        }
        let wire = WireRequest(
            kind: request.kind, method: request.method, urlHandle: request.parseURL ? urlHandle(request) : nil, url: request.url,
            headers: list(for: request.headers, headers), cookie: request.cookie, bearer: request.bearer, body: request.body,
            captureHeaders: request.captureHeaders, captureBody: request.captureBody)
        try transfer.prepare(wire)
        try Curl.check(curl_multi_add_handle(multi, transfer.handle), "adding a transfer")
        transfer.attached = true
    }

    /// Takes slot `slot`'s exchange off the wire.
    func cancel(slot: Int) throws(TransportError) {
        guard transfers.indices.contains(slot), let transfer = transfers[slot], transfer.attached else { return }
        transfer.attached = false
        try Curl.check(curl_multi_remove_handle(multi, transfer.handle), "removing a transfer")
    }

    private func list(for id: Int, _ headers: HeaderSets) -> UnsafeMutablePointer<curl_slist>? {
        guard id >= 0 else { return nil }
        if id < headerLists.count, let list = headerLists[id] { return list }
        while headerLists.count <= id { headerLists.append(nil) }
        let list = Curl.list(headers.lines(id))
        if let list { lists.append(list) }
        headerLists[id] = list
        return list
    }

    /// A pre-parsed URL (nil: libcurl could not parse it; the string is sent instead).
    private func urlHandle(_ request: OutgoingRequest) -> OpaquePointer? {
        if request.kind >= 0 {
            while kindURLs.count <= request.kind { kindURLs.append(nil) }
            if let handle = kindURLs[request.kind] { return handle }
            kindURLs[request.kind] = Self.parse(request.url)
            return kindURLs[request.kind]
        }
        if let handle = urlHandles[request.url] { return handle }
        guard let handle = Self.parse(request.url) else { return nil }
        urlHandles[request.url] = handle
        return handle
    }

    private static func parse(_ url: String) -> OpaquePointer? {
        guard let handle = curl_url() else { return nil }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else {
            curl_url_cleanup(handle)
            return nil
        }
        return handle
    }

    // MARK: DNS pins

    /// New CURLOPT_RESOLVE pins for every handle (applied before each one's next request) and new ones.
    func pin(_ entries: [String]) {
        guard let list = Curl.list(entries) else { return }
        lists.append(list)
        settings.resolve = list
        for case let transfer? in transfers { transfer.pendingResolve = list }
    }

    // MARK: the wire

    /// Moves every exchange along (non-blocking).
    func perform() throws(TransportError) {
        var running: Int32 = 0
        try Curl.check(curl_multi_perform(multi, &running), "curl_multi_perform")
    }

    /// Waits up to `milliseconds` for I/O.
    func poll(milliseconds: Int) throws(TransportError) {
        try Curl.check(curl_multi_poll(multi, nil, 0, Int32(milliseconds), nil), "curl_multi_poll")
    }

    /// Calls `body` with each finished exchange's slot and response, taking it off the multi handle.
    func drain(_ body: (Int, TransferResponse) -> Void) throws(TransportError) {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var pointer: UnsafeMutableRawPointer?
            try Curl.check(gauntlet_easy_getinfo_ptr(handle, CURLINFO_PRIVATE, &pointer), "reading a transfer's slot")
            try Curl.check(curl_multi_remove_handle(multi, handle), "removing a finished transfer")
            guard let pointer else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(pointer).takeUnretainedValue()
            transfer.attached = false
            body(transfer.slot, code == CURLE_OK ? transfer.response() : .failed(Curl.error(for: code, "")))
        }
    }
}
