extension ErrorCategory {
    /// The failures that happen before a request reaches the target's HTTP layer at all.
    public var isBeforeTarget: Bool {
        switch self {
        case .dns, .connect, .tls: true
        case .timeout, .reset, .protocol, .status4xx, .status5xx, .oracle, .auth, .other: false
        }
    }
}

extension RunSummary {
    /// True when requests were made but none reached the target: every one failed in name resolution,
    /// connecting or the TLS handshake. Such a run measured nothing about the target, so `run` and `replay`
    /// fail it (exit 3) rather than report a missed threshold. A category this build does not know (from a
    /// newer results file) counts as reaching the target.
    public var targetUnreachable: Bool {
        all.count > 0 && all.ok == 0 && all.rejected == 0
            && all.errors.allSatisfy { ErrorCategory(rawValue: $0.category)?.isBeforeTarget == true }
    }
}
