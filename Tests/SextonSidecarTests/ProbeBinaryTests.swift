import Foundation
import Testing

/// `/livez`, `/healthz` and `/readyz` of the real binary (CONTRACT §4), kube-apiserver style.
@Suite struct ProbeBinaryTests {
    static let plainText = "text/plain; charset=utf-8"

    @Test(arguments: ["/livez", "/healthz", "/readyz"])
    func aPassingProbeAnswersOk(path: String) throws {
        let sexton = try SextonProcess()
        let reply = try sexton.get(path, on: .telemetry)
        #expect(reply.status == 200)
        #expect(reply.text == "ok")
        #expect(reply.header("Content-Type") == Self.plainText)
    }

    @Test func verboseProbesListEveryCheckAndCloseWithTheVerdict() throws {
        let sexton = try SextonProcess()
        for (path, probe) in [("/livez", "livez"), ("/healthz", "livez"), ("/readyz", "readyz")] {
            let reply = try sexton.get("\(path)?verbose", on: .telemetry)
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == Self.plainText)
            let lines = reply.text.split(separator: "\n").map(String.init)
            #expect(lines.last == "\(probe) check passed")
            #expect(lines.count >= 2)
            for line in lines.dropLast() {
                #expect(line.hasPrefix("[+]") && line.hasSuffix(" ok"), "\(path): \(line)")
            }
        }
        let ready = try sexton.get("/readyz?verbose", on: .telemetry).text
        for check in ["ping", "startup", "shutdown", "staging"] {
            #expect(ready.contains("[+]\(check) ok\n"), "readyz lacks \(check): \(ready)")
        }
    }

    @Test func excludedChecksAreMarkedAndSkipped() throws {
        let sexton = try SextonProcess()
        let reply = try sexton.get("/readyz?verbose&exclude=staging", on: .telemetry)
        #expect(reply.status == 200)
        #expect(reply.text.contains("[+]staging excluded: ok\n"))
        #expect(reply.text.hasSuffix("readyz check passed\n"))
    }

    /// A full staging area is the one health condition that takes the pod out of service.
    @Test func fullStagingTurnsReadinessAndSubmissionsAwayButNotLiveness() throws {
        let sexton = try SextonProcess([
            "--coordinator-max-staging-size", "1", "--coordinator-max-ops-per-target", "1",
            "--coordinator-staging-window", "2s",
        ])
        let held = Background { try sexton.submit("t1") }
        try poll("readyz to fail") { try sexton.get("/readyz", on: .telemetry).status == 503 }

        let ready = try sexton.get("/readyz?verbose", on: .telemetry)
        #expect(ready.status == 503)
        #expect(ready.text.contains("[-]staging failed"))
        #expect(ready.text.hasSuffix("readyz check failed\n"))
        // Excluding the failing check is how an operator looks past it.
        #expect(try sexton.get("/readyz?exclude=staging", on: .telemetry).status == 200)
        #expect(try sexton.get("/livez", on: .telemetry).status == 200)

        let refused = try sexton.submit("t2")
        #expect(refused.status == 503)
        #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "staging_full")
        #expect(refused.header("Retry-After") != nil)

        // The held submission still resolves when its window closes, and readiness returns.
        let admitted = try held.wait()
        #expect(admitted.status == 200)
        #expect(admitted.json["status"] as? String == "admitted")
        try poll("readyz to recover") { try sexton.get("/readyz", on: .telemetry).status == 200 }
        #expect(try sexton.metrics().value("sexton_operations_submitted_total") == 1)
    }
}
