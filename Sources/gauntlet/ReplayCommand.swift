import ArgumentParser
import Foundation
import GauntletCore
import GauntletReports

/// `gauntlet replay SOURCE…`: reads recorded traffic (ALB access logs plain or .gz, HAR files,
/// Gauntlet request logs), plans it with its recorded timing, and reports what changed against a
/// replayed run's request log.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Plan recorded traffic for replay, and report what changed against a replayed run.",
        discussion: """
            SOURCE is an AWS ALB access log (plain or .gz), a HAR 1.2 file, or a Gauntlet request log \
            (requests.jsonl); several sources merge in time order. Each recorded request becomes an \
            upload, UI or API request (by host and path) of a virtual user: recorded clients map \
            consistently to users, and a path such as /manager/… fixes the user's role.

            The plan keeps the recorded inter-arrival times scaled by --speed (or re-paced to --rate) and \
            is written with --out as replay-plan.jsonl in Gauntlet's request-log format (t is the intended \
            send time). With --replayed, the replayed run's request log is matched to the recording and \
            status differences per path pattern, schedule lag and latency against the recorded processing \
            time are reported; exit 1 when statuses differ.
            """
    )

    @Argument(help: "Recorded traffic: ALB access logs (.log/.gz), HAR files, Gauntlet request logs.")
    var sources: [String]

    @Option(help: "Scale the recorded inter-arrival times: 2 replays twice as fast.")
    var speed: Double?

    @Option(help: "Ignore the recorded timing and send this many requests per second, in recorded order.")
    var rate: Double?

    @Option(help: "Start of the window: an ISO 8601 time, or an offset into the recording such as 90s.")
    var from: String?

    @Option(help: "End of the window: an ISO 8601 time, or an offset into the recording such as 10m.")
    var to: String?

    @Option(help: "Keep only requests whose path and query match this regular expression.")
    var match: String?

    @Option(help: "Force the source format (alb, har, gauntlet) instead of detecting it.")
    var format: String?

    @Option(help: "How ALB clients become users: address, address+agent, connection.")
    var client: String = ALBClientIdentity.addressAndUserAgent.rawValue

    @Flag(help: "Make the first malformed line fatal instead of skipping and counting it.")
    var strict = false

    @Flag(help: "Replay recorded login-flow steps too (virtual users log in by themselves otherwise).")
    var includeAuthFlow = false

    @Option(help: "Write the plan (replay-plan.jsonl) into this directory.")
    var out: String?

    @Option(help: "A replayed run's request log (requests.jsonl) to compare with the recording.")
    var replayed: String?

    /// Bad usage exits 2 (`GauntletExit.invalidInput`), like every other invalid input.
    func usageProblem() -> String? {
        if speed != nil && rate != nil { return "--speed and --rate exclude each other: keep the recorded timing scaled, or re-pace it" }
        if let format, ReplaySourceFiles.Format(rawValue: format) == nil { return "--format: expected alb, har or gauntlet, got \"\(format)\"" }
        if ALBClientIdentity(rawValue: client) == nil { return "--client: expected address, address+agent or connection, got \"\(client)\"" }
        if let from, ReplayOptions.TimeBound(from) == nil { return "--from: expected an ISO 8601 time or an offset such as 90s, got \"\(from)\"" }
        if let to, ReplayOptions.TimeBound(to) == nil { return "--to: expected an ISO 8601 time or an offset such as 10m, got \"\(to)\"" }
        return nil
    }

    func run() async throws {
        var stderr = StandardError()
        if let problem = usageProblem() {
            print("gauntlet replay: \(problem)\nSee 'gauntlet replay --help'.", to: &stderr)
            throw GauntletExit.invalidInput
        }
        let options = ReplayOptions(
            pacing: rate.map { .rate($0) } ?? .speed(speed ?? 1),
            from: from.flatMap(ReplayOptions.TimeBound.init), to: to.flatMap(ReplayOptions.TimeBound.init),
            match: match, includeAuthFlow: includeAuthFlow
        )
        var planner: ReplayPlanner
        do {
            planner = try ReplayPlanner(options: options)
        } catch {
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        // The plan streams: each planned request goes to the plan file and, with --replayed, to the
        // matcher; nothing else keeps it, so a day of logs need not fit in memory (the matcher does hold
        // what it pairs).
        var planFile: FileHandle?
        if let out { planFile = try openPlan(in: out) }
        var matcher = ReplayMatcher()
        var lastOffset = 0.0
        var skipped = SkippedLines()
        do {
            var readers: [any RecordedRequestSource] = []
            var formats: [ReplaySourceFiles.Format] = []
            for source in sources {
                let resolved = try format.flatMap(ReplaySourceFiles.Format.init) ?? ReplaySourceFiles.detectFormat(source)
                formats.append(resolved)
                readers.append(try ReplaySourceFiles.reader(
                    source, format: resolved, strict: strict, identity: ALBClientIdentity(rawValue: client) ?? .addressAndUserAgent))
            }
            // Gauntlet's logs count seconds from their run's start, the others carry wall-clock times:
            // merged together their timing would be meaningless.
            if formats.contains(.gauntlet), formats.contains(where: { $0 != .gauntlet }) {
                print("gauntlet replay: Gauntlet request logs (relative times) cannot be merged with ALB or HAR sources (wall-clock times); replay them separately", to: &stderr)
                throw GauntletExit.invalidInput
            }
            var merged = MergedRequestSource(readers)
            while let request = try merged.next() {
                guard let planned = planner.plan(request) else { continue }
                lastOffset = planned.offset
                if let planFile {
                    do {
                        try planFile.write(contentsOf: Data((Self.planLine(planned) + "\n").utf8))
                    } catch {
                        print("gauntlet replay: cannot write the plan: \(error.localizedDescription)", to: &stderr)
                        throw GauntletExit.runFailed
                    }
                }
                if replayed != nil { matcher.expect(planned.request) }
            }
            skipped = merged.skipped
        } catch let error as ReplayIssue {
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        try planFile?.close()
        printPlan(planner, replaySpan: lastOffset, skipped)
        if let out { print("wrote \((out as NSString).appendingPathComponent("replay-plan.jsonl"))") }
        guard let replayed else { return }
        try compare(matcher, with: replayed)
    }

    func printPlan(_ planner: ReplayPlanner, replaySpan duration: Double, _ skipped: SkippedLines) {
        let counts = planner.counts
        let mix = RequestType.allCases.compactMap { type in counts.byType[type].map { "\(type.rawValue) \($0)" } }.joined(separator: ", ")
        print("replay plan: \(counts.planned) of \(counts.seen) recorded requests (\(mix.isEmpty ? "none" : mix))")
        print("  recorded span \(Quantity.format(seconds: planner.recordedSpan)), replay span \(Quantity.format(seconds: duration))")
        let users = planner.clientsByRole.sorted { ($0.key?.rawValue ?? "~") < ($1.key?.rawValue ?? "~") }
            .map { "\($0.key?.rawValue ?? "no role") \($0.value)" }.joined(separator: ", ")
        print("  virtual users: \(users.isEmpty ? "none" : users)")
        var left: [String] = []
        if counts.outsideWindow > 0 { left.append("\(counts.outsideWindow) outside --from/--to") }
        if counts.unmatched > 0 { left.append("\(counts.unmatched) not matching --match") }
        if counts.authFlow > 0 { left.append("\(counts.authFlow) login-flow steps (users log in themselves)") }
        if counts.reordered > 0 { left.append("\(counts.reordered) recorded out of order, sent right after their predecessor") }
        if !left.isEmpty { print("  left out: " + left.joined(separator: "; ")) }
        if skipped.count > 0 {
            print("  skipped \(skipped.count) malformed lines; first:")
            for issue in skipped.examples.prefix(5) { print("    \(issue)") }
        }
    }

    func openPlan(in directory: String) throws -> FileHandle {
        var stderr = StandardError()
        let path = (directory as NSString).appendingPathComponent("replay-plan.jsonl")
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } catch {
            print("gauntlet replay: cannot write \(path): \(error.localizedDescription)", to: &stderr)
            throw GauntletExit.runFailed
        }
    }

    /// A planned request in Gauntlet's request-log format: `t` is the intended send time, `status` the
    /// recorded one, `service_time` the recorded processing time, `user` the recorded client.
    static func planLine(_ planned: PlannedReplayRequest) -> String {
        let request = planned.request
        let scheme = request.scheme ?? "https"
        return RequestLogRecord(
            intendedTime: planned.offset, type: planned.classification.type, method: request.method,
            url: request.host.isEmpty ? request.pathAndQuery : "\(scheme)://\(request.host)\(request.pathAndQuery)",
            status: request.status, serviceTime: request.processingTime,
            user: "client-\(planned.user.client)", role: planned.user.role
        ).jsonLine()
    }

    func compare(_ matcher: ReplayMatcher, with path: String) throws {
        var stderr = StandardError()
        var matcher = matcher
        var comparison = ReplayComparison()
        do {
            var reader = RequestLogReader(try ReplaySourceFiles.open(path), strict: strict)
            while let (record, _) = try reader.nextRecord() {
                guard let recorded = matcher.match(record) else { continue }
                comparison.add(recorded, replayedStatus: record.status, replayedLatency: record.latency)
            }
        } catch {
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
        print(comparison.renderText())
        if matcher.unreplayed > 0 || matcher.unexpected > 0 {
            print("  \(matcher.unreplayed) planned requests missing from the replay's log; \(matcher.unexpected) replayed requests not in the plan")
        }
        if let p50 = matcher.lag(quantile: 0.5), let p99 = matcher.lag(quantile: 0.99), let max = matcher.lag(quantile: 1) {
            print("schedule lag: p50 \(Quantity.format(seconds: p50)), p99 \(Quantity.format(seconds: p99)), max \(Quantity.format(seconds: max))")
        }
        let latency = comparison.latency
        if !latency.isEmpty {
            print("latency vs recorded processing time (means):")
            for row in latency.prefix(20) {
                print("  \(row.method) \(row.pattern): recorded \(Quantity.format(seconds: row.recordedMean)), replayed \(Quantity.format(seconds: row.replayedMean)) over \(row.count)")
            }
        }
        if comparison.differed > 0 { throw GauntletExit.thresholdFailed }
    }
}
