import Testing
@testable import GauntletCore

@Suite("Shards")
struct ShardTests {
    static let schedules: [ArrivalSchedule] = [
        .constant(rate: 97),
        .ramp(from: 0, to: 150, duration: 6),
        .ramp(from: 80, to: 5, duration: nil),
        .steps([.init(rate: 10, duration: 2), .init(rate: 61, duration: 3)]),
        .spike(base: 7, peak: 230, at: 3, duration: 1.5),
        .poisson(rate: 140),
    ]

    @Test("the union of N shards' intended times is the unsharded schedule, each time once", arguments: schedules)
    func unionIsTheWhole(schedule: ArrivalSchedule) throws {
        let whole = schedule.intendedTimes(runDuration: 10, seed: 7)
        #expect(whole.count > 100)
        for count in [1, 2, 3, 4, 7, 16] {
            var union: [Double] = []
            for index in 0..<count {
                let part = schedule.intendedTimes(runDuration: 10, seed: 7, shard: try Shard(index: index, count: count))
                // Every shard carries its share: ⌊n/N⌋ or ⌈n/N⌉ arrivals.
                #expect(abs(part.count * count - whole.count) <= count, "shard \(index)/\(count) of \(schedule)")
                union += part
            }
            #expect(union.sorted() == whole, "\(count) shards of \(schedule)")
        }
    }

    @Test("a shard's workers split its arrivals again without loss or overlap")
    func shardThenWorkers() throws {
        let workers = 3
        var owners: [Int: (shard: Int, worker: Int)] = [:]
        for index in 0..<4 {
            let shard = try Shard(index: index, count: 4)
            for arrival in 0..<1_000 {
                guard let local = shard.localIndex(ofArrival: arrival) else { continue }
                #expect(owners[arrival] == nil, "arrival \(arrival) owned twice")
                owners[arrival] = (index, local % workers)
            }
        }
        #expect(owners.count == 1_000)
        // Each (shard, worker) pair gets 1000 / 12 ± 1.
        var load: [Int: Int] = [:]
        for owner in owners.values { load[owner.shard * workers + owner.worker, default: 0] += 1 }
        #expect(load.count == 12)
        #expect(load.values.allSatisfy { abs($0 - 1_000 / 12) <= 1 })
    }

    @Test("users are partitioned within each role: disjoint, complete, balanced")
    func users() throws {
        let roles: [Role] = [.managers, .analysts, .analysts, .managers, .analysts, .analysts, .analysts, .managers, .analysts]
        var seen: Set<Int> = []
        for index in 0..<3 {
            let owned = try Shard(index: index, count: 3).ownedUsers(roles: roles)
            #expect(seen.isDisjoint(with: owned))
            seen.formUnion(owned)
            #expect(owned.filter { roles[$0] == .managers }.count == 1, "each shard gets one of the three managers")
            #expect(owned.filter { roles[$0] == .analysts }.count == 2, "and two of the six analysts")
        }
        #expect(seen == Set(roles.indices))
        #expect(Shard.whole.ownedUsers(roles: roles) == Array(roles.indices))
    }

    @Test("closed-loop connections add up to the total", arguments: [(8, 4), (10, 4), (5, 5), (1, 1), (17, 16)])
    func connections(total: Int, count: Int) throws {
        let shares = try (0..<count).map { try Shard(index: $0, count: count).share(of: total) }
        #expect(shares.reduce(0, +) == total)
        #expect(shares.max()! - shares.min()! <= 1)
    }

    @Test("K/N parses; bad forms say what was expected", arguments: [
        ("0/4", "0/4"), ("3/4", "3/4"), ("0/1", "0/1"),
        ("4/4", "outside 0..3"), ("-1/4", "outside 0..3"), ("1/0", "at least 1"), ("1", "is not K/N"), ("a/b", "is not K/N"), ("1/2/3", "is not K/N"),
    ])
    func parse(text: String, expected: String) {
        do {
            let shard = try Shard.parse(text)
            #expect(shard.description == expected)
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test("engines' environments: Kubernetes needs --shards, Slurm brings its count and its array's minimum")
    func environment() throws {
        #expect(try Shard.fromEnvironment([:], shards: 4) == nil)
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], shards: 4) == Shard(index: 2, count: 4))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], shards: nil) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "4"], shards: 4) }
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"], shards: nil) == Shard(index: 3, count: 4))
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"], shards: nil) == Shard(index: 3, count: 4))
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4"], shards: 3) }
        #expect(throws: ShardError.self) { try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x"], shards: 2) }
    }

    @Test("what cannot be split is named")
    func problems() throws {
        var scenario = try ScenarioDecoder.decode(yaml: """
            version: 1
            name: split
            seed: 1
            target: { lb: "http://127.0.0.1:1" }
            users: { managers: 2, analysts: 8 }
            duration: 5s
            requests:
              api:
                schedule: { kind: max, connections: 3 }
                calls: [{ method: GET, path: /x }]
            """, file: "split.yaml")
        let problems = try Shard(index: 0, count: 4).problems(for: scenario)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.contains("requests.api.schedule") && $0.contains("3 connections") })
        #expect(problems.contains { $0.contains("users.managers") })
        scenario.users.managers = 4
        #expect(try Shard(index: 0, count: 3).problems(for: scenario).isEmpty)
        #expect(Shard.whole.problems(for: scenario).isEmpty)
    }
}
