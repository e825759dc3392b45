import Foundation

/// Horizontal stacked bars: one bar per category, split into named segments (the auth-latency
/// breakdown by hop: DNS, connect, TLS, LB auth, target).
public struct StackedBarChart: Sendable {
    public struct Bar: Sendable, Equatable {
        public var label: String
        public var segments: [Double]

        public init(label: String, segments: [Double]) {
            self.label = label
            self.segments = segments
        }
    }

    public var title: String
    public var segmentNames: [String]
    public var bars: [Bar]
    public var format: ChartFormat
    public var valueTitle: String
    public var width = 720

    public init(title: String, segmentNames: [String], bars: [Bar], format: ChartFormat = .duration, valueTitle: String) {
        self.title = title
        self.segmentNames = segmentNames
        self.bars = bars
        self.format = format
        self.valueTitle = valueTitle
    }

    public var svg: String {
        let barHeight = 26.0, gap = 12.0
        let height = Int(60 + Double(max(bars.count, 1)) * (barHeight + gap) + 40)
        let plot = (left: 130.0, right: Double(width) - 80, top: 50.0, bottom: Double(height) - 40)
        let total = bars.map { $0.segments.reduce(0, +) }.max() ?? 0
        guard total > 0 else {
            return SVG.document(width: width, height: height, title: title,
                                body: "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">no samples</text>\n")
        }
        let (unitScale, unit) = format.unit(for: total)
        let x = ChartScale(domain: (0, ChartScale.niceUpper(total)), range: (plot.left, plot.right))
        let y = ChartScale(domain: (0, 1), range: (plot.bottom, plot.top))
        let xTicks = x.ticks(target: 6).map { ($0, ChartFormat.label($0, scale: unitScale)) }
        var body = SVG.axes(x: x, y: y, xTicks: xTicks, yTicks: [], xTitle: unit.map { "\(valueTitle) (\($0))" } ?? valueTitle, yTitle: "")
        for (row, bar) in bars.enumerated() {
            let top = plot.top + gap / 2 + Double(row) * (barHeight + gap)
            body += "<text x=\"\(SVG.number(plot.left - 6))\" y=\"\(SVG.number(top + barHeight / 2))\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#222\">\(SVG.escape(bar.label))</text>\n"
            var offset = 0.0
            for (index, value) in bar.segments.enumerated() where value > 0 {
                let start = x.position(offset), end = x.position(offset + value)
                body += "<rect x=\"\(SVG.number(start))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(max(end - start, 0.5)))\" height=\"\(SVG.number(barHeight))\" fill=\"\(SVG.color(index))\"><title>\(SVG.escape("\(segmentNames[safe: index] ?? "?"): \(format.format(value))"))</title></rect>\n"
                offset += value
            }
            body += "<text x=\"\(SVG.number(x.position(offset) + 4))\" y=\"\(SVG.number(top + barHeight / 2))\" dominant-baseline=\"middle\" fill=\"#444\">\(SVG.escape(format.format(offset)))</text>\n"
        }
        body += SVG.legend(segmentNames.enumerated().map { ($1, false, $0) }, left: plot.left, right: plot.right, y: 36)
        return SVG.document(width: width, height: height, title: title, body: body)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
