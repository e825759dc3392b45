import Crypto
import Foundation
import StackSupport

/// Encrypts sessions into `AWSELBAuthSessionCookie-0..n` (AES-256-GCM, sharded so no cookie passes ALB's
/// 4 KB) and decrypts them back. Anything that fails to decrypt, decode or is past its session timeout is
/// simply "no session": a tampered cookie leads to a fresh login, never to an error page.
public struct SessionCookieCodec: Sendable {
    public static let sessionCookiePrefix = "AWSELBAuthSessionCookie-"
    public static let nonceCookieName = "AWSELBAuthNonce"
    /// Bytes of cookie value per shard; with the name and attributes each Set-Cookie stays under 4096 bytes.
    public static let shardSize = 4000
    /// More shards than this is a hostile or broken cookie jar; ignore it.
    static let maxShards = 16

    private let key: SymmetricKey
    /// Binds ciphertexts to this LB, so another LB's cookie does not decrypt here.
    private let associatedData: Data

    public init(key: SymmetricKey = SymmetricKey(size: .bits256), loadBalancerName: String) {
        self.key = key
        self.associatedData = Data("elb:\(loadBalancerName)".utf8)
    }

    // MARK: sealing

    func seal<T: Encodable>(_ value: T) throws -> String {
        let plain = try JSONEncoder().encode(value)
        let box = try AES.GCM.seal(plain, using: key, authenticating: associatedData)
        // `combined` is nil only for a nonce of non-standard size, which `seal` never makes.
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Base64URL.encode(combined, padded: false)
    }

    func open<T: Decodable>(_ type: T.Type, from text: String) -> T? {
        guard let data = Base64URL.decode(text),
              let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key, authenticating: associatedData)
        else { return nil }
        return try? JSONDecoder().decode(type, from: plain)
    }

    // MARK: session cookies

    /// The shard values, in order.
    public func encodeShards(_ session: EdgeSession) throws -> [String] {
        let sealed = try seal(session)
        var shards: [String] = []
        var rest = Substring(sealed)
        while !rest.isEmpty {
            shards.append(String(rest.prefix(Self.shardSize)))
            rest = rest.dropFirst(Self.shardSize)
        }
        return shards
    }

    /// Set-Cookie values for a session, expiring any shards beyond the new count that the browser still holds.
    public func setCookieHeaders(for session: EdgeSession, now: Int, previousShardCount: Int = 0) throws -> [String] {
        let shards = try encodeShards(session)
        let maxAge = max(0, session.sessionExpiresAt - now)
        var headers = shards.enumerated().map { index, value in
            "\(Self.sessionCookiePrefix)\(index)=\(value); Path=/; Max-Age=\(maxAge); Secure; HttpOnly; SameSite=None"
        }
        if previousShardCount > shards.count {
            headers += (shards.count..<previousShardCount).map { Self.expiredCookie("\(Self.sessionCookiePrefix)\($0)") }
        }
        return headers
    }

    /// Set-Cookie values that remove every session shard the browser sent.
    public func clearingHeaders(shardCount: Int) -> [String] {
        (0..<shardCount).map { Self.expiredCookie("\(Self.sessionCookiePrefix)\($0)") }
    }

    static func expiredCookie(_ name: String) -> String {
        "\(name)=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=None"
    }

    /// Number of consecutive shards present (`-0`, `-1`, …).
    public static func shardCount(in cookies: [String: String]) -> Int {
        var count = 0
        while count < maxShards, cookies[shardNames[count]] != nil { count += 1 }
        return count
    }

    /// The session in the request's cookies, or nil when absent, tampered, truncated or past its timeout.
    public func decodeSession(from cookies: [String: String], now: Int) -> EdgeSession? {
        guard let sealed = Self.sealedSession(in: cookies) else { return nil }
        return decodeSession(sealed: sealed, now: now)
    }

    /// The session sealed in `sealed` (the joined shards), or nil when tampered or past its timeout.
    public func decodeSession(sealed: String, now: Int) -> EdgeSession? {
        guard let session = open(EdgeSession.self, from: sealed), now < session.sessionExpiresAt else { return nil }
        return session
    }

    // MARK: login state

    public func nonceCookie(for state: LoginState) throws -> String {
        "\(Self.nonceCookieName)=\(try seal(state)); Path=/; Max-Age=\(max(0, state.expiresAt - Int(Date().timeIntervalSince1970))); Secure; HttpOnly; SameSite=None"
    }

    public func decodeLoginState(from cookies: [String: String], now: Int) -> LoginState? {
        guard let text = cookies[Self.nonceCookieName], let state = open(LoginState.self, from: text), now < state.expiresAt else { return nil }
        return state
    }

    /// Parses `Cookie:` header values into name → value (first occurrence wins, as browsers send the most specific first).
    /// Works on the header's bytes: a session cookie is several kilobytes, and this runs on every request.
    public static func parseCookies(_ headerValues: [String]) -> [String: String] {
        var cookies: [String: String] = [:]
        for header in headerValues {
            let utf8 = header.utf8
            var start = utf8.startIndex
            while start < utf8.endIndex {
                let end = utf8[start...].firstIndex(of: UInt8(ascii: ";")) ?? utf8.endIndex
                var pairStart = start
                while pairStart < end, utf8[pairStart] == UInt8(ascii: " ") || utf8[pairStart] == UInt8(ascii: "\t") {
                    pairStart = utf8.index(after: pairStart)
                }
                var pairEnd = end
                while pairEnd > pairStart {
                    let before = utf8.index(before: pairEnd)
                    guard utf8[before] == UInt8(ascii: " ") || utf8[before] == UInt8(ascii: "\t") else { break }
                    pairEnd = before
                }
                if let eq = utf8[pairStart..<pairEnd].firstIndex(of: UInt8(ascii: "=")) {
                    let name = String(Substring(utf8[pairStart..<eq]))
                    if cookies[name] == nil { cookies[name] = String(Substring(utf8[utf8.index(after: eq)..<pairEnd])) }
                }
                start = end < utf8.endIndex ? utf8.index(after: end) : end
            }
        }
        return cookies
    }

    /// The session shards joined in order (what was sealed), or nil when there are none.
    public static func sealedSession(in cookies: [String: String]) -> String? {
        let count = shardCount(in: cookies)
        guard count > 0 else { return nil }
        var joined = ""
        for index in 0..<count { joined += cookies[shardNames[index]]! }
        return joined
    }

    /// `AWSELBAuthSessionCookie-0` … built once, not per request.
    static let shardNames = (0..<maxShards).map { "\(sessionCookiePrefix)\($0)" }
}
