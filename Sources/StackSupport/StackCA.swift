import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The stack's private certificate authority and the one leaf certificate every listener serves.
///
/// The leaf's SANs name every stack hostname and the IP 127.0.0.1, so clients can connect either by name
/// (pinned with curl's `--resolve`) or directly, and verify the chain against `caFile` alone. Keys are P-256.
/// Files live in the state directory (`ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem`; keys 0600)
/// and are reused on the next start, so a client that trusted the CA once keeps working. A leaf that no
/// longer covers the requested hostnames (the domain changed) is reissued from the same CA.
public struct StackCA: Sendable {
    public let caCertificate: Certificate
    public let leafCertificate: Certificate
    private let caKey: P256.Signing.PrivateKey
    private let leafKey: P256.Signing.PrivateKey
    /// The CA certificate in PEM, the only thing a client needs to trust the stack.
    public let caFile: URL
    public let leafFile: URL
    public let leafKeyFile: URL

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(URL, String)
        case cannotWrite(URL, String)

        public var description: String {
            switch self {
            case .unreadable(let url, let why): "cannot load \(url.path): \(why)"
            case .cannotWrite(let url, let why): "cannot write \(url.path): \(why)"
            }
        }
    }

    /// Loads the CA and leaf from `stateDirectory`, creating whatever is missing (or stale).
    public static func loadOrCreate(stateDirectory: URL, hostnames: [String]) throws -> StackCA {
        let fm = FileManager.default
        try fm.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let caFile = stateDirectory.appendingPathComponent("ca.pem")
        let caKeyFile = stateDirectory.appendingPathComponent("ca-key.pem")
        let leafFile = stateDirectory.appendingPathComponent("server.pem")
        let leafKeyFile = stateDirectory.appendingPathComponent("server-key.pem")

        let caKey: P256.Signing.PrivateKey
        let caCert: Certificate
        if fm.fileExists(atPath: caFile.path), fm.fileExists(atPath: caKeyFile.path) {
            caKey = try load(caKeyFile) { try P256.Signing.PrivateKey(pemRepresentation: $0) }
            caCert = try load(caFile) { try Certificate(pemEncoded: $0) }
        } else {
            caKey = P256.Signing.PrivateKey()
            caCert = try makeCA(key: caKey)
            try write(caKey.pemRepresentation, to: caKeyFile, mode: 0o600)
            try write(caCert.serializeAsPEM().pemString, to: caFile, mode: 0o644)
        }

        var reusable: (Certificate, P256.Signing.PrivateKey)?
        if fm.fileExists(atPath: leafFile.path), fm.fileExists(atPath: leafKeyFile.path) {
            let cert = try load(leafFile) { try Certificate(pemEncoded: $0) }
            let key = try load(leafKeyFile) { try P256.Signing.PrivateKey(pemRepresentation: $0) }
            if cert.issuer == caCert.subject, covers(cert, hostnames: hostnames),
                cert.notValidAfter > Date().addingTimeInterval(86_400)
            {
                reusable = (cert, key)
            }
        }
        let leaf: (Certificate, P256.Signing.PrivateKey)
        if let reusable {
            leaf = reusable
        } else {
            let key = P256.Signing.PrivateKey()
            let cert = try makeLeaf(key: key, hostnames: hostnames, caCert: caCert, caKey: caKey)
            try write(key.pemRepresentation, to: leafKeyFile, mode: 0o600)
            try write(cert.serializeAsPEM().pemString, to: leafFile, mode: 0o644)
            leaf = (cert, key)
        }
        return StackCA(
            caCertificate: caCert, leafCertificate: leaf.0, caKey: caKey, leafKey: leaf.1,
            caFile: caFile, leafFile: leafFile, leafKeyFile: leafKeyFile)
    }

    /// Server side of every stack listener: the leaf plus the CA (a full chain), TLS 1.2 or newer only.
    public func serverTLSConfiguration() throws -> TLSConfiguration {
        let leaf = try NIOSSLCertificate(bytes: Array(leafCertificate.serializeAsPEM().pemString.utf8), format: .pem)
        let ca = try NIOSSLCertificate(bytes: Array(caCertificate.serializeAsPEM().pemString.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(leafKey.pemRepresentation.utf8), format: .pem)
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(leaf), .certificate(ca)], privateKey: .privateKey(key))
        config.minimumTLSVersion = .tlsv12
        return config
    }

    /// Client side for stack-internal hops (LB → targets, LB → IdP): trusts this CA and nothing else.
    public func clientTLSConfiguration() -> TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        config.minimumTLSVersion = .tlsv12
        // The CA was built by this process (or read back from its own PEM), so this cannot fail in practice;
        // if it did, an empty trust store makes every handshake fail loudly rather than trusting the system.
        let ca = (try? NIOSSLCertificate(bytes: Array(caCertificate.serializeAsPEM().pemString.utf8), format: .pem))
        config.trustRoots = .certificates(ca.map { [$0] } ?? [])
        return config
    }

    // MARK: - issuing

    private static func makeCA(key: P256.Signing.PrivateKey) throws -> Certificate {
        let name = try DistinguishedName {
            OrganizationName("Gauntlet reference stack")
            CommonName("Gauntlet Stack CA")
        }
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
            },
            issuerPrivateKey: .init(key))
    }

    private static func makeLeaf(
        key: P256.Signing.PrivateKey, hostnames: [String], caCert: Certificate, caKey: P256.Signing.PrivateKey
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("Gauntlet reference stack")
            CommonName(hostnames.first ?? "127.0.0.1")
        }
        var names: [GeneralName] = hostnames.map { .dnsName($0) }
        names.append(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))
        let now = Date()
        return try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600),
            // 397 days: the longest validity browsers accept for a server certificate.
            notValidAfter: now.addingTimeInterval(397 * 86_400),
            issuer: caCert.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
                AuthorityKeyIdentifier(keyIdentifier: try caCert.extensions.subjectKeyIdentifier?.keyIdentifier)
            },
            issuerPrivateKey: .init(caKey))
    }

    private static func covers(_ cert: Certificate, hostnames: [String]) -> Bool {
        guard let sans = try? cert.extensions.subjectAlternativeNames else { return false }
        let dns = Set(sans.compactMap { if case .dnsName(let n) = $0 { n } else { nil } })
        return Set(hostnames).isSubset(of: dns)
    }

    private static func load<T>(_ url: URL, _ parse: (String) throws -> T) throws -> T {
        do {
            return try parse(String(contentsOf: url, encoding: .utf8))
        } catch {
            throw Failure.unreadable(url, "\(error)")
        }
    }

    private static func write(_ text: String, to url: URL, mode: Int) throws {
        let fm = FileManager.default
        // Create with the final mode so a key is never readable by others, not even for an instant.
        if fm.fileExists(atPath: url.path) { try? fm.removeItem(at: url) }
        guard fm.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode]) else {
            throw Failure.cannotWrite(url, "create failed")
        }
    }
}
