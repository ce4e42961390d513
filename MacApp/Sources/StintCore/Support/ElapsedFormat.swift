/// Session time for the menu bar: `4:05` under an hour, `1:02:03` from an hour on.
public enum ElapsedFormat {
  public static func string(milliseconds: Double) -> String {
    let total = max(0, Int((milliseconds / 1000).rounded(.down)))
    let hours = total / 3600
    let minutes = (total % 3600) / 60
    let seconds = total % 60
    func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return hours > 0 ? "\(hours):\(two(minutes)):\(two(seconds))" : "\(minutes):\(two(seconds))"
  }
}
