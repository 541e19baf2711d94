import Foundation
import Hummingbird

/// Runs around every route: bearer authentication (constant-time comparison), CORS headers when
/// an origin is configured, OpenAI-style error bodies for everything thrown (unknown routes
/// included), and per-route metrics. Logs carry method, route, status and time only, never
/// request or generated text (that is `--log-content`'s, in the routes).
struct APIMiddleware: RouterMiddleware {
  typealias Context = ServerContext
  let server: RadLMServer

  func handle(
    _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
  ) async throws -> Response {
    let start = ContinuousClock.now
    let configuration = server.configuration
    let route = Self.routeLabel(request.uri.path)
    var response: Response
    if configuration.corsOrigin != nil, request.method == .options {
      response = Response(status: .noContent)
    } else {
      do {
        if let key = configuration.apiKey, route.hasPrefix("/v1/") {
          guard Self.authorized(request.headers[.authorization], key: key) else { throw APIError.unauthorized }
        }
        response = try await next(request, context)
      } catch let error as APIError {
        response = Self.errorResponse(error)
      } catch let error as HTTPResponseError {
        response = Self.errorResponse(Self.apiError(error.status, path: request.uri.path))
      } catch {
        response = Self.errorResponse(APIError(.internalServerError, "Internal error: \(error)", type: "server_error"))
      }
    }
    if let origin = configuration.corsOrigin {
      response.headers[.accessControlAllowOrigin] = origin
      response.headers[.accessControlAllowHeaders] = "Authorization, Content-Type"
      response.headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    server.metrics.record(route: route, status: Int(response.status.code), seconds: seconds)
    context.logger.info("\(request.method) \(route) \(response.status.code) \(String(format: "%.3f", seconds))s")
    return response
  }

  /// The metrics label of a path: known routes as they are, everything else "other" (so that
  /// random paths cannot grow the series without bound).
  static func routeLabel(_ path: String) -> String {
    let known = [
      "/health", "/metrics", "/v1/models", "/v1/chat/completions", "/v1/completions", "/v1/embeddings",
      "/v1/rag/search",
    ]
    return known.contains(path) ? path : "other"
  }

  /// Whether `header` is `Bearer <key>`, compared in time independent of where they differ.
  static func authorized(_ header: String?, key: String) -> Bool {
    let given = Array((header ?? "").utf8)
    let expected = Array(("Bearer " + key).utf8)
    var difference = UInt8(given.count == expected.count ? 0 : 1)
    for i in 0..<expected.count { difference |= expected[i] ^ (i < given.count ? given[i] : 0) }
    return difference == 0
  }

  static func apiError(_ status: HTTPResponse.Status, path: String) -> APIError {
    switch status {
    case .notFound: return APIError(.notFound, "Unknown route \(path)", code: "unknown_url")
    case .methodNotAllowed:
      return APIError(.methodNotAllowed, "Method not allowed on \(path)", code: "method_not_allowed")
    case .contentTooLarge: return RadLMServer.tooLarge(0)
    default:
      return APIError(status, status.reasonPhrase, type: status.code >= 500 ? "server_error" : "invalid_request_error")
    }
  }

  static func errorResponse(_ error: APIError) -> Response {
    var response = RadLMServer.json(error.body, status: error.status)
    if let seconds = error.retryAfter { response.headers[.retryAfter] = String(seconds) }
    return response
  }
}
