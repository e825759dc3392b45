import Foundation
import GauntletCore

/// The compare section of an HTML report (`gauntlet compare --html FILE`, and `compare.html` in
/// `scripts/ci-compare.sh`'s artifacts): the same verdict, effect sizes, noise and confidence as the text.
extension ComparisonReport {
    /// The section alone, to embed in a page.
    public var htmlSection: String {
        typealias H = HTMLReportRenderer
        var content = "<p><strong>\(H.escape(passed ? "PASS" : "REGRESSION"))</strong> · \(H.escape(headline))</p>\n"
        content += "<p class=\"meta\">\(H.escape(gateLine))</p>\n"
        if let noiseNote { content += "<p class=\"warnings\">\(H.escape(noiseNote))</p>\n" }
        let rows = rows.map { row -> [String] in
            let effect = row.evidence.map { evidence in
                Self.format(evidence.difference, row.kind) + (evidence.relative.map { " (\(Self.percent($0, signed: true)))" } ?? "")
            } ?? "–"
            let noise = row.evidence.map { "±\(Self.format($0.standardError, row.kind)) \($0.noise.rawValue)" } ?? "–"
            let sure = row.confidenceWorse.map { Self.confidenceWords($0) } ?? "–"
            let verdict = row.verdict == .regression ? (row.gating ? "<span class=\"bad\">REGRESSION</span>" : "regression (not gating)")
                : row.verdict == .improvement ? "<span class=\"ok\">improvement</span>" : H.escape(row.verdict.rawValue)
            return [H.escape(row.metric), H.escape(Self.spread(row.baseline, row.kind)), H.escape(Self.spread(row.candidate, row.kind)),
                    H.escape(effect), H.escape(noise), sure, H.escape("±" + Self.format(row.tolerance, row.kind)), row.gating ? "yes" : "no", verdict]
        }
        content += H.table(["metric", "baseline", "candidate", "change", "noise", "P(worse)", "tolerance", "gates", "verdict"], rows, textColumns: [0, 8])
        let sentences = self.rows.filter { $0.verdict == .regression || $0.verdict == .improvement }.map(sentence)
            + rankTests.map(rankLine)
        if !sentences.isEmpty {
            content += "<ul>\n" + sentences.map { "<li>\(H.escape($0))</li>\n" }.joined() + "</ul>\n"
        }
        return H.section("Compare: \(candidateName) vs \(baselineName)", content)
    }

    /// A self-contained page holding the section.
    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Gauntlet compare · \(HTMLReportRenderer.escape(candidateName)) · \(passed ? "PASS" : "REGRESSION")</title>
        <style>\(HTMLReportRenderer.css)</style>
        </head>
        <body>
        \(htmlSection)</body>
        </html>

        """
    }
}
