import Foundation
import SextonHTTP

// Serves GET /text, a 20 KB text body shaped like a metrics page, until killed.
// Usage: http-bench [pool-threads] [port]; prints the bound address.
let arguments = CommandLine.arguments.dropFirst().map { Int($0)! }
let threads = arguments.first ?? HTTPServer.processorCount
let port = arguments.dropFirst().first ?? 0
let body = Array(String(repeating: "sexton_metric_line{label=\"value\"} 12345.678\n", count: 455).utf8)
var router = Router()
router.add(.get, "/text") { _ in
    Response(headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"], body: body)
}
let server = HTTPServer(configuration: HTTPServer.Configuration(port: port, threadPoolSize: threads), router: router)
FileHandle.standardOutput.write(Data("\(try server.start())\n".utf8))
while true { pause() }
