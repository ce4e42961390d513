import AppKit
import OSLog
import StintCore
import WebKit

/// The review panel: a WKWebView showing `webview-ui` from the app bundle, talking to the
/// engine through the bridge. Envelopes come in through the `stint` message handler and go
/// back (replies and engine events) through `window.__stintReceive(envelopeJSON)`. Only the
/// bundle's own origin may talk to the engine.
@MainActor
final class ReviewPanelController: NSObject {
  /// Read by `Scripts/swift-check/panel.mjs` and matched against webview-ui's transport.
  static let messageHandlerName = "stint"
  static let receiveFunction = "window.__stintReceive"

  private let engine: EngineHost
  private let dataDirectory: URL
  private var panel: NSPanel?
  private var webView: WKWebView?
  private let logger = Logger(subsystem: "app.stint", category: "review")

  init(engine: EngineHost, dataDirectory: URL) {
    self.engine = engine
    self.dataDirectory = dataDirectory
  }

  var isVisible: Bool { panel?.isVisible == true }

  func show(sessionID: String? = nil) {
    // Deep links use the panel's hash routes (`#/session/<id>`).
    let hash = sessionID.map { "#/session/\($0.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? $0)" }
    if panel == nil {
      panel = makePanel(initialHash: hash)
    } else if let sessionID, let webView {
      webView.evaluateJavaScript("location.hash = '#/session/' + encodeURIComponent(\(Self.jsString(sessionID)))")
    }
    guard let panel else { return }
    NSApp.activate()
    panel.makeKeyAndOrderFront(nil)
  }

  func close() { panel?.orderOut(nil) }

  /// Forwards an engine event to the page when the panel is open.
  func deliver(_ event: BridgeEvent) {
    guard webView != nil, let json = try? BridgeCodec.encode(event) else { return }
    send(json)
  }

  // MARK: Building

  private func makePanel(initialHash: String?) -> NSPanel {
    let configuration = WKWebViewConfiguration()
    configuration.setURLSchemeHandler(BundleSchemeHandler(root: Self.webRoot), forURLScheme: BundleSchemeHandler.scheme)
    configuration.setURLSchemeHandler(BlobSchemeHandler(dataDirectory: dataDirectory), forURLScheme: BlobSchemeHandler.scheme)
    configuration.userContentController.add(
      WeakScriptMessageHandler(self), contentWorld: .page, name: Self.messageHandlerName)
    configuration.websiteDataStore = .nonPersistent()
    configuration.preferences.isElementFullscreenEnabled = false
    configuration.mediaTypesRequiringUserActionForPlayback = []

    let webView = WKWebView(frame: NSRect(x: 0, y: 0, width: 960, height: 680), configuration: configuration)
    webView.navigationDelegate = self
    webView.setValue(false, forKey: "drawsBackground")
    #if DEBUG
      webView.isInspectable = true
    #endif
    let start = "\(BundleSchemeHandler.scheme)://\(BundleSchemeHandler.host)/index.html\(initialHash ?? "")"
    if let url = URL(string: start) { webView.load(URLRequest(url: url)) }
    self.webView = webView

    let panel = NSPanel(
      contentRect: NSRect(x: 0, y: 0, width: 960, height: 680),
      styleMask: [.titled, .closable, .resizable, .miniaturizable, .fullSizeContentView],
      backing: .buffered, defer: false)
    panel.title = "Stint Review"
    panel.titlebarAppearsTransparent = true
    panel.isReleasedWhenClosed = false
    panel.hidesOnDeactivate = false
    panel.minSize = NSSize(width: 640, height: 420)
    panel.contentView = webView
    panel.setFrameAutosaveName("StintReviewPanel")
    if panel.frame.origin == .zero { panel.center() }
    return panel
  }

  static var webRoot: URL? { Bundle.main.resourceURL?.appendingPathComponent("webview-ui", isDirectory: true) }

  // MARK: Relay

  fileprivate func receive(_ message: WKScriptMessage) {
    // The page is ours only if it is the main frame of our bundle scheme.
    let origin = message.frameInfo.securityOrigin
    guard message.frameInfo.isMainFrame, origin.protocol == BundleSchemeHandler.scheme, origin.host == BundleSchemeHandler.host,
      message.webView === webView
    else {
      logger.error("refused a bridge message from \(origin.protocol, privacy: .public)://\(origin.host, privacy: .public)")
      return
    }
    guard let json = Self.json(from: message.body) else {
      logger.error("refused a bridge message that is not an envelope")
      return
    }
    Task {
      do {
        let reply = try await engine.relay(json: json)
        if let reply { send(reply) }
      } catch {
        // The engine never answered (timeout, not started): answer for it, typed.
        guard let decoded = try? BridgeCodec.decodeMessage(json), let id = decoded.id else { return }
        let failure = error as? EngineHostError
        let reply = BridgeReply(
          id: id,
          outcome: .error(
            BridgeErrorData(
              code: failure?.code ?? "bridge.invalid_message", message: error.localizedDescription,
              retryable: failure.map { $0 == .notStarted || $0.code == "engine.timeout" } ?? false)))
        if let text = try? BridgeCodec.encode(reply) { send(text) }
      }
    }
  }

  private func send(_ json: String) {
    guard let webView else { return }
    // Passed as an argument, never spliced into source: no escaping bugs, no injection.
    webView.callAsyncJavaScript(
      "\(Self.receiveFunction)?.(envelope)", arguments: ["envelope": json], in: nil, in: .page
    ) { [logger] result in
      if case .failure(let error) = result {
        logger.debug("receive failed: \(error.localizedDescription, privacy: .public)")
      }
    }
  }

  private static func json(from body: Any) -> String? {
    if let text = body as? String { return text }
    guard JSONSerialization.isValidJSONObject(body), let data = try? JSONSerialization.data(withJSONObject: body) else { return nil }
    return String(data: data, encoding: .utf8)
  }

  private static func jsString(_ value: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [value])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
  }
}

extension ReviewPanelController: WKNavigationDelegate {
  func webView(_ webView: WKWebView, decidePolicyFor action: WKNavigationAction) async -> WKNavigationActionPolicy {
    guard let url = action.request.url else { return .cancel }
    // Export: the panel clicks an `<a download>` on a `blob:` URL it made itself.
    if action.shouldPerformDownload, url.scheme == "blob" || url.scheme == BlobSchemeHandler.scheme { return .download }
    if url.scheme == BundleSchemeHandler.scheme || url.scheme == BlobSchemeHandler.scheme { return .allow }
    // Links out (a provider's docs, a URL in a transcript) open in the browser.
    if ["http", "https", "mailto"].contains(url.scheme ?? "") { NSWorkspace.shared.open(url) }
    return .cancel
  }

  func webView(_ webView: WKWebView, navigationAction: WKNavigationAction, didBecome download: WKDownload) {
    download.delegate = self
  }

  func webViewWebContentProcessDidTerminate(_ webView: WKWebView) {
    logger.error("review panel web content process ended; reloading")
    webView.reload()
  }
}

extension ReviewPanelController: WKDownloadDelegate {
  /// Asks where to save an export; cancelling the panel cancels the download.
  func download(_ download: WKDownload, decideDestinationUsing response: URLResponse, suggestedFilename: String) async -> URL? {
    let save = NSSavePanel()
    save.nameFieldStringValue = suggestedFilename
    save.canCreateDirectories = true
    save.directoryURL = FileManager.default.urls(for: .downloadsDirectory, in: .userDomainMask).first
    guard let panel else { return save.runModal() == .OK ? save.url : nil }
    let choice = await save.beginSheetModal(for: panel)
    guard choice == .OK, let url = save.url else { return nil }
    // WebKit refuses to overwrite; the user already confirmed replacing the file.
    try? FileManager.default.removeItem(at: url)
    return url
  }

  func download(_ download: WKDownload, didFailWithError error: any Error, resumeData: Data?) {
    logger.error("export download failed: \(error.localizedDescription, privacy: .public)")
  }
}

/// WKUserContentController retains its handlers; this proxy breaks the cycle with the controller.
private final class WeakScriptMessageHandler: NSObject, WKScriptMessageHandler {
  weak var target: ReviewPanelController?

  init(_ target: ReviewPanelController) { self.target = target }

  func userContentController(_ controller: WKUserContentController, didReceive message: WKScriptMessage) {
    MainActor.assumeIsolated { target?.receive(message) }
  }
}
