import Crypto
import Foundation
import Glibc

/// The store's data keys, kept in one 0600 JSON file in the state dir that stands in for KMS.
///
/// Every block records the id of the key that sealed it, so `rotate()` can add a new active key while
/// older blocks stay readable with theirs.
public struct StoreKeyring: Sendable {
    public let path: String
    public private(set) var activeKeyID: String
    /// The key new blocks are sealed with; always one of `keys`.
    public private(set) var activeKey: SymmetricKey
    private var keys: [String: SymmetricKey]

    private struct File: Codable {
        var active: String
        var keys: [Entry]
        struct Entry: Codable {
            var id: String
            var material: String
        }
    }

    public enum KeyringError: Error, CustomStringConvertible {
        case permissions(path: String, mode: UInt32)
        case malformed(path: String, reason: String)

        public var description: String {
            switch self {
            case .permissions(let path, let mode):
                return "key file \(path) has mode \(String(mode, radix: 8)); expected 600 (owner read/write only)"
            case .malformed(let path, let reason):
                return "key file \(path) is unreadable: \(reason)"
            }
        }
    }

    /// Loads the key file at `path`, creating it (mode 0600, one fresh 256-bit key) if it does not exist.
    public static func openOrCreate(path: String) throws -> StoreKeyring {
        if access(path, F_OK) != 0 {
            let keyID = newKeyID()
            let key = SymmetricKey(size: .bits256)
            let ring = StoreKeyring(path: path, activeKeyID: keyID, activeKey: key, keys: [keyID: key])
            try ring.save()
            return ring
        }
        let info = try StoreFileSystem.stat(path)
        let mode = UInt32(info.st_mode) & 0o777
        guard mode & 0o077 == 0 else { throw KeyringError.permissions(path: path, mode: mode) }
        let data = Data(try StoreFileSystem.readFile(path))
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw KeyringError.malformed(path: path, reason: "\(error)")
        }
        var keys: [String: SymmetricKey] = [:]
        for entry in file.keys {
            guard let raw = Data(base64Encoded: entry.material), raw.count == 32 else {
                throw KeyringError.malformed(path: path, reason: "key \(entry.id) is not 32 base64-encoded bytes")
            }
            guard entry.id.utf8.count <= 64 else {
                throw KeyringError.malformed(path: path, reason: "key id \(entry.id) is longer than 64 bytes")
            }
            keys[entry.id] = SymmetricKey(data: raw)
        }
        guard let activeKey = keys[file.active] else {
            throw KeyringError.malformed(path: path, reason: "active key \(file.active) is not in the file")
        }
        return StoreKeyring(path: path, activeKeyID: file.active, activeKey: activeKey, keys: keys)
    }

    private init(path: String, activeKeyID: String, activeKey: SymmetricKey, keys: [String: SymmetricKey]) {
        self.path = path
        self.activeKeyID = activeKeyID
        self.activeKey = activeKey
        self.keys = keys
    }

    public func key(id: String) -> SymmetricKey? { keys[id] }

    public var keyIDs: [String] { keys.keys.sorted() }

    /// Adds a fresh key, makes it the active one and saves the file; returns its id.
    @discardableResult
    public mutating func rotate() throws -> String {
        let keyID = Self.newKeyID()
        let key = SymmetricKey(size: .bits256)
        keys[keyID] = key
        activeKeyID = keyID
        activeKey = key
        try save()
        return keyID
    }

    private static func newKeyID() -> String {
        "key-" + (0..<8).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }

    /// Writes a temp file created 0600, syncs it, renames it over the key file and syncs the directory.
    private func save() throws {
        let file = File(
            active: activeKeyID,
            keys: keys.sorted { $0.key < $1.key }.map { id, key in
                File.Entry(id: id, material: key.withUnsafeBytes { Data($0).base64EncodedString() })
            }
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes = try encoder.encode(file)
        let tmp = path + ".tmp"
        _ = Glibc.unlink(tmp)
        let fd = try StoreFileSystem.open(tmp, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        do {
            try bytes.withUnsafeBytes { try StoreFileSystem.writeAll(fd, $0, path: tmp) }
            try StoreFileSystem.check("fsync", tmp) { fsync(fd) }
        } catch {
            StoreFileSystem.close(fd)
            throw error
        }
        StoreFileSystem.close(fd)
        try StoreFileSystem.rename(tmp, path)
        try StoreFileSystem.syncDirectory((path as NSString).deletingLastPathComponent)
    }
}
