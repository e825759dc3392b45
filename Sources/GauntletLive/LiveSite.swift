import Foundation
import GauntletCore
import GauntletReports

/// The live endpoint's routes, on the server's thread. Each version of the board is summarised and drawn
/// at most once, however many readers ask, and only when someone asks.
final class LiveSite: LiveHandler {
    private let board: LiveBoard
    private var cache = Cache(version: -1)
    /// The board version the open streams have last been sent.
    private var streamed = -1

    private struct Cache {
        var version: Int
        var frame: LiveFrame?
        var fragment: String?
        var metrics: String?
    }

    init(board: LiveBoard) {
        self.board = board
    }

    func reply(to head: HTTPRequestHead) -> LiveReply {
        switch head.path {
        case "/", "/index.html":
            let page = current().frame.map(LivePageRenderer.page) ?? LivePageRenderer.waitingPage
            return .response(HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", text: page))
        case "/events":
            let (frame, version) = current()
            streamed = max(streamed, version)
            var initial = Array("retry: 1000\n\n".utf8)
            if let frame { initial += Self.event(frame.finished ? "end" : "frame", id: version, data: fragment()) }
            return .stream(initial: initial, ended: frame?.finished ?? false)
        case "/metrics":
            guard current().frame != nil else { return .response(.error(503, "the run has not reported its first second yet")) }
            if cache.metrics == nil { cache.metrics = cache.frame.map(LiveMetricsRenderer.render) }
            return .response(HTTPResponse(status: 200, contentType: LiveMetricsRenderer.contentType, text: cache.metrics ?? ""))
        case "/summary.json":
            guard let frame = current().frame, let json = try? frame.summary.encoded() else {
                return .response(.error(503, "the run has not reported its first second yet"))
            }
            return .response(HTTPResponse(status: 200, contentType: "application/json", body: Array(json)))
        default:
            return .response(.error(404, "no such page; the live endpoint serves /, /events, /metrics and /summary.json"))
        }
    }

    func streamUpdate(streams: Int) -> (bytes: [UInt8], end: Bool)? {
        guard streams > 0, board.version != streamed else { return nil }
        let (frame, version) = current()
        streamed = version
        guard let frame else { return nil }
        return (Self.event(frame.finished ? "end" : "frame", id: version, data: fragment()), frame.finished)
    }

    private func current() -> (frame: LiveFrame?, version: Int) {
        let version = board.version
        if cache.version != version {
            let (frame, seen) = board.frame()
            cache = Cache(version: seen, frame: frame)
        }
        return (cache.frame, cache.version)
    }

    private func fragment() -> String {
        if cache.fragment == nil { cache.fragment = cache.frame.map(LivePageRenderer.fragment) }
        return cache.fragment ?? ""
    }

    /// One server-sent event; every line of `data` becomes a `data:` line.
    static func event(_ name: String, id: Int, data: String) -> [UInt8] {
        var text = "event: \(name)\nid: \(id)\n"
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: "
            text += line.hasSuffix("\r") ? line.dropLast() : line
            text += "\n"
        }
        return Array((text + "\n").utf8)
    }
}
