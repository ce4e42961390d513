import Foundation
import os

/// The file work the writers hand off (finishing a movie, hashing, reporting to the engine
/// and waiting for its reply), tracked so `pause` and `stop` resolve only once every file
/// they closed has been reported and acknowledged. The host port promises exactly that of
/// `recorder.stop`; without it the engine finalizes first and refuses the last files.
final class ReportLedger: Sendable {
  private let tasks = OSAllocatedUnfairLock(initialState: [UUID: Task<Void, Never>]())

  /// Starts `work` now and remembers it until it ends.
  func track(_ work: @escaping @Sendable () async -> Void) {
    let id = UUID()
    let task = Task { [tasks] in
      await work()
      _ = tasks.withLock { $0.removeValue(forKey: id) }
    }
    // A task that already ended leaves an entry `waitForAll` clears without waiting.
    tasks.withLock { $0[id] = task }
  }

  /// Resolves once every tracked piece of work (and any it started meanwhile) has ended.
  func waitForAll() async {
    while true {
      let pending = tasks.withLock { $0 }
      guard !pending.isEmpty else { return }
      for (id, task) in pending {
        await task.value
        _ = tasks.withLock { $0.removeValue(forKey: id) }
      }
    }
  }
}
