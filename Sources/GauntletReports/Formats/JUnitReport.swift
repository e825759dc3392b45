/// JUnit XML (the de-facto schema CI systems read: Jenkins, GitLab, GitHub actions' reporters,
/// Python's junitparser), for threshold verdicts and `compare`'s regression verdicts.
public struct JUnitReport: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case passed
        /// An assertion that did not hold: a threshold or a regression rule.
        case failed(message: String, type: String, details: String)
        /// The check could not be evaluated at all.
        case error(message: String, type: String, details: String)
        case skipped(message: String)
    }

    public struct TestCase: Sendable, Equatable {
        public var classname: String
        public var name: String
        public var time: Double
        public var outcome: Outcome
        public var systemOut: String?

        public init(classname: String, name: String, time: Double = 0, outcome: Outcome, systemOut: String? = nil) {
            self.classname = classname
            self.name = name
            self.time = time
            self.outcome = outcome
            self.systemOut = systemOut
        }
    }

    public struct Suite: Sendable, Equatable {
        public var name: String
        /// ISO 8601, without a zone designator as the schema wants (`2026-11-29T00:12:03`).
        public var timestamp: String?
        public var time: Double
        public var properties: [(name: String, value: String)]
        public var cases: [TestCase]

        public init(name: String, timestamp: String? = nil, time: Double = 0, properties: [(name: String, value: String)] = [], cases: [TestCase]) {
            self.name = name
            self.timestamp = timestamp
            self.time = time
            self.properties = properties
            self.cases = cases
        }

        public static func == (lhs: Suite, rhs: Suite) -> Bool {
            lhs.name == rhs.name && lhs.timestamp == rhs.timestamp && lhs.time == rhs.time && lhs.cases == rhs.cases
                && lhs.properties.map(\.name) == rhs.properties.map(\.name) && lhs.properties.map(\.value) == rhs.properties.map(\.value)
        }

        var failures: Int { cases.filter { if case .failed = $0.outcome { true } else { false } }.count }
        var errors: Int { cases.filter { if case .error = $0.outcome { true } else { false } }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.outcome { true } else { false } }.count }
    }

    public var name: String
    public var suites: [Suite]

    public init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    public var failures: Int { suites.reduce(0) { $0 + $1.failures } }
    public var errors: Int { suites.reduce(0) { $0 + $1.errors } }
    public var tests: Int { suites.reduce(0) { $0 + $1.cases.count } }

    public var xml: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let time = suites.reduce(0) { $0 + $1.time }
        out += "<testsuites name=\"\(Self.escape(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(Self.seconds(time))\">\n"
        for suite in suites {
            out += "  <testsuite name=\"\(Self.escape(suite.name))\" tests=\"\(suite.cases.count)\" failures=\"\(suite.failures)\" errors=\"\(suite.errors)\" skipped=\"\(suite.skipped)\" time=\"\(Self.seconds(suite.time))\""
            if let timestamp = suite.timestamp { out += " timestamp=\"\(Self.escape(timestamp))\"" }
            out += ">\n"
            if !suite.properties.isEmpty {
                out += "    <properties>\n"
                for property in suite.properties {
                    out += "      <property name=\"\(Self.escape(property.name))\" value=\"\(Self.escape(property.value))\"/>\n"
                }
                out += "    </properties>\n"
            }
            for test in suite.cases {
                out += "    <testcase classname=\"\(Self.escape(test.classname))\" name=\"\(Self.escape(test.name))\" time=\"\(Self.seconds(test.time))\""
                var body = ""
                switch test.outcome {
                case .passed:
                    break
                case .failed(let message, let type, let details):
                    body += "      <failure message=\"\(Self.escape(message))\" type=\"\(Self.escape(type))\">\(Self.escape(details))</failure>\n"
                case .error(let message, let type, let details):
                    body += "      <error message=\"\(Self.escape(message))\" type=\"\(Self.escape(type))\">\(Self.escape(details))</error>\n"
                case .skipped(let message):
                    body += "      <skipped message=\"\(Self.escape(message))\"/>\n"
                }
                if let systemOut = test.systemOut {
                    body += "      <system-out>\(Self.escape(systemOut))</system-out>\n"
                }
                out += body.isEmpty ? "/>\n" : ">\n\(body)    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// XML-escapes text and drops characters XML 1.0 cannot hold at all.
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }
}
