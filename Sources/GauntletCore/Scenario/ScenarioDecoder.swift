import Yams

/// Reads a scenario from YAML and checks it completely, reporting every problem with its position.
///
/// `decode` either returns a valid `Scenario` or throws `ScenarioValidationError` listing *all* issues —
/// unknown keys (with a did-you-mean), values of the wrong type or out of range, missing required keys,
/// thresholds on unknown metrics — each with file:line:column, the field's path and what was expected.
public enum ScenarioDecoder {
    static let topLevelKeys = ["version", "name", "description", "seed", "target", "users", "duration", "warmup", "phases", "http", "requests", "thresholds", "capacity"]

    public static func decode(yaml: String, file: String) throws(ScenarioValidationError) -> Scenario {
        let reader = YAMLReader(file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ScenarioValidationError(issues: [syntaxIssue(error, file: file, yaml: yaml)])
        } catch {
            throw ScenarioValidationError(issues: [ScenarioIssue(file: file, line: 0, column: 0, path: "", message: "not valid YAML: \(error)")])
        }
        guard let root else {
            throw ScenarioValidationError(issues: [ScenarioIssue(file: file, line: 0, column: 0, path: "", message: "the file is empty; expected a scenario mapping with at least `name` and `requests`")])
        }
        let scenario = decodeScenario(root, reader)
        if let scenario, reader.issues.isEmpty {
            return scenario
        }
        throw ScenarioValidationError(issues: reader.issues.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }

    static func syntaxIssue(_ error: YamlError, file: String, yaml: String) -> ScenarioIssue {
        switch error {
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the mapping; point at the second occurrence of the key, where the mistake is.
            let key = duplicates.sorted().first ?? ""
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            var seen = 0
            for (index, line) in lines.enumerated() where index + 1 >= context.mark.line {
                let trimmed = line.drop { $0 == " " }
                if trimmed.hasPrefix("\(key):") || trimmed.hasPrefix("- \(key):") {
                    seen += 1
                    if seen == 2 {
                        let column = line.count - trimmed.count + (trimmed.hasPrefix("- ") ? 3 : 1)
                        return ScenarioIssue(file: file, line: index + 1, column: column, path: key, message: "duplicate key \"\(key)\"; each key may appear once in a mapping")
                    }
                }
            }
            return ScenarioIssue(file: file, line: context.mark.line, column: context.mark.column, path: key, message: "duplicate key \"\(key)\"; each key may appear once in a mapping")
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let what = context.map { "\($0.text) " } ?? ""
            return ScenarioIssue(file: file, line: mark.line, column: mark.column, path: "", message: "YAML syntax error: \(what)\(problem)")
        default:
            return ScenarioIssue(file: file, line: 0, column: 0, path: "", message: "YAML error: \(error)")
        }
    }

    // MARK: - the document

    static func decodeScenario(_ root: Node, _ r: YAMLReader) -> Scenario? {
        guard let top = r.mapping(root, "", what: "a scenario mapping") else { return nil }

        if let version = r.integer(top.value("version"), "version"), version != Scenario.formatVersion {
            r.report(top.value("version"), "version", "this Gauntlet reads scenario format version \(Scenario.formatVersion), got \(version)")
        }
        let name = r.string(r.require(top.value("name"), in: top, "name"), "name")
        if let name, name.isEmpty || name.contains("/") || name.contains(where: \.isWhitespace) {
            r.report(top.value("name"), "name", "expected a short name without spaces or slashes (it names the results directory), got \"\(name)\"")
        }
        let description = r.string(top.value("description"), "description")
        var seed: UInt64 = 1
        if let node = top.value("seed"), let text = r.string(node, "seed", what: "a non-negative whole number") {
            if let value = UInt64(text) { seed = value } else {
                r.report(node, "seed", "expected a non-negative whole number, got \"\(text)\"")
            }
        }
        let target = decodeTarget(top.value("target"), r) ?? .embedded(EmbeddedTarget())
        let users = decodeUsers(top.value("users"), r)
        let phases = decodePhases(top, r)
        let http = decodeHTTP(top.value("http"), r)

        var upload: UploadRequests?
        var ui: UIRequests?
        var api: APIRequests?
        var generic: GenericRequests?
        let runDuration = phases.reduce(0) { $0 + $1.duration }
        if let requests = r.mapping(r.require(top.value("requests"), in: top, "requests"), "requests") {
            upload = decodeUpload(requests.value("upload"), "requests.upload", r, runDuration: runDuration)
            ui = decodeUI(requests.value("ui"), "requests.ui", r, runDuration: runDuration)
            api = decodeAPI(requests.value("api"), "requests.api", r, runDuration: runDuration)
            generic = decodeGeneric(requests.value("http"), "requests.http", r, runDuration: runDuration)
            requests.rejectUnknownKeys()
            if upload == nil && ui == nil && api == nil && generic == nil && requests.keys.allSatisfy({ ["upload", "ui", "api", "http"].contains($0) }) {
                r.report(requests.node, "requests", "expected at least one request type: upload, ui, api or http")
            }
        }

        // Judge thresholds by the request types the file declares, valid or not, so that one bad
        // schedule does not cascade into "no such requests" errors on every threshold.
        var present: Set<String> = ["all"]
        if let requests = top.value("requests"), case let .mapping(declared) = requests {
            for key in declared.keys { if let name = key.string { present.insert(name) } }
        }
        let thresholds = decodeThresholds(top.value("thresholds"), r, presentTypes: present, hasUploads: present.contains("upload"))

        let needsUsers = [ui?.pages.map(\.audience), api?.calls.map(\.audience)].compactMap { $0 }.joined().contains { $0 != .anonymous }
        if needsUsers, users.csv == nil, users.managers + users.analysts == 0 {
            r.report(top.value("users") ?? top.node, "users", "UI and API requests need logged-in users, but the population is empty; set users.managers or users.analysts")
        }
        let capacity = decodeCapacity(top.value("capacity"), r)
        top.rejectUnknownKeys(known: topLevelKeys)

        guard let name else { return nil }
        var scenario = Scenario(
            name: name, description: description, seed: seed, target: target, users: users, phases: phases,
            http: http, upload: upload, ui: ui, api: api, httpRequests: generic, thresholds: thresholds
        )
        scenario.capacity = capacity
        return scenario
    }

    // MARK: - target

    /// `delay: {component: analytics-ui, add: 10%}` (a fraction of the component's own time) or
    /// `add: 5ms` (a fixed time).
    static func decodeDelay(_ delay: YAMLReader.Mapping, into faults: inout Faults, _ r: YAMLReader) {
        faults.delayComponent = r.oneOf(r.require(delay.value("component"), in: delay, "component"), delay.childPath("component"), Faults.delayComponents)
        let addPath = delay.childPath("add")
        if let add = r.require(delay.value("add"), in: delay, "add"), let text = r.string(add, addPath, what: "a fraction such as 10% or a duration such as 5ms") {
            if text.contains("%") {
                faults.delayFraction = r.quantity(add, addPath, what: "a percentage of the component's time, e.g. 10%", parse: Quantity.ratio, min: 0, minExclusive: true, max: 10) ?? 0
            } else {
                faults.delaySeconds = r.quantity(add, addPath, what: "a percentage such as 10% or a duration such as 5ms", parse: Quantity.seconds, min: 0, minExclusive: true, max: 60) ?? 0
            }
        }
        delay.rejectUnknownKeys()
    }

    static func decodeTarget(_ node: Node?, _ r: YAMLReader) -> Target? {
        guard let node else { return nil }
        if case .scalar = node {
            guard let text = r.oneOf(node, "target", ["embedded"]) else { return nil }
            _ = text
            return .embedded(EmbeddedTarget())
        }
        guard let map = r.mapping(node, "target", what: "`embedded` or a mapping with the deployment's URLs") else { return nil }
        if map.has("embedded") {
            var embedded = EmbeddedTarget()
            if let inner = map.value("embedded") {
                if let config = r.mapping(inner, "target.embedded") {
                    embedded.stackConfig = r.string(config.value("stack_config"), config.childPath("stack_config"))
                    if let faults = r.mapping(config.value("faults"), config.childPath("faults")) {
                        embedded.faults.misroute = r.ratio(faults.value("misroute"), faults.childPath("misroute")) ?? 0
                        embedded.faults.fail = r.ratio(faults.value("fail"), faults.childPath("fail")) ?? 0
                        if let stall = r.mapping(faults.value("stall"), faults.childPath("stall")) {
                            embedded.faults.stallEvery = r.seconds(r.require(stall.value("every"), in: stall, "every"), stall.childPath("every")) ?? 0
                            embedded.faults.stallFor = r.seconds(r.require(stall.value("for"), in: stall, "for"), stall.childPath("for")) ?? 0
                            if embedded.faults.stallEvery > 0, embedded.faults.stallFor >= embedded.faults.stallEvery {
                                r.report(stall.value("for"), stall.childPath("for"), "expected a stall shorter than its period (every: \(Quantity.format(seconds: embedded.faults.stallEvery)))")
                            }
                            stall.rejectUnknownKeys()
                        }
                        if let delay = r.mapping(faults.value("delay"), faults.childPath("delay")) {
                            decodeDelay(delay, into: &embedded.faults, r)
                        }
                        faults.rejectUnknownKeys()
                    }
                    config.rejectUnknownKeys()
                }
            }
            let others = map.keys.filter { $0 != "embedded" }
            for key in others {
                r.report(map.value(key), map.childPath(key), "`embedded` takes no other target keys; remove \"\(key)\" or the `embedded` key")
            }
            return .embedded(embedded)
        }
        var remote = RemoteTarget()
        remote.endpointsFile = r.string(map.value("endpoints"), "target.endpoints")
        remote.lb = url(map.value("lb"), "target.lb", r)
        remote.idp = url(map.value("idp"), "target.idp", r)
        remote.upload = url(map.value("upload"), "target.upload", r)
        remote.caFile = r.string(map.value("ca_file"), "target.ca_file")
        if let dnsNode = map.value("dns"), let dns = r.string(dnsNode, "target.dns") {
            let parts = dns.split(separator: ":")
            if parts.count != 2 || Int(parts[1]).map({ !(1...65535).contains($0) }) ?? true {
                r.report(dnsNode, "target.dns", "expected host:port of a DNS server, e.g. 127.0.0.1:5353, got \"\(dns)\"")
            } else {
                remote.dns = dns
            }
        }
        remote.clientId = r.string(map.value("client_id"), "target.client_id")
        remote.clientSecretEnv = r.string(map.value("client_secret_env"), "target.client_secret_env")
        remote.apiKeyEnv = r.string(map.value("api_key_env"), "target.api_key_env")
        map.rejectUnknownKeys(known: ["embedded"])
        if remote.endpointsFile == nil && remote.lb == nil && remote.upload == nil {
            r.report(node, "target", "expected `embedded`, an `endpoints` file, or at least `lb` or `upload` URLs")
        }
        return .remote(remote)
    }

    static func url(_ node: Node?, _ path: String, _ r: YAMLReader) -> String? {
        guard let text = r.string(node, path, what: "an https:// or http:// URL") else { return nil }
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.count > 8 else {
            r.report(node, path, "expected an https:// or http:// URL, got \"\(text)\"")
            return nil
        }
        return text
    }

    // MARK: - users, phases, http settings

    static func decodeUsers(_ node: Node?, _ r: YAMLReader) -> Users {
        var users = Users()
        guard let map = r.mapping(node, "users") else { return users }
        users.managers = r.integer(map.value("managers"), "users.managers", min: 0, max: 100_000, what: "a number of users") ?? users.managers
        users.analysts = r.integer(map.value("analysts"), "users.analysts", min: 0, max: 100_000, what: "a number of users") ?? users.analysts
        users.csv = r.string(map.value("csv"), "users.csv")
        if let login = r.oneOf(map.value("login"), "users.login", LoginMethod.self) {
            users.login = login
        }
        map.rejectUnknownKeys()
        return users
    }

    static func decodePhases(_ top: YAMLReader.Mapping, _ r: YAMLReader) -> [Phase] {
        let durationNode = top.value("duration")
        let warmupNode = top.value("warmup")
        if let phasesNode = top.value("phases") {
            if durationNode != nil {
                r.report(durationNode, "duration", "give either `duration` (with an optional `warmup`) or `phases`, not both")
            }
            if warmupNode != nil {
                r.report(warmupNode, "warmup", "with `phases`, mark the warm-up phase with `warmup: true` instead")
            }
            var phases: [Phase] = []
            var names: Set<String> = []
            for (index, item) in (r.sequence(phasesNode, "phases", what: "a list of phases") ?? []).enumerated() {
                let path = "phases[\(index)]"
                guard let map = r.mapping(item, path) else { continue }
                let name = r.string(r.require(map.value("name"), in: map, "name"), "\(path).name")
                let duration = r.seconds(r.require(map.value("duration"), in: map, "duration"), "\(path).duration")
                let warmup = r.bool(map.value("warmup"), "\(path).warmup") ?? false
                map.rejectUnknownKeys()
                if let name, !names.insert(name).inserted {
                    r.report(map.value("name"), "\(path).name", "phase names must be unique; \"\(name)\" is used twice")
                }
                if let name, let duration {
                    phases.append(Phase(name: name, duration: duration, warmup: warmup))
                }
            }
            if phases.isEmpty, r.issues.isEmpty {
                r.report(phasesNode, "phases", "expected at least one phase")
            }
            if !phases.isEmpty, phases.allSatisfy(\.warmup) {
                r.report(phasesNode, "phases", "every phase is a warm-up, so nothing would be measured")
            }
            return phases
        }
        guard let durationNode else {
            r.report(top.node, "duration", "required key \"duration\" is missing (or give `phases`)")
            return []
        }
        guard let duration = r.seconds(durationNode, "duration") else { return [] }
        var phases: [Phase] = []
        if let warmupNode, let warmup = r.seconds(warmupNode, "warmup") {
            phases.append(Phase(name: "warmup", duration: warmup, warmup: true))
        }
        phases.append(Phase(name: "main", duration: duration))
        return phases
    }

    static func decodeHTTP(_ node: Node?, _ r: YAMLReader) -> HTTPSettings {
        var http = HTTPSettings()
        guard let map = r.mapping(node, "http") else { return http }
        if let version = r.oneOf(map.value("version"), "http.version", HTTPSettings.Version.self) {
            http.version = version
        }
        http.timeout = r.seconds(map.value("timeout"), "http.timeout") ?? http.timeout
        if let node = map.value("connections"), node.scalar?.string == "auto" {
            http.autoConnections = true
            http.connections = 1
        } else {
            http.connections = r.integer(map.value("connections"), "http.connections", min: 1, max: 10_000, what: "a number of connections or `auto`") ?? http.connections
        }
        http.connectionCap = r.integer(map.value("max_connections"), "http.max_connections", min: 1, max: 10_000, what: "a number of connections") ?? http.connectionCap
        http.workers = r.integer(map.value("workers"), "http.workers", min: 1, max: 64, what: "a number of worker threads") ?? http.workers
        http.insecure = r.bool(map.value("insecure"), "http.insecure") ?? http.insecure
        http.requestLog = r.bool(map.value("request_log"), "http.request_log") ?? http.requestLog
        map.rejectUnknownKeys()
        return http
    }

    // MARK: - schedules

    static let scheduleKinds = ["constant", "ramp", "steps", "spike", "poisson", "max"]

    static func decodeSchedule(_ node: Node?, _ path: String, _ r: YAMLReader, runDuration: Double) -> ArrivalSchedule? {
        guard let map = r.mapping(node, path, what: "a schedule mapping with a `kind`") else { return nil }
        guard let kind = r.oneOf(r.require(map.value("kind"), in: map, "kind"), map.childPath("kind"), scheduleKinds) else {
            map.rejectUnknownKeys(known: ["rate", "from", "to", "duration", "steps", "base", "peak", "at", "connections"])
            return nil
        }
        func rate(_ key: String) -> Double? { r.rate(r.require(map.value(key), in: map, key), map.childPath(key)) }
        let schedule: ArrivalSchedule?
        switch kind {
        case "constant":
            schedule = rate("rate").map { .constant(rate: $0) }
        case "poisson":
            schedule = rate("rate").map { .poisson(rate: $0) }
        case "ramp":
            let from = rate("from"), to = rate("to")
            let duration = r.seconds(map.value("duration"), map.childPath("duration"))
            schedule = from.flatMap { from in to.map { .ramp(from: from, to: $0, duration: duration) } }
        case "steps":
            var steps: [ArrivalSchedule.Step] = []
            let items = r.sequence(r.require(map.value("steps"), in: map, "steps"), map.childPath("steps"), what: "a list of {rate, duration}") ?? []
            for (index, item) in items.enumerated() {
                let stepPath = "\(map.childPath("steps"))[\(index)]"
                guard let step = r.mapping(item, stepPath) else { continue }
                let rate = r.rate(r.require(step.value("rate"), in: step, "rate"), "\(stepPath).rate")
                let duration = r.seconds(r.require(step.value("duration"), in: step, "duration"), "\(stepPath).duration")
                step.rejectUnknownKeys()
                if let rate, let duration { steps.append(.init(rate: rate, duration: duration)) }
            }
            if items.isEmpty, map.value("steps") != nil {
                r.report(map.value("steps"), map.childPath("steps"), "expected at least one step")
            }
            schedule = steps.isEmpty ? nil : .steps(steps)
        case "spike":
            let base = rate("base"), peak = rate("peak")
            let at = r.seconds(r.require(map.value("at"), in: map, "at"), map.childPath("at"), allowZero: true)
            let duration = r.seconds(r.require(map.value("duration"), in: map, "duration"), map.childPath("duration"))
            if let at, runDuration > 0, at >= runDuration {
                r.report(map.value("at"), map.childPath("at"), "expected the spike to start within the run (\(Quantity.format(seconds: runDuration))), got \(Quantity.format(seconds: at))")
            }
            if let base, let peak, let at, let duration {
                schedule = .spike(base: base, peak: peak, at: at, duration: duration)
            } else {
                schedule = nil
            }
        case "max":
            schedule = r.integer(r.require(map.value("connections"), in: map, "connections"), map.childPath("connections"), min: 1, max: 10_000, what: "a number of connections").map { .max(connections: $0) }
        default:
            schedule = nil
        }
        map.rejectUnknownKeys(known: ["kind"])
        return schedule
    }

    // MARK: - request types

    static func weight(_ map: YAMLReader.Mapping, _ r: YAMLReader) -> Double {
        r.quantity(map.value("weight"), map.childPath("weight"), what: "a positive weight", parse: { Double($0) }, min: 0, minExclusive: true) ?? 1
    }

    static func audience(_ map: YAMLReader.Mapping, _ r: YAMLReader) -> Audience {
        r.oneOf(map.value("as"), map.childPath("as"), Audience.allCases.map(\.rawValue)).flatMap(Audience.init(rawValue:)) ?? .any
    }

    static func path(_ map: YAMLReader.Mapping, _ r: YAMLReader) -> String? {
        guard let path = r.string(r.require(map.value("path"), in: map, "path"), map.childPath("path")) else { return nil }
        guard path.hasPrefix("/") else {
            r.report(map.value("path"), map.childPath("path"), "expected an absolute path starting with /, got \"\(path)\"")
            return nil
        }
        return path
    }

    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    static func method(_ map: YAMLReader.Mapping, _ r: YAMLReader) -> String {
        r.oneOf(map.value("method"), map.childPath("method"), methods) ?? "GET"
    }

    static func decodeUI(_ node: Node?, _ path: String, _ r: YAMLReader, runDuration: Double) -> UIRequests? {
        guard let map = r.mapping(node, path) else { return nil }
        let schedule = decodeSchedule(r.require(map.value("schedule"), in: map, "schedule"), map.childPath("schedule"), r, runDuration: runDuration)
        var pages: [UIRequests.Page] = []
        if let items = r.sequence(map.value("pages"), map.childPath("pages"), what: "a list of pages") {
            for (index, item) in items.enumerated() {
                guard let page = r.mapping(item, "\(path).pages[\(index)]") else { continue }
                let pagePath = self.path(page, r)
                let entry = (weight(page, r), audience(page, r))
                page.rejectUnknownKeys()
                if let pagePath { pages.append(.init(path: pagePath, weight: entry.0, audience: entry.1)) }
            }
            if items.isEmpty { r.report(map.value("pages"), map.childPath("pages"), "expected at least one page") }
        } else {
            pages = [.init(path: "/")]
        }
        map.rejectUnknownKeys()
        guard let schedule else { return nil }
        return UIRequests(schedule: schedule, pages: pages)
    }

    static func decodeAPI(_ node: Node?, _ path: String, _ r: YAMLReader, runDuration: Double) -> APIRequests? {
        guard let map = r.mapping(node, path) else { return nil }
        let schedule = decodeSchedule(r.require(map.value("schedule"), in: map, "schedule"), map.childPath("schedule"), r, runDuration: runDuration)
        var calls: [APIRequests.Call] = []
        let items = r.sequence(r.require(map.value("calls"), in: map, "calls"), map.childPath("calls"), what: "a list of API calls") ?? []
        for (index, item) in items.enumerated() {
            guard let call = r.mapping(item, "\(path).calls[\(index)]") else { continue }
            let method = self.method(call, r)
            let callPath = self.path(call, r)
            let body = r.string(call.value("body"), call.childPath("body"))
            let entry = (weight(call, r), audience(call, r))
            call.rejectUnknownKeys()
            if let callPath { calls.append(.init(method: method, path: callPath, body: body, weight: entry.0, audience: entry.1)) }
        }
        if items.isEmpty, map.value("calls") != nil { r.report(map.value("calls"), map.childPath("calls"), "expected at least one call") }
        map.rejectUnknownKeys()
        guard let schedule, !calls.isEmpty else { return nil }
        return APIRequests(schedule: schedule, calls: calls)
    }

    static func decodeUpload(_ node: Node?, _ path: String, _ r: YAMLReader, runDuration: Double) -> UploadRequests? {
        guard let map = r.mapping(node, path) else { return nil }
        let schedule = decodeSchedule(r.require(map.value("schedule"), in: map, "schedule"), map.childPath("schedule"), r, runDuration: runDuration)
        var batches: [UploadRequests.Batch] = []
        if let items = r.sequence(map.value("batches"), map.childPath("batches"), what: "a list of batch shapes") {
            for (index, item) in items.enumerated() {
                let batchPath = "\(path).batches[\(index)]"
                guard let batch = r.mapping(item, batchPath) else { continue }
                let events = r.integer(r.require(batch.value("events"), in: batch, "events"), batch.childPath("events"), min: 1, max: 1_000_000, what: "a number of events per batch")
                let bytes = r.quantity(batch.value("event_bytes"), batch.childPath("event_bytes"), what: "an event size such as 256 or 1KB", parse: Quantity.bytes, min: 64, max: 1_000_000)
                let weight = self.weight(batch, r)
                batch.rejectUnknownKeys()
                if let events {
                    let eventBytes = Int(bytes ?? 256)
                    if Double(events) * Double(eventBytes) > 10_000_000 {
                        r.report(item, batchPath, "a batch of \(events) events of \(eventBytes) bytes exceeds the gateway's 10 MB cap; make it smaller")
                    }
                    batches.append(.init(events: events, eventBytes: eventBytes, weight: weight))
                }
            }
            if items.isEmpty { r.report(map.value("batches"), map.childPath("batches"), "expected at least one batch shape") }
        } else {
            batches = [.init(events: 100)]
        }
        var upload = UploadRequests(schedule: .constant(rate: 0), batches: batches)
        if let format = r.oneOf(map.value("format"), map.childPath("format"), UploadRequests.Format.self) {
            upload.format = format
        }
        if let encoding = r.oneOf(map.value("encoding"), map.childPath("encoding"), UploadRequests.Encoding.self) {
            upload.encoding = encoding
        }
        if let auth = r.oneOf(map.value("auth"), map.childPath("auth"), UploadRequests.Auth.self) {
            upload.auth = auth
        }
        upload.badKeyFraction = r.ratio(map.value("bad_key_fraction"), map.childPath("bad_key_fraction")) ?? 0
        upload.freshnessSample = r.ratio(map.value("freshness_sample"), map.childPath("freshness_sample")) ?? upload.freshnessSample
        map.rejectUnknownKeys()
        guard let schedule else { return nil }
        upload.schedule = schedule
        return upload
    }

    static func decodeGeneric(_ node: Node?, _ path: String, _ r: YAMLReader, runDuration: Double) -> GenericRequests? {
        guard let map = r.mapping(node, path) else { return nil }
        let schedule = decodeSchedule(r.require(map.value("schedule"), in: map, "schedule"), map.childPath("schedule"), r, runDuration: runDuration)
        var requests: [GenericRequests.Request] = []
        let items = r.sequence(r.require(map.value("requests"), in: map, "requests"), map.childPath("requests"), what: "a list of requests") ?? []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path).requests[\(index)]"
            guard let request = r.mapping(item, itemPath) else { continue }
            let method = self.method(request, r)
            let url = self.url(r.require(request.value("url"), in: request, "url"), request.childPath("url"), r)
            var headers: [String: String] = [:]
            if let headerMap = r.mapping(request.value("headers"), request.childPath("headers")) {
                for key in headerMap.keys {
                    if let value = r.string(headerMap.value(key), headerMap.childPath(key)) { headers[key] = value }
                }
            }
            let body = r.string(request.value("body"), request.childPath("body"))
            let status = r.integer(request.value("expect_status"), request.childPath("expect_status"), min: 100, max: 599, what: "an HTTP status code") ?? 200
            let weight = self.weight(request, r)
            request.rejectUnknownKeys()
            if let url { requests.append(.init(method: method, url: url, headers: headers, body: body, expectStatus: status, weight: weight)) }
        }
        if items.isEmpty, map.value("requests") != nil { r.report(map.value("requests"), map.childPath("requests"), "expected at least one request") }
        map.rejectUnknownKeys()
        guard let schedule, !requests.isEmpty else { return nil }
        return GenericRequests(schedule: schedule, requests: requests)
    }

    // MARK: - thresholds

    static func decodeThresholds(_ node: Node?, _ r: YAMLReader, presentTypes: Set<String>, hasUploads: Bool) -> [Threshold] {
        guard let items = r.sequence(node, "thresholds", what: "a list of `metric op value` strings") else { return [] }
        var thresholds: [Threshold] = []
        for (index, item) in items.enumerated() {
            let path = "thresholds[\(index)]"
            guard let text = r.string(item, path, what: "a `metric op value` string") else { continue }
            do {
                let threshold = try Threshold.parse(text)
                let parts = threshold.metric.split(separator: ".").map(String.init)
                if ["latency", "service_time", "errors", "requests"].contains(parts[0]), parts.count == 3, !presentTypes.contains(parts[1]) {
                    r.report(item, path, "this scenario sends no \(parts[1]) requests, so \(threshold.metric) can never be measured")
                    continue
                }
                if parts[0] == "upload", !hasUploads {
                    r.report(item, path, "this scenario sends no uploads, so \(threshold.metric) can never be measured")
                    continue
                }
                thresholds.append(threshold)
            } catch {
                // Point at the offending character within the string (plain scalars start at the node; quoted ones one later).
                var line = item.mark?.line ?? 0
                var column = item.mark?.column ?? 0
                if case let .scalar(scalar) = item {
                    let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
                    column += error.offset + (quoted ? 1 : 0)
                } else {
                    line = item.mark?.line ?? 0
                }
                r.issues.append(ScenarioIssue(file: r.file, line: line, column: column, path: path, message: error.message))
            }
        }
        return thresholds
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ScenarioDecoder {
    /// Reads and validates the scenario file at `path`.
    public static func load(path: String) throws(ScenarioValidationError) -> Scenario {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ScenarioValidationError(issues: [ScenarioIssue(file: path, line: 0, column: 0, path: "", message: "not UTF-8 text; expected a YAML scenario")])
            }
            text = decoded
        } catch let error as ScenarioValidationError {
            throw error
        } catch {
            throw ScenarioValidationError(issues: [ScenarioIssue(file: path, line: 0, column: 0, path: "", message: "cannot read the file: \(error.localizedDescription)")])
        }
        return try decode(yaml: text, file: path)
    }
}
