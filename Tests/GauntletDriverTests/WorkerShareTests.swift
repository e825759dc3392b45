import Testing
@testable import GauntletCore
@testable import GauntletDriver

/// The one place that splits a run between machines and their workers: shards first, then workers.
@Suite struct WorkerShareTests {
    static func shares(shards: Int, workers: Int, roles: [Role] = []) throws -> [WorkerShare] {
        try (0..<shards).flatMap { index in
            let shard = try Shard(index: index, count: shards)
            return (0..<workers).map { WorkerShare(worker: $0, workers: workers, shard: shard, roles: roles) }
        }
    }

    @Test("every arrival goes to exactly one worker of one shard", arguments: [(1, 1), (1, 3), (4, 1), (4, 3), (3, 4)])
    func arrivals(shards: Int, workers: Int) throws {
        let all = try Self.shares(shards: shards, workers: workers)
        var load = Array(repeating: 0, count: all.count)
        for arrival in 0..<1_200 {
            let owners = all.indices.filter { all[$0].takesArrival(arrival) }
            #expect(owners.count == 1, "arrival \(arrival): owners \(owners)")
            for owner in owners { load[owner] += 1 }
        }
        #expect(load.max()! - load.min()! <= 1, "balanced: \(load)")
    }

    @Test("users: each on one worker of one shard, each shard with its share of every role, found again by localUser")
    func users() throws {
        let roles: [Role] = [.managers, .managers, .managers, .managers, .managers, .analysts, .analysts, .analysts, .analysts]
        let all = try Self.shares(shards: 2, workers: 2, roles: roles)
        var owner: [Int: Int] = [:]
        for (s, share) in all.enumerated() {
            // The worker's users, in the order UserSessions builds them.
            let mine = roles.indices.filter { share.takesUser($0) }
            for (place, credential) in mine.enumerated() {
                #expect(owner[credential] == nil, "user \(credential) on two workers")
                owner[credential] = s
                #expect(share.localUser(credential) == place, "localUser(\(credential)) on share \(s)")
            }
        }
        #expect(owner.count == roles.count)
        for shard in 0..<2 {
            let users = owner.filter { $0.value / 2 == shard }.keys
            #expect(users.contains { roles[$0] == .analysts } && users.contains { roles[$0] == .managers }, "shard \(shard) has both roles")
        }
    }

    @Test("closed-loop connections are split between shards, then workers; open-loop ones are per machine")
    func connections() throws {
        let all = try Self.shares(shards: 4, workers: 2)
        #expect(all.map { $0.connections(16, closedLoop: true) }.reduce(0, +) == 16)
        #expect(all.map { $0.connections(16) }.reduce(0, +) == 4 * 16)
        #expect(WorkerShare(worker: 1, workers: 2).connections(5, closedLoop: true) == 2)
    }

    @Test("random streams differ across shards; an unsharded run keeps its names")
    func streams() throws {
        let names = try Self.shares(shards: 3, workers: 2).map(\.streamName)
        #expect(Set(names).count == names.count)
        #expect(WorkerShare(worker: 1, workers: 2).streamName == "worker-1")
    }

    @Test("a sharded worker sends only its shard's arrivals, at their unsharded times")
    func machineSendsItsShare() throws {
        var plan = WorkerStateMachineTests.plan(connections: 10, http: WorkerStateMachineTests.constant(10))
        plan.shard = try Shard(index: 1, count: 2)
        var h = MachineHarness(plan: plan)
        // Ticks every 10 ms: each send goes out at the first tick at or after its intended time.
        var sentAt: [Double] = []
        for step in 1...100 {
            let t = Double(step) / 100
            sentAt += h.tick(t).map { _ in t }
        }
        // 10/s: arrivals at 0.05, 0.15, … 0.95; shard 1 of 2 owns the odd ones.
        let expected = [0.15, 0.35, 0.55, 0.75, 0.95]
        #expect(sentAt.count == expected.count, "\(sentAt)")
        for (t, due) in zip(sentAt, expected) { #expect(t >= due - 1e-9 && t < due + 0.0101, "sent at \(t), due \(due)") }
    }
}
