import CCurl
import GauntletCore

/// A libcurl failure, typed: the category is a closed set safe as a metric label, the code and message
/// say exactly what libcurl reported.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public var category: ErrorCategory
    /// The CURLcode (or CURLMcode for multi calls) as a number.
    public var code: Int
    public var message: String

    public var description: String { "\(category.rawValue): \(message) (libcurl code \(code))" }
}

/// The one door to libcurl's return codes: every CURLcode and CURLMcode goes through here.
enum Curl {
    /// libcurl's global state, initialised once per process before any handle exists.
    static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Throws unless `code` is CURLE_OK.
    @inline(__always)
    static func check(_ code: CURLcode, _ what: @autoclosure () -> String) throws(TransportError) {
        guard code != CURLE_OK else { return }
        throw error(for: code, what())
    }

    @inline(__always)
    static func check(_ code: CURLMcode, _ what: @autoclosure () -> String) throws(TransportError) {
        guard code != CURLM_OK else { return }
        let text = curl_multi_strerror(code).map { String(cString: $0) } ?? "multi error"
        throw TransportError(category: .other, code: Int(code.rawValue), message: "\(what()): \(text)")
    }

    /// The error for a finished transfer's result code.
    static func error(for code: CURLcode, _ what: String) -> TransportError {
        let text = curl_easy_strerror(code).map { String(cString: $0) } ?? "error"
        return TransportError(category: category(of: code), code: Int(code.rawValue), message: what.isEmpty ? text : "\(what): \(text)")
    }

    /// Maps libcurl's result codes onto Gauntlet's error categories.
    static func category(of code: CURLcode) -> ErrorCategory {
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .dns
        case CURLE_COULDNT_CONNECT:
            return .connect
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
            CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return .tls
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            return .reset
        case CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY, CURLE_PARTIAL_FILE, CURLE_BAD_CONTENT_ENCODING,
            CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .protocol
        default:
            return .other
        }
    }

    static func setLong(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(TransportError) {
        try check(gauntlet_easy_setopt_long(handle, option, value), "setting option \(option.rawValue)")
    }

    static func setString(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String?) throws(TransportError) {
        let code: CURLcode
        if let value {
            code = value.withCString { gauntlet_easy_setopt_str(handle, option, $0) }
        } else {
            code = gauntlet_easy_setopt_str(handle, option, nil)
        }
        try check(code, "setting option \(option.rawValue)")
    }

    static func setPointer(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws(TransportError) {
        try check(gauntlet_easy_setopt_ptr(handle, option, value), "setting option \(option.rawValue)")
    }

    static func setList(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ list: UnsafeMutablePointer<curl_slist>?) throws(TransportError) {
        try check(gauntlet_easy_setopt_slist(handle, option, list), "setting option \(option.rawValue)")
    }

    static func infoOff(_ handle: UnsafeMutableRawPointer, _ info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        return gauntlet_easy_getinfo_off(handle, info, &value) == CURLE_OK ? Int64(value) : -1
    }

    static func infoLong(_ handle: UnsafeMutableRawPointer, _ info: CURLINFO) -> Int {
        var value: Int = 0
        return gauntlet_easy_getinfo_long(handle, info, &value) == CURLE_OK ? value : -1
    }

    /// Builds a curl_slist; the caller owns it (`curl_slist_free_all`).
    static func list(_ items: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for item in items { list = curl_slist_append(list, item) }
        return list
    }
}
