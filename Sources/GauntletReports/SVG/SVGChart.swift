import Foundation

/// A line series: points in data units, drawn in one colour, named in the legend.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    public var dashed: Bool
    /// Palette slot; nil: the series' position. Series of one request type share a colour.
    public var colorIndex: Int?

    public init(name: String, points: [ChartPoint], dashed: Bool = false, colorIndex: Int? = nil) {
        self.name = name
        self.points = points
        self.dashed = dashed
        self.colorIndex = colorIndex
    }
}

public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// The pieces every Gauntlet chart shares: a framed plot area, axes with titles and units, gridlines,
/// a legend, and a palette that stays distinguishable for colour-blind readers (Okabe–Ito).
enum SVG {
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        ChartFormat.trim(value, 1)
    }

    /// The outer `<svg>` element: sized by its viewBox so it scales with the page.
    static func document(width: Int, height: Int, title: String, body: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-label="\(escape(title))" class="chart" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">
        <title>\(escape(title))</title>
        <text x="\(width / 2)" y="18" text-anchor="middle" font-size="14" font-weight="600" fill="#222">\(escape(title))</text>
        \(body)</svg>
        """
    }

    /// The plot frame, gridlines, tick labels and axis titles.
    static func axes(
        x: ChartScale, y: ChartScale, xTicks: [(Double, String)], yTicks: [(Double, String)], xTitle: String, yTitle: String
    ) -> String {
        var out = ""
        let left = x.start, right = x.end, top = y.end, bottom = y.start
        for (value, label) in yTicks {
            let position = number(y.position(value))
            out += "<line x1=\"\(number(left))\" y1=\"\(position)\" x2=\"\(number(right))\" y2=\"\(position)\" stroke=\"#e3e3e3\"/>\n"
            out += "<text x=\"\(number(left - 6))\" y=\"\(position)\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#444\">\(escape(label))</text>\n"
        }
        for (value, label) in xTicks {
            let position = number(x.position(value))
            out += "<line x1=\"\(position)\" y1=\"\(number(top))\" x2=\"\(position)\" y2=\"\(number(bottom))\" stroke=\"#f0f0f0\"/>\n"
            out += "<text x=\"\(position)\" y=\"\(number(bottom + 16))\" text-anchor=\"middle\" fill=\"#444\">\(escape(label))</text>\n"
        }
        out += "<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(right - left))\" height=\"\(number(bottom - top))\" fill=\"none\" stroke=\"#888\"/>\n"
        out += "<text x=\"\(number((left + right) / 2))\" y=\"\(number(bottom + 34))\" text-anchor=\"middle\" fill=\"#222\">\(escape(xTitle))</text>\n"
        let middle = number((top + bottom) / 2)
        out += "<text x=\"14\" y=\"\(middle)\" text-anchor=\"middle\" fill=\"#222\" transform=\"rotate(-90 14 \(middle))\">\(escape(yTitle))</text>\n"
        return out
    }

    /// Swatches and names along the top, under the title, wrapping onto more rows when they do not fit.
    static func legend(_ entries: [(name: String, dashed: Bool, color: Int)], left: Double, right: Double, y: Double) -> String {
        var out = ""
        for (entry, x, row) in legendLayout(entries.map(\.name), left: left, right: right) {
            let item = entries[entry]
            let rowY = y + Double(row) * 16
            let dash = item.dashed ? " stroke-dasharray=\"5 3\"" : ""
            out += "<line x1=\"\(number(x))\" y1=\"\(number(rowY))\" x2=\"\(number(x + 18))\" y2=\"\(number(rowY))\" stroke=\"\(color(item.color))\" stroke-width=\"3\"\(dash)/>\n"
            out += "<text x=\"\(number(x + 22))\" y=\"\(number(rowY))\" dominant-baseline=\"middle\" fill=\"#222\">\(escape(item.name))</text>\n"
        }
        return out
    }

    /// (entry, x, row) for each legend entry; names are measured at ~7 px per character.
    static func legendLayout(_ names: [String], left: Double, right: Double) -> [(Int, Double, Int)] {
        var placed: [(Int, Double, Int)] = []
        var x = left, row = 0
        for (index, name) in names.enumerated() {
            let width = 34 + Double(name.count) * 7
            if x > left, x + width > right {
                row += 1
                x = left
            }
            placed.append((index, x, row))
            x += width
        }
        return placed
    }

    static func legendRows(_ names: [String], left: Double, right: Double) -> Int {
        (legendLayout(names, left: left, right: right).last?.2 ?? 0) + 1
    }

    static func polyline(_ points: [(Double, Double)], color: String, dashed: Bool) -> String {
        let coordinates = points.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"5 3\"" : ""
        return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"\(dash)/>\n"
    }
}

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
        guard !all.isEmpty else {
            return SVG.document(width: width, height: height, title: title,
                                body: "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" fill=\"#666\">no samples</text>\n")
        }
        let xMin = all.map(\.x).min()!, xMax = all.map(\.x).max()!
        let yMax = all.map(\.y).max()!
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
