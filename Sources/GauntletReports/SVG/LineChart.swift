import Foundation

/// A line chart over a linear x axis (usually elapsed seconds): latency percentiles over time,
/// achieved vs target rate.
public struct LineChart: Sendable {
    public var title: String
    public var xTitle: String
    public var yTitle: String
    public var xFormat: ChartFormat
    public var yFormat: ChartFormat
    public var yScale: ChartScale.Kind
    public var series: [ChartSeries]
    public var width = 720
    public var height = 300

    public init(title: String, xTitle: String, yTitle: String, xFormat: ChartFormat = .elapsed, yFormat: ChartFormat,
                yScale: ChartScale.Kind = .linear, series: [ChartSeries]) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.yScale = yScale
        self.series = series
    }

    public var svg: String {
        let all = series.flatMap(\.points)
        let rows = SVG.legendRows(series.map(\.name), left: 70, right: Double(width) - 20)
        let plot = (left: 70.0, right: Double(width) - 20, top: 34.0 + Double(rows) * 16, bottom: Double(height) - 50)
        guard let xMin = all.map(\.x).min(), let xMax = all.map(\.x).max(), let yMax = all.map(\.y).max() else {
            return SVG.document(width: width, height: height, title: title,
                                body: "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">no samples</text>\n")
        }
        let yMin = yScale == .log ? max(all.map(\.y).filter { $0 > 0 }.min() ?? 1e-6, 1e-9) : 0
        let (yUnitScale, yUnit) = yFormat.unit(for: yMax)
        let (xUnitScale, _) = xFormat.unit(for: xMax)
        let x = ChartScale(domain: (xMin, xMax), range: (plot.left, plot.right))
        let y = ChartScale(kind: yScale, domain: (yScale == .log ? pow(10, floor(log10(yMin))) : yMin, yScale == .log ? yMax : ChartScale.niceUpper(yMax)),
                           range: (plot.bottom, plot.top))
        let xTicks = x.ticks(target: 8).map { ($0, ChartFormat.label($0, scale: xUnitScale)) }
        let yTicks = y.ticks(target: 5).map { ($0, ChartFormat.label($0, scale: yUnitScale)) }
        var body = SVG.axes(x: x, y: y, xTicks: xTicks, yTicks: yTicks, xTitle: xTitle,
                            yTitle: yUnit.map { "\(yTitle) (\($0))" } ?? yTitle)
        for (index, entry) in series.enumerated() where !entry.points.isEmpty {
            body += SVG.polyline(entry.points.map { (x.position($0.x), y.position($0.y)) }, color: SVG.color(entry.colorIndex ?? index), dashed: entry.dashed)
        }
        body += SVG.legend(series.enumerated().map { ($1.name, $1.dashed, $1.colorIndex ?? $0) }, left: plot.left, right: plot.right, y: 36)
        return SVG.document(width: width, height: height, title: title, body: body)
    }
}
