import Foundation

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
