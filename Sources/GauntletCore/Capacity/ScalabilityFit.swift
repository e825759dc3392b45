/// The Universal Scalability Law fitted to throughput against concurrency across the steps:
/// X(N) = λN / (1 + σ(N − 1) + κN(N − 1)).
///
/// USL rather than an M/M/c queue: it needs no service-time distribution or server count (which a
/// remote target does not reveal), and its two coefficients separate contention (σ) from coherence
/// cost (κ), so its peak is a prediction past the last step. Linearised as N/X = a + b(N − 1) + cN(N − 1)
/// (a = 1/λ, σ = b/a, κ = c/a) and solved by least squares; R² is computed on X itself.
public struct ScalabilityFit: Sendable, Equatable, Codable {
    public var model: String
    public var lambda: Double
    public var sigma: Double
    public var kappa: Double
    /// Predicted peak throughput (req/s) and the concurrency it occurs at; nil when the fit has no peak.
    public var ceiling: Double?
    public var peakConcurrency: Double?
    /// Coefficient of determination of the predicted against the measured throughput.
    public var rSquared: Double
    public var points: Int
    /// The fit is good enough to act on (enough points, R² ≥ `trustedRSquared`, a finite peak).
    public var trusted: Bool
    /// In words, including why it should not be trusted when it should not.
    public var verdict: String

    public static let trustedRSquared = 0.9
    public static let minimumPoints = 4

    /// Fits (concurrency, throughput) points; nil with fewer than 3 usable points.
    public static func fit(_ points: [(concurrency: Double, throughput: Double)]) -> ScalabilityFit? {
        let usable = points.filter { $0.concurrency > 0 && $0.throughput > 0 && $0.concurrency.isFinite && $0.throughput.isFinite }
        guard usable.count >= 3 else { return nil }
        // Try the full model; a negative coefficient is unphysical, so drop that term and refit.
        var terms: [Bool] = [true, true]
        var coefficients = solve(usable, terms: terms)
        for _ in 0..<2 {
            guard let c = coefficients else { break }
            if c.b < 0 { terms[0] = false } else if c.c < 0 { terms[1] = false } else { break }
            coefficients = solve(usable, terms: terms)
        }
        guard let c = coefficients, c.a > 0 else { return nil }
        let lambda = 1 / c.a, sigma = Swift.max(0, c.b / c.a), kappa = Swift.max(0, c.c / c.a)
        func throughput(_ n: Double) -> Double { lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1)) }

        let mean = usable.map(\.throughput).reduce(0, +) / Double(usable.count)
        let total = usable.reduce(0) { $0 + ($1.throughput - mean) * ($1.throughput - mean) }
        let residual = usable.reduce(0) { $0 + ($1.throughput - throughput($1.concurrency)) * ($1.throughput - throughput($1.concurrency)) }
        let rSquared = total > 0 ? 1 - residual / total : 0

        var ceiling: Double?
        var peak: Double?
        if kappa > 0 {
            let n = ((1 - sigma) / kappa).squareRoot()
            if n.isFinite, n >= 1 {
                peak = n
                ceiling = throughput(n)
            }
        } else if sigma > 0 {
            ceiling = lambda / sigma   // Amdahl's asymptote: no peak, a limit approached from below
        }
        let trusted = usable.count >= minimumPoints && rSquared >= trustedRSquared && ceiling != nil
        var verdict: String
        if let ceiling {
            verdict = "USL predicts a ceiling of \(CapacityFormat.rate(ceiling)) req/s" + (peak.map { " at \(Quantity.trim(($0 * 10).rounded() / 10)) in flight" } ?? " (approached, never reached)")
        } else {
            verdict = "USL finds no ceiling: throughput still grew linearly with concurrency"
        }
        verdict += String(format: " (R² %.2f over %d steps)", rSquared, usable.count)
        if !trusted {
            var why: [String] = []
            if usable.count < minimumPoints { why.append("too few steps") }
            if rSquared < trustedRSquared { why.append("a poor fit") }
            if ceiling == nil { why.append("no ceiling in range") }
            verdict += "; too poor to trust (\(why.joined(separator: ", ")))"
        }
        return ScalabilityFit(model: "usl", lambda: lambda, sigma: sigma, kappa: kappa, ceiling: ceiling, peakConcurrency: peak,
                              rSquared: rSquared, points: usable.count, trusted: trusted, verdict: verdict)
    }

    /// Least squares for N/X = a + b(N − 1) + cN(N − 1), with the b or c term left out where `terms` says.
    static func solve(_ points: [(concurrency: Double, throughput: Double)], terms: [Bool]) -> (a: Double, b: Double, c: Double)? {
        let columns: [(Double) -> Double] = [{ _ in 1 }, { $0 - 1 }, { $0 * ($0 - 1) }]
        let used = [0] + [1, 2].filter { terms[$0 - 1] }
        let k = used.count
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for point in points {
            let n = point.concurrency, y = n / point.throughput
            let x = used.map { columns[$0](n) }
            for i in 0..<k {
                for j in 0..<k { matrix[i][j] += x[i] * x[j] }
                matrix[i][k] += x[i] * y
            }
        }
        guard let solution = gaussianElimination(matrix) else { return nil }
        var result = [0.0, 0.0, 0.0]
        for (index, column) in used.enumerated() { result[column] = solution[index] }
        return (result[0], result[1], result[2])
    }

    static func gaussianElimination(_ input: [[Double]]) -> [Double]? {
        var m = input
        let n = m.count
        for column in 0..<n {
            guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }), abs(m[pivot][column]) > 1e-12 else { return nil }
            m.swapAt(column, pivot)
            for row in 0..<n where row != column {
                let factor = m[row][column] / m[column][column]
                for j in column...n { m[row][j] -= factor * m[column][j] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }
}
