import Foundation

/// A user as the identity provider lists them; handed to the Manager UI at start.
public struct DirectoryUser: Codable, Sendable, Equatable {
    public var username: String
    public var email: String?
    public var groups: [String]
    public var enabled: Bool
    public var createdAt: Date?

    public init(username: String, email: String?, groups: [String], enabled: Bool = true, createdAt: Date? = nil) {
        self.username = username
        self.email = email
        self.groups = groups
        self.enabled = enabled
        self.createdAt = createdAt
    }
}

/// A log source: where uploaded events say they come from.
public struct LogSource: Codable, Sendable, Equatable {
    public static let kinds = ["http", "syslog", "agent", "s3"]

    public var id: String
    public var name: String
    public var kind: String
    public var description: String
    public var enabled: Bool
    public var createdAt: Date
    public var updatedAt: Date
}

/// The body of `POST /manager/api/sources` and `PUT /manager/api/sources/{id}`.
public struct LogSourceInput: Codable, Sendable, Equatable {
    public var name: String
    public var kind: String
    public var description: String?
    public var enabled: Bool?

    public init(name: String, kind: String, description: String? = nil, enabled: Bool? = nil) {
        self.name = name
        self.kind = kind
        self.description = description
        self.enabled = enabled
    }

    /// Checks every field, naming the first bad one and what it must look like.
    func validate() throws(APIError) {
        let nameBytes = Array(name.utf8)
        guard (1...64).contains(nameBytes.count),
              nameBytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }),
              let first = nameBytes.first, first != 0x2D, first != 0x2E, first != 0x5F
        else {
            throw .invalid("name", "name must be 1-64 characters of a-z, 0-9, '-', '.', '_', starting with a letter or digit; got '\(name)'")
        }
        guard LogSource.kinds.contains(kind) else {
            throw .invalid("kind", "kind must be one of \(LogSource.kinds.joined(separator: ", ")); got '\(kind)'")
        }
        if let description, description.count > 500 {
            throw .invalid("description", "description must be at most 500 characters; got \(description.count)")
        }
    }
}

/// An API key as listed: the secret itself is shown once, at creation, and stored only as a hash.
public struct APIKeyInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// The first characters of the key, so a person can tell keys apart.
    public var prefix: String
    public var sourceId: String?
    public var createdAt: Date
    public var createdBy: String
    public var revoked: Bool
}

public struct APIKeyInput: Codable, Sendable, Equatable {
    public var name: String
    public var sourceId: String?

    public init(name: String, sourceId: String? = nil) {
        self.name = name
        self.sourceId = sourceId
    }

    func validate() throws(APIError) {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(trimmed.count), trimmed == name else {
            throw .invalid("name", "name must be 1-64 characters without leading or trailing spaces; got '\(name)'")
        }
    }
}

/// The response to creating a key: the only time `key` is ever sent.
public struct CreatedAPIKey: Codable, Sendable, Equatable {
    public var key: String
    public var info: APIKeyInfo
}

/// How long events are kept.
public struct RetentionSettings: Codable, Sendable, Equatable {
    public static let allowedDays = 1...3650

    public var days: Int
    /// Events under legal hold are never expired, whatever `days` says.
    public var legalHold: Bool
    public var updatedAt: Date?
    public var updatedBy: String?

    public init(days: Int, legalHold: Bool = false, updatedAt: Date? = nil, updatedBy: String? = nil) {
        self.days = days
        self.legalHold = legalHold
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

public struct RetentionInput: Codable, Sendable, Equatable {
    public var days: Int
    public var legalHold: Bool?

    public init(days: Int, legalHold: Bool? = nil) {
        self.days = days
        self.legalHold = legalHold
    }

    func validate() throws(APIError) {
        guard RetentionSettings.allowedDays.contains(days) else {
            throw .invalid("days", "days must be between 1 and 3650; got \(days)")
        }
    }
}
