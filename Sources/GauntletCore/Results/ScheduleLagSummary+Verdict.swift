/// Who a late request is to blame on. A request is late for one of two reasons: every connection of its
/// lane was busy with the target (the target's backpressure, which the corrected latency already
/// charges to the target), or a connection was free and the loop got to it late (the generator's own
/// lag, which makes every figure suspect). Only the second says the generator fell behind.
extension ScheduleLagSummary {
    /// Generator lag p99 above this means the generator, not the target, shaped the schedule.
    public static let generatorLagLimit = 0.010
    /// Below this share of the scheduled requests delivered, the run did not offer the load asked for.
    public static let deliveredLimit = 0.98
    /// A worker thread runnable but off-CPU for more than this share of the run, in waits longer than
    /// `generatorLagLimit`, was starved (`GeneratorCPU.starved`): it read replies late, so its connections
    /// looked busy and their wait cannot be charged to the target. Measured on the 2-core machine: one
    /// pinned to a core with three busy loops waited 73% of the run, 24 ms each time.
    public static let runQueueLimit = 0.20

    /// One request type's delivered count against its schedule.
    public struct Shortfall: Sendable, Equatable {
        public var type: RequestType
        public var delivered: Int
        public var scheduled: Double

        public init(type: RequestType, delivered: Int, scheduled: Double) {
            self.type = type
            self.delivered = delivered
            self.scheduled = scheduled
        }
    }

    /// The verdict over a run's lag figures. A shortfall in delivered requests counts against the
    /// generator unless requests waited for connections while the generator itself kept up: then the
    /// target held the load back, and the connection message says so instead. The warnings a person
    /// must see: the generator's, and the target's when its wait mattered (p99 over the same limit, or
    /// a shortfall); a few milliseconds of wait stay in the figures and the report, not the warnings.
    /// A generator starved of CPU (`generatorCPU`) is the generator's fault whatever its lag says: it
    /// was late to read replies, which shows up as connection wait, not as generator lag.
    public static func judge(
        lag: LatencyPercentiles?, generatorLag: LatencyPercentiles?, connectionWait: LatencyPercentiles?, delivered: [Shortfall],
        generatorCPU: GeneratorCPU? = nil
    ) -> (summary: ScheduleLagSummary, warnings: [String]) {
        let ownP99 = generatorLag?.p99 ?? lag?.p99 ?? 0
        let generatorSlow = ownP99 > generatorLagLimit
        let starved = generatorCPU?.starved ?? false
        let waited = connectionWait?.count ?? 0
        let targetHeld = waited > 0 && !generatorSlow && !starved
        var generatorReasons: [String] = []
        var targetReasons: [String] = []
        for entry in delivered {
            let share = Double(entry.delivered) / entry.scheduled
            guard share < deliveredLimit else { continue }
            let text = "\(entry.type.rawValue) delivered \(Int((share * 100).rounded()))% of the scheduled requests (\(entry.delivered) of \(Int(entry.scheduled.rounded())))"
            if targetHeld { targetReasons.append(text) } else { generatorReasons.append(text) }
        }
        if generatorSlow {
            let figure = generatorLag == nil ? "schedule lag" : "generator lag"
            generatorReasons.append("\(figure) p99 \(Quantity.format(seconds: ownP99)) (requests left later than intended with a connection free; latency from intended times still counts it)")
        }
        if starved, let cpu = generatorCPU {
            generatorReasons.append(
                "a worker thread waited for a CPU \(Int((cpu.runQueueWait * 100).rounded()))% of the run, \(Quantity.format(seconds: cpu.meanWait)) each time it ran (other processes or the embedded stack held the cores), so it read replies late and its connection waits are its own, not the target's")
        }
        var connectionMessage: String?
        if let connectionWait, waited > 0, !starved {
            targetReasons.insert(
                "\(waited) requests waited for a connection the target held, connection wait p99 \(Quantity.format(seconds: connectionWait.p99)) (the target's backpressure, counted in latency from intended times; `http.connections: auto` opens more)",
                at: 0)
            connectionMessage = "TARGET HELD EVERY CONNECTION: " + targetReasons.joined(separator: "; ")
        }
        let message = generatorReasons.isEmpty ? nil : "GENERATOR FELL BEHIND: " + generatorReasons.joined(separator: "; ")
        let summary = ScheduleLagSummary(
            lag: lag, fellBehind: message != nil, message: message, generatorLag: generatorLag, connectionWait: connectionWait,
            connectionMessage: connectionMessage, generatorCPU: generatorCPU)
        let targetMatters = (connectionWait?.p99 ?? 0) > generatorLagLimit || targetReasons.count > 1
        return (summary, [message, targetMatters ? connectionMessage : nil].compactMap { $0 })
    }
}
