/// The driver's identity on the wire (`User-Agent: gauntlet/<version>`).
public enum DriverInfo {
    public static let version = "0.1.0"
}
