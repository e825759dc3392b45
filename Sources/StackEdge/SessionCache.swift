import Crypto
import Synchronization

/// Decrypted sessions kept by the digest of their sealed cookie, for a short time, together with the
/// `x-amzn-oidc-data` signed for them (valid until its `exp`, so it can be reused as AWS reuses its own).
///
/// Opening a session is an AES-GCM open and a JSON decode of several kilobytes, and signing is an ECDSA
/// signature; a browser sends the same cookie on every request, so both are done once per session and TTL.
/// The cache holds no more than `capacity` entries: past it, expired entries go first, then arbitrary ones.
struct SessionCacheState: Sendable {
    struct Entry: Sendable, Equatable {
        var session: EdgeSession
        /// Unix seconds; never past the access token's expiry, so a refresh always sees the real cookie.
        var cachedUntil: Int
        var oidcData: String?
    }

    let capacity: Int
    let ttl: Int
    private(set) var entries: [SHA256Digest: Entry] = [:]

    init(capacity: Int, ttl: Int) {
        self.capacity = capacity
        self.ttl = ttl
    }

    func lookup(_ key: SHA256Digest, now: Int) -> Entry? {
        guard let entry = entries[key], now < entry.cachedUntil else { return nil }
        return entry
    }

    mutating func store(_ key: SHA256Digest, session: EdgeSession, now: Int) {
        guard capacity > 0, ttl > 0 else { return }
        let until = min(now + ttl, session.accessExpiresAt, session.sessionExpiresAt)
        guard until > now else { return }
        if entries[key] == nil, entries.count >= capacity {
            entries = entries.filter { now < $0.value.cachedUntil }
            while entries.count >= capacity, let victim = entries.keys.first { entries[victim] = nil }
        }
        entries[key] = Entry(session: session, cachedUntil: until, oidcData: nil)
    }

    mutating func attach(oidcData: String, to key: SHA256Digest) {
        entries[key]?.oidcData = oidcData
    }
}

/// ``SessionCacheState`` shared by every connection.
final class SessionCache: Sendable {
    private let state: Mutex<SessionCacheState>

    init(capacity: Int, ttl: Int) {
        state = Mutex(SessionCacheState(capacity: capacity, ttl: ttl))
    }

    static func key(sealed: String) -> SHA256Digest {
        var text = sealed
        var hasher = SHA256()
        text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    func lookup(_ key: SHA256Digest, now: Int) -> SessionCacheState.Entry? { state.withLock { $0.lookup(key, now: now) } }
    func store(_ key: SHA256Digest, session: EdgeSession, now: Int) { state.withLock { $0.store(key, session: session, now: now) } }
    func attach(oidcData: String, to key: SHA256Digest) { state.withLock { $0.attach(oidcData: oidcData, to: key) } }
    var count: Int { state.withLock { $0.entries.count } }
}
