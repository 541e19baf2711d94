import HTTPTypes

/// An error answered in OpenAI's shape, `{"error":{"message","type","param","code"}}`, with its
/// HTTP status: what the official clients turn into their exception classes (400
/// BadRequestError, 401 AuthenticationError, 404 NotFoundError, 429 RateLimitError, …).
public struct APIError: Error, Sendable, Equatable {
  public var status: HTTPResponse.Status
  public var message: String
  public var type: String
  public var param: String?
  public var code: String?
  /// Seconds for a `Retry-After` header (429).
  public var retryAfter: Int?

  public init(
    _ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error", param: String? = nil,
    code: String? = nil, retryAfter: Int? = nil
  ) {
    self.status = status
    self.message = message
    self.type = type
    self.param = param
    self.code = code
    self.retryAfter = retryAfter
  }

  /// The JSON body.
  public var body: JSONText {
    .object([
      (
        "error",
        .object([
          ("message", .string(message)), ("type", .string(type)), ("param", param.map(JSONText.string) ?? .null),
          ("code", code.map(JSONText.string) ?? .null),
        ])
      )
    ])
  }

  /// A request field that is missing.
  static func missing(_ param: String) -> APIError {
    APIError(.badRequest, "'\(param)' is a required property", param: param, code: "missing_required_parameter")
  }

  /// A request field of the wrong type or out of range.
  static func invalid(_ param: String, _ message: String) -> APIError {
    APIError(.badRequest, message, param: param, code: "invalid_value")
  }

  static func unknownModel(_ name: String) -> APIError {
    APIError(.notFound, "The model '\(name)' does not exist on this server", param: "model", code: "model_not_found")
  }

  static let unauthorized = APIError(
    .unauthorized, "Incorrect or missing API key: send 'Authorization: Bearer <key>'", type: "invalid_request_error",
    code: "invalid_api_key")

  static let notLoaded = APIError(
    .serviceUnavailable, "The model is still loading", type: "server_error", code: "model_not_loaded", retryAfter: 1)
}
