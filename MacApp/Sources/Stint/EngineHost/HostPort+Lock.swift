import Foundation

extension EngineHost {
  /// `host.lock` (engine/src/host/host-port.ts `LockPort`). The app took the data folder's lock
  /// before the engine started (`start()`), so the engine's `tryLock("owner.lock")` finds it held
  /// by this process. Handles carry no `release`: the app's locks last for its lifetime and the
  /// kernel drops them when it quits.
  func installLock(on root: HostObjectBuilder) {
    let lock = root.capability("lock")
    let folderLock = self.folderLock
    let fs = self.files
    lock.async("tryLock") { arguments in
      let path = try arguments[argument: 0].requireString("path")
      let absolute = try fs.url(path).path
      let held = try await fs.perform { try folderLock.tryLock(path: absolute) }
      return held ? .object([:]) : .undefined
    }
  }
}
