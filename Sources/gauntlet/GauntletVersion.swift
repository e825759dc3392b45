/// Gauntlet's version, recorded in every `summary.json` so results say what produced them.
enum GauntletVersion {
    static let string = "0.1.0"
}
