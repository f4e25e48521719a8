import Foundation

public struct Response: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int = 200, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(
        status: Int = 200,
        headers: HTTPHeaders = [:],
        text: String,
        contentType: String = "text/plain; charset=utf-8"
    ) {
        var headers = headers
        headers.set("Content-Type", contentType)
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }

    /// `value` encoded as the JSON body; slashes are left unescaped unless `encoder` says otherwise.
    public static func json(
        status: Int = 200,
        headers: HTTPHeaders = [:],
        _ value: some Encodable,
        encoder: JSONEncoder? = nil
    ) throws -> Response {
        let encoder = encoder ?? {
            let fresh = JSONEncoder()
            fresh.outputFormatting = [.withoutEscapingSlashes]
            return fresh
        }()
        var headers = headers
        headers.set("Content-Type", "application/json")
        return Response(status: status, headers: headers, body: Array(try encoder.encode(value)))
    }
}
