import Foundation

/// HdrHistogram's "percentile distribution" plot: latency against percentile, with the percentile
/// axis stretched logarithmically towards 100% (x = log10(1 / (1 − p))) so the tail is visible.
public struct PercentileSpectrumChart: Sendable {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// (percentile 0…100, value in seconds), ascending by percentile.
        public var points: [(percentile: Double, value: Double)]

        public init(name: String, points: [(percentile: Double, value: Double)]) {
            self.name = name
            self.points = points
        }

        public static func == (lhs: Series, rhs: Series) -> Bool {
            lhs.name == rhs.name && lhs.points.map(\.percentile) == rhs.points.map(\.percentile) && lhs.points.map(\.value) == rhs.points.map(\.value)
        }
    }

    public var title: String
    public var series: [Series]
    public var width = 720
    public var height = 320
    /// The highest percentile on the axis: 99.999 by default.
    public var maxNines = 5

    public init(title: String, series: [Series]) {
        self.title = title
        self.series = series
    }

    static func stretch(_ percentile: Double, maxNines: Int) -> Double {
        let remaining = max(1 - percentile / 100, pow(10, -Double(maxNines)))
        return log10(1 / remaining)
    }

    public var svg: String {
        let values = series.flatMap { $0.points.map(\.value) }
        let plot = (left: 70.0, right: Double(width) - 40, top: 50.0, bottom: Double(height) - 50)
        guard let yMax = values.max() else {
            return SVG.document(width: width, height: height, title: title,
                                body: "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">no samples</text>\n")
        }
        let (unitScale, unit) = ChartFormat.duration.unit(for: yMax)
        let x = ChartScale(domain: (0, Double(maxNines)), range: (plot.left, plot.right))
        let y = ChartScale(domain: (0, ChartScale.niceUpper(yMax)), range: (plot.bottom, plot.top))
        let labels = ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"]
        let xTicks = (0...maxNines).map { (Double($0), labels[min($0, labels.count - 1)]) }
        let yTicks = y.ticks(target: 5).map { ($0, ChartFormat.label($0, scale: unitScale)) }
        var body = SVG.axes(x: x, y: y, xTicks: xTicks, yTicks: yTicks, xTitle: "percentile (log-scaled towards 100%)",
                            yTitle: "latency (\(unit ?? "s"))")
        for (index, entry) in series.enumerated() where !entry.points.isEmpty {
            // A step line: each value holds until the next percentile, as HdrHistogram plots it.
            var points: [(Double, Double)] = []
            for (position, point) in entry.points.enumerated() {
                let px = x.position(Self.stretch(point.percentile, maxNines: maxNines))
                let py = y.position(point.value)
                if position > 0, let previous = points.last { points.append((px, previous.1)) }
                points.append((px, py))
            }
            body += SVG.polyline(points, color: SVG.color(index), dashed: false)
        }
        body += SVG.legend(series.enumerated().map { ($1.name, false, $0) }, left: plot.left, right: plot.right, y: 36)
        return SVG.document(width: width, height: height, title: title, body: body)
    }
}
