import ArgumentParser
import Foundation
import GauntletCore
import GauntletDriver
import GauntletReports

/// `gauntlet replay SOURCE…`: reads recorded traffic (ALB access logs plain or .gz, HAR files,
/// Gauntlet request logs), plans it with its recorded timing, sends it through the same driver, oracle
/// and results as `run`, and reports what changed against the recording.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay recorded traffic with its timing, and report what changed against the recording.",
        discussion: """
            SOURCE is an AWS ALB access log (plain or .gz), a HAR 1.2 file, or a Gauntlet request log \
            (requests.jsonl); several sources merge in time order. Each recorded request becomes an \
            upload, UI or API request (by host and path) of a virtual user: recorded clients map \
            consistently to users, a path such as /manager/… fixes the user's role, and a request the \
            recording shows answered without a session (401, or a page load sent to login) is replayed \
            without one. Recorded login-flow steps are left out: virtual users log in by themselves.

            The plan keeps the recorded inter-arrival times scaled by --speed (or re-paced to --rate) and \
            is sent against the embedded reference stack (or the stack of --endpoints FILE). The results \
            go to --out DIR (default results/replay-<UTC time>): the usual files of `run`, the plan \
            (replay-plan.jsonl), the replay's request log (requests.jsonl) and replay.json — statuses per \
            path pattern against the recorded ones, schedule lag, and latency against the recorded \
            processing time. --plan-only sends nothing; with --replayed it compares an earlier replay's \
            request log instead. Exit codes: 0 statuses as recorded and thresholds held, 1 statuses \
            differ or a threshold failed, 2 bad input, 3 the replay could not run.
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

    @Option(help: "The results directory (default results/replay-<UTC time>); with --plan-only, where replay-plan.jsonl goes.")
    var out: String?

    @Option(help: "With --plan-only: a replayed run's request log (requests.jsonl) to compare with the recording.")
    var replayed: String?

    @Flag(help: "Only plan (and compare with --replayed): send nothing.")
    var planOnly = false

    @Option(help: "An endpoints file written by `gauntlet stack --endpoints`: replay against that stack instead of the embedded one.")
    var endpoints: String?

    @Option(help: ArgumentHelp("Serve a live page and Prometheus /metrics during the replay at ADDR (alone: 127.0.0.1, a free port).", valueName: "ADDR"))
    var live: String?

    @Option(help: "A stack config (YAML) for the embedded stack, e.g. a candidate's listener rules.")
    var stackConfig: String?

    @Option(name: .customLong("threshold"), help: "A threshold the replay must hold, e.g. \"latency.api.p99 < 500ms\" (repeatable).")
    var thresholds: [String] = []

    @Option(help: "Load-generator threads.")
    var workers: Int?

    @Flag(help: "No live progress line.")
    var quiet = false

    /// Bad usage exits 2 (`GauntletExit.invalidInput`), like every other invalid input.
    func usageProblem() -> String? {
        if speed != nil && rate != nil { return "--speed and --rate exclude each other: keep the recorded timing scaled, or re-pace it" }
        if let format, ReplaySourceFiles.Format(rawValue: format) == nil { return "--format: expected alb, har or gauntlet, got \"\(format)\"" }
        if replayed != nil && !planOnly { return "--replayed compares an earlier replay's log with the plan: use it with --plan-only" }
        if planOnly && (endpoints != nil || !thresholds.isEmpty || stackConfig != nil) { return "--plan-only sends nothing: --endpoints, --stack-config and --threshold do not apply" }
        if endpoints != nil && stackConfig != nil { return "--stack-config configures the embedded stack; --endpoints names a running one: give one of them" }
        if let workers, workers < 1 { return "--workers: expected at least 1, got \(workers)" }
        if ALBClientIdentity(rawValue: client) == nil { return "--client: expected address, address+agent or connection, got \"\(client)\"" }
        if let from, ReplayOptions.TimeBound(from) == nil { return "--from: expected an ISO 8601 time or an offset such as 90s, got \"\(from)\"" }
        if let to, ReplayOptions.TimeBound(to) == nil { return "--to: expected an ISO 8601 time or an offset such as 10m, got \"\(to)\"" }
        return nil
    }

    /// What planning the sources left: the planner's counts and span, and the malformed lines skipped.
    struct Planned {
        var planner: ReplayPlanner
        var lastOffset: Double
        var skipped: SkippedLines
    }

    func run() async throws {
        var stderr = StandardError()
        if let problem = usageProblem() {
            print("gauntlet replay: \(problem)\nSee 'gauntlet replay --help'.", to: &stderr)
            throw GauntletExit.invalidInput
        }
        var parsedThresholds: [Threshold] = []
        for text in thresholds {
            do {
                parsedThresholds.append(try Threshold.parse(text))
            } catch {
                print("gauntlet replay: --threshold \"\(text)\": \(error)", to: &stderr)
                throw GauntletExit.invalidInput
            }
        }
        let directory = planOnly ? out : (out ?? RunCommand.defaultDirectory(for: "replay"))
        var planFile: FileHandle?
        if let directory { planFile = try openPlan(in: directory) }
        var matcher = ReplayMatcher()
        var items: [ReplayItem] = []
        // The plan streams to the plan file; in --plan-only mode nothing else keeps it unless --replayed
        // asks for a comparison (the matcher holds what it pairs). Sending keeps the items to send.
        let planned = try plan { request in
            if let planFile {
                do {
                    try planFile.write(contentsOf: Data((Self.planLine(request) + "\n").utf8))
                } catch {
                    print("gauntlet replay: cannot write the plan: \(error.localizedDescription)", to: &stderr)
                    throw GauntletExit.runFailed
                }
            }
            if planOnly {
                if replayed != nil { matcher.expect(request.request) }
            } else {
                let item = ReplayItem(request)
                matcher.expect(request.request, withSession: item.user != nil)
                items.append(item)
            }
        }
        try planFile?.close()
        printPlan(planned.planner, replaySpan: planned.lastOffset, planned.skipped)
        if let directory { print("wrote \((directory as NSString).appendingPathComponent("replay-plan.jsonl"))") }
        if planOnly {
            guard let replayed else { return }
            let outcome = try compare(matcher, with: replayed)
            printComparison(outcome)
            if outcome.comparison.differed > 0 { throw GauntletExit.thresholdFailed }
            return
        }
        guard let directory else { return }
        try await send(items, planned: planned, matcher: matcher, thresholds: parsedThresholds, to: directory)
    }

    /// Reads the sources in time order and plans each request, handing it to `sink`.
    func plan(_ sink: (PlannedReplayRequest) throws -> Void) throws -> Planned {
        var stderr = StandardError()
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
        var lastOffset = 0.0
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
                try sink(planned)
            }
            return Planned(planner: planner, lastOffset: lastOffset, skipped: merged.skipped)
        } catch let error as ReplayIssue {
            print("gauntlet replay: \(error)", to: &stderr)
            throw GauntletExit.invalidInput
        }
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
}
