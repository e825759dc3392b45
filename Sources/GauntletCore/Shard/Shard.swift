/// One machine's part of a run split across N machines: which arrivals, which users and how many
/// closed-loop connections it owns.
///
/// The split is a pure function of the arrival's index in the whole schedule, so every shard walks the
/// same schedule (the same seed draws the same Poisson gaps) and keeps every N-th arrival. The union of
/// the N shards is therefore exactly the single-machine schedule, and no two shards send the same arrival.
/// Indices are 0-based, as Kubernetes' `JOB_COMPLETION_INDEX` is.
public struct Shard: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// The unsharded run: it owns everything.
    public static let whole = Shard(uncheckedIndex: 0, count: 1)

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw ShardError("the shard count must be at least 1, got \(count)") }
        guard (0..<count).contains(index) else {
            throw ShardError("shard index \(index) is outside 0..\(count - 1) (indices are 0-based: K/N with 0 ≤ K < N)")
        }
        self.index = index
        self.count = count
    }

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    /// `K/N`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }

    public var isWhole: Bool { count == 1 }

    /// Parses `K/N` (0 ≤ K < N).
    public static func parse(_ text: String) throws(ShardError) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError("--shard \"\(text)\" is not K/N (for example 0/4: the first of four shards)")
        }
        return try Shard(index: index, count: count)
    }

    /// The shard an engine's environment names: Kubernetes Indexed Jobs set `JOB_COMPLETION_INDEX` (the
    /// count then comes from `shards`); Slurm arrays set `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT`
    /// (`SLURM_ARRAY_TASK_MIN` is subtracted, so `--array=1-4` works as well as `--array=0-3`).
    /// Nil when neither engine's variables are set.
    public static func fromEnvironment(_ environment: [String: String], shards: Int?) throws(ShardError) -> Shard? {
        func integer(_ name: String) throws(ShardError) -> Int? {
            guard let text = environment[name] else { return nil }
            guard let value = Int(text.trimmingSpaces) else { throw ShardError("\(name)=\"\(text)\" is not an integer") }
            return value
        }
        if let index = try integer("JOB_COMPLETION_INDEX") {
            guard let shards else {
                throw ShardError("JOB_COMPLETION_INDEX=\(index) is set, but not the shard count: pass --shards N (the Job's completions)")
            }
            return try Shard(index: index, count: shards)
        }
        if let task = try integer("SLURM_ARRAY_TASK_ID") {
            let minimum = try integer("SLURM_ARRAY_TASK_MIN") ?? 0
            let slurmCount = try integer("SLURM_ARRAY_TASK_COUNT")
            guard let count = shards ?? slurmCount else {
                throw ShardError("SLURM_ARRAY_TASK_ID=\(task) is set, but neither SLURM_ARRAY_TASK_COUNT nor --shards N")
            }
            if let slurmCount, slurmCount != count {
                throw ShardError("--shards \(count) disagrees with SLURM_ARRAY_TASK_COUNT=\(slurmCount)")
            }
            return try Shard(index: task - minimum, count: count)
        }
        return nil
    }

    // MARK: the partition

    /// The arrival's place among this shard's own arrivals, or nil when another shard sends it. `arrival`
    /// counts from 0 over the whole (unsharded) schedule of one request type.
    @inline(__always)
    public func localIndex(ofArrival arrival: Int) -> Int? {
        arrival % count == index ? arrival / count : nil
    }

    /// Which users (indices into `roles`, each user's role in the run's list) this shard owns: within
    /// each role, every N-th user, so that each shard gets its share of every role and no user (hence no
    /// session) is on two shards.
    public func ownedUsers<Role: Hashable>(roles: [Role]) -> [Int] {
        var seen: [Role: Int] = [:]
        var owned: [Int] = []
        for (user, role) in roles.enumerated() {
            let ordinal = seen[role, default: 0]
            seen[role] = ordinal + 1
            if ordinal % count == index { owned.append(user) }
        }
        return owned
    }

    /// This shard's part of `total` (closed-loop connections): the first `total % N` shards take one
    /// more, so the parts add up to `total`.
    public func share(of total: Int) -> Int {
        total / count + (index < total % count ? 1 : 0)
    }

    /// What cannot be split `count` ways: a closed-loop schedule with fewer connections than shards, or
    /// a role with fewer users than shards (a shard without one could not send that role's requests).
    public func problems(for scenario: Scenario) -> [String] {
        guard count > 1 else { return [] }
        var problems: [String] = []
        for type in scenario.requestTypes {
            if case let .max(connections) = scenario.schedule(for: type), connections < count {
                problems.append("requests.\(type.rawValue).schedule: max with \(connections) connections cannot be split into \(count) shards (each needs at least one)")
            }
        }
        // Only UI and API requests act as users (uploads authenticate with keys or a client token).
        if scenario.users.csv == nil, scenario.ui != nil || scenario.api != nil {
            for (role, users) in [("managers", scenario.users.managers), ("analysts", scenario.users.analysts)] where users > 0 && users < count {
                problems.append("users.\(role): \(users) cannot be split into \(count) shards without sharing a session; use at least \(count)")
            }
        }
        return problems
    }
}

/// A shard specification that cannot be used, with what was expected.
public struct ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension String {
    fileprivate var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map(index(after:)) ?? start
        return self[start..<end]
    }
}
