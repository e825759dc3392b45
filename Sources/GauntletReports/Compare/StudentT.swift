import Foundation

/// The distributions `compare` reads its confidence from: Student's t for a difference of run means
/// judged against the runs' own spread (few runs, so the spread itself is uncertain), and the normal
/// for sampling noise known from sample counts.
enum StudentT {
    /// P(T ≤ t) for Student's t with `degrees` degrees of freedom; `degrees` = ∞ is the standard normal.
    static func cdf(_ t: Double, degrees: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        guard degrees.isFinite else { return normalCDF(t) }
        // P(|T| > |t|) = I_x(ν/2, 1/2) with x = ν / (ν + t²).
        let tail = regularizedIncompleteBeta(degrees / (degrees + t * t), degrees / 2, 0.5) / 2
        return t >= 0 ? 1 - tail : tail
    }

    static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// I_x(a, b) by its continued fraction (modified Lentz), on whichever side converges fast.
    static func regularizedIncompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        guard x > 0 else { return 0 }
        guard x < 1 else { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let logFront = logPowers - logBeta
        if x > (a + 1) / (a + b + 2) {
            return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
        }
        return exp(logFront) * continuedFraction(x, a, b) / a
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        d = 1 / (abs(d) < tiny ? tiny : d)
        var result = d
        for m in 1...300 {
            let m = Double(m)
            for numerator in [m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                              -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))] {
                d = 1 + numerator * d
                d = 1 / (abs(d) < tiny ? tiny : d)
                c = 1 + numerator / c
                if abs(c) < tiny { c = tiny }
                result *= c * d
            }
            if abs(c * d - 1) < 1e-12 { break }
        }
        return result
    }
}
