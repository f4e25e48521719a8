import SextonCore

/// The operator commands' table output: each sidecar answer as a person reads it (CONTRACT §8).
/// `now` turns the answer's timestamps into ages (`12s ago`, `in 48s`).
public enum OperatorReports {
    /// `GET /v1/zombies` (oldest first, as the API orders them) and a one-line summary.
    public static func zombies(_ answer: JSONValue, now: WallTime) -> String {
        let zombies = answer["zombies"]?.array ?? []
        return zombieTable(zombies, now: now) + zombieSummary(zombies)
    }

    static func zombieTable(_ zombies: [JSONValue], now: WallTime) -> String {
        guard !zombies.isEmpty else { return "" }
        var table = TextTable("ID", "TARGET", "TARGET TYPE", "OP TYPE", "PRIORITY", "STATUS", "REASON", "AGE", "STRATEGY", "CLEANUP", "FAILED")
        for z in zombies {
            table.add(
                text(z["id"]), text(z["target"]), text(z["target_type"]), text(z["op_type"]), text(z["priority"]),
                text(z["status"]), text(z["reason"]), age(z["age_seconds"]), text(z["strategy"]), moment(z["cleanup_at"], now: now),
                text(z["failed_attempts"]))
        }
        return table.rendered + "\n"
    }

    static func zombieSummary(_ zombies: [JSONValue]) -> String {
        let noun = zombies.count == 1 ? "zombie" : "zombies"
        guard let oldest = zombies.compactMap({ $0["age_seconds"]?.number }).max() else { return "0 zombies" }
        return "\(zombies.count) \(noun), oldest \(AgeText.format(seconds: oldest))"
    }

    /// `GET /v1/operations/{id}`: one field a line.
    public static func operation(_ answer: JSONValue, now: WallTime) -> String {
        let lineage = answer["lineage"]
        var table = TextTable("FIELD", "VALUE")
        for key in ["id", "target", "target_type", "op_type", "priority", "effective_priority", "status", "reason", "winner", "error", "ecs_id", "in_registry", "zombie"] {
            table.add(key, text(answer[key]))
        }
        for key in ["submitted_at", "admitted_at", "started_at", "last_heartbeat_at", "ended_at"] {
            table.add(key, answer[key]?.string.map { "\($0) (\(moment(answer[key], now: now)))" } ?? "-")
        }
        for key in ["parent", "retry_of", "retry_count"] { table.add(key, text(lineage?[key])) }
        return table.rendered.split(separator: "\n").dropFirst().joined(separator: "\n")
    }

    /// `GET /v1/targets/{target}`: its version, what holds it, what is staged, its zombies.
    public static func target(_ answer: JSONValue, now: WallTime) -> String {
        var lines = ["target:  \(text(answer["target"]))", "version: \(text(answer["version"]))"]
        if let active = answer["active"], active != .null {
            lines.append("active:  \(text(active["id"])) (\(text(active["status"])), priority \(text(active["priority"])), admitted \(moment(active["admitted_at"], now: now)))")
        } else {
            lines.append("active:  none")
        }
        lines.append("staged:  \(text(answer["staged"]))")
        let zombies = answer["zombies"]?.array ?? []
        return lines.joined(separator: "\n") + "\n\n" + zombieTable(zombies, now: now) + zombieSummary(zombies)
    }

    /// `status`: the health checks first, then the worker, then dry-run mode. `cleanup` is
    /// `/admin/cleanup/status`, nil when the admin API refused.
    public static func status(health: JSONValue, cleanup: JSONValue?, now: WallTime) -> String {
        var out = "health: \(text(health["status"]))\n"
        var checks = TextTable("CHECK", "STATE", "VALUE", "MESSAGE")
        for (name, check) in health["checks"]?.members ?? [] {
            checks.add(name, text(check["state"]), text(check["value"]), text(check["message"]))
        }
        out += checks.rendered + "\n"
        for issue in health["issues"]?.array ?? [] { out += "issue: \(text(issue))\n" }
        guard let cleanup else { return out + "\ncleanup worker: unknown: the admin API refused (below)" }
        let worker = cleanup["worker"]
        out += "\ncleanup worker: \(worker?["running"]?.bool == true ? "running" : "stopped"), \(text(worker?["passes"])) passes\n"
        out += "last pass:  \(moment(worker?["last_run"], now: now))\n"
        out += "next pass:  \(moment(worker?["next_run"], now: now))\n"
        out += "backlog:    \(text(cleanup["backlog"])) of \(text(cleanup["zombies"])) zombies\n"
        let failed = (cleanup["failed_handlers"]?.array ?? []).map(text)
        out += "handlers:   \(failed.isEmpty ? "none failed" : "failed: " + failed.joined(separator: ", "))\n"
        out += "dry run:    \(cleanup["dry_run"]?.bool == true ? "on (nothing is removed)" : "off")"
        return out
    }

    /// `POST /admin/cleanup`: what the pass removed, or would remove in a dry run, by strategy.
    public static func cleanup(_ answer: JSONValue) -> String {
        let byStrategy = (answer["by_strategy"]?.members ?? [])
            .filter { ($0.1.number ?? 0) > 0 }
            .map { "\($0.0) \(text($0.1))" }
        let strategies = byStrategy.isEmpty ? "" : " (\(byStrategy.joined(separator: ", ")))"
        let duration = AgeText.format(seconds: answer["duration_seconds"]?.number ?? 0)
        let candidates = text(answer["candidates"])
        if answer["dry_run"]?.bool == true {
            return "dry run: \(candidates) zombies would be removed\(strategies); nothing was removed (\(duration))"
        }
        return "cleaned \(text(answer["cleaned"])) of \(candidates) zombies\(strategies), \(text(answer["failed"])) failed (\(duration))"
    }

    /// A value as a cell: strings bare, null as `-`, whole numbers without a fraction.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "-"
        case .string(let s)?: s
        case .int(let i)?: String(i)
        case .double(let d)?: d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String((d * 1000).rounded() / 1000)
        case .bool(let b)?: b ? "yes" : "no"
        case let other?: String(decoding: other.serialized, as: UTF8.self)
        }
    }

    static func age(_ seconds: JSONValue?) -> String {
        seconds?.number.map { AgeText.format(seconds: $0) } ?? "-"
    }

    /// An RFC 3339 time as its distance from now: `12s ago`, `in 48s`.
    static func moment(_ value: JSONValue?, now: WallTime) -> String {
        guard let text = value?.string, let time = WallTime(rfc3339: text) else { return "-" }
        let seconds = Double(time.nanosecondsSinceEpoch - now.nanosecondsSinceEpoch) / 1e9
        return seconds <= 0 ? "\(AgeText.format(seconds: -seconds)) ago" : "in \(AgeText.format(seconds: seconds))"
    }
}
