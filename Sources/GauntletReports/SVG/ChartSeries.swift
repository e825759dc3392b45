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
