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
}
