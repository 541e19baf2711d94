import Hummingbird
import NIOCore

/// The request context of the server's routes: Hummingbird's core storage plus the connection's
/// channel, through which a handler learns that its client went away (`DisconnectWatcher`).
public struct ServerContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  let channel: any Channel

  public init(source: ApplicationRequestContextSource) {
    coreContext = CoreRequestContextStorage(source: source)
    channel = source.channel
  }
}

/// Tells a running request that its client closed the connection (end of input or the channel
/// going inactive), so that its generation stops instead of running on for nobody. Hummingbird
/// does not cancel handlers itself; this handler sits first in the connection's pipeline while the
/// request runs and passes every byte and event on unchanged.
final class DisconnectWatcher: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = NIOAny
  let onDisconnect: @Sendable () -> Void
  private var fired = false

  init(onDisconnect: @escaping @Sendable () -> Void) { self.onDisconnect = onDisconnect }

  private func fire() {
    guard !fired else { return }
    fired = true
    onDisconnect()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.fireChannelRead(data) }

  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    if let event = event as? ChannelEvent, event == .inputClosed { fire() }
    context.fireUserInboundEventTriggered(event)
  }

  func channelInactive(context: ChannelHandlerContext) {
    fire()
    context.fireChannelInactive()
  }

  /// Puts a watcher first in `channel`'s pipeline; returns its name for `remove`, or nil when the
  /// channel is already closed (then `onDisconnect` has been called).
  static func install(on channel: any Channel, _ onDisconnect: @escaping @Sendable () -> Void) async -> String? {
    let name = "radlm.disconnect.\(UInt64.random(in: 0...UInt64.max))"
    let added = channel.eventLoop.submit {
      guard channel.isActive else { return false }
      try channel.pipeline.syncOperations.addHandler(
        DisconnectWatcher(onDisconnect: onDisconnect), name: name, position: .first)
      return true
    }
    guard (try? await added.get()) == true else {
      onDisconnect()
      return nil
    }
    return name
  }

  static func remove(_ name: String?, from channel: any Channel) {
    guard let name else { return }
    channel.pipeline.removeHandler(name: name, promise: nil)
  }
}
