import Histogram

extension RunAccumulator {
    /// The cumulative figures so far, for `shard.json`.
    public var totals: RunTotals {
        RunTotals(
            corrected: corrected.map(\.sparseCounts), service: service.map(\.sparseCounts), counters: counters,
            auth: auth.map(\.sparseCounts), lag: lag.sparseCounts,
            generatorLag: generatorLag.sparseCounts, connectionWait: connectionWait.sparseCounts, freshness: freshness.sparseCounts,
            examples: MisrouteKind.allCases.flatMap { examples[$0] ?? [] },
            logins: logins, loginFailures: loginFailures, refreshes: refreshes, dnsFailures: dnsFailures)
    }

    /// Adds another machine's totals (a shard of the same scenario): histograms bucket by bucket, counters
    /// one by one. Refuses totals whose series do not line up with this scenario's.
    public mutating func add(_ other: RunTotals) throws(ShardError) {
        guard other.counters.count == counters.count, other.corrected.count == corrected.count,
              other.service.count == service.count, other.auth.count == auth.count else {
            throw ShardError("its totals have \(other.counters.count) series and \(other.auth.count) auth steps; this scenario has \(counters.count) and \(auth.count)")
        }
        for i in counters.indices {
            counters[i].add(other.counters[i])
            corrected[i].add(other.corrected[i])
            service[i].add(other.service[i])
        }
        for i in auth.indices { auth[i].add(other.auth[i]) }
        lag.add(other.lag)
        generatorLag.add(other.generatorLag)
        connectionWait.add(other.connectionWait)
        freshness.add(other.freshness)
        addTallies(examples: other.examples, logins: other.logins, loginFailures: other.loginFailures, refreshes: other.refreshes, dnsFailures: other.dnsFailures)
    }

    /// What an interval and a shard's totals both carry besides histograms: misroute examples (up to
    /// `examplesPerKind` of each kind) and the login, refresh and DNS tallies.
    mutating func addTallies(examples more: [MisrouteExample], logins: Int, loginFailures: Int, refreshes: Int, dnsFailures: Int) {
        for example in more where examples[example.kind, default: []].count < Self.examplesPerKind {
            examples[example.kind, default: []].append(example)
        }
        self.logins += logins
        self.loginFailures += loginFailures
        self.refreshes += refreshes
        self.dnsFailures += dnsFailures
    }
}
