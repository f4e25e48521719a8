import Foundation

/// The metric families of CONTRACT §6, read from `Tests/contract/metric_families.json`: the one
/// list the Swift and the Python tests share.
public enum ContractMetrics {
    public struct Family: Decodable, Sendable {
        public var type: String
        public var labels: [String]
    }

    public static let families: [String: Family] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../contract/metric_families.json").standardizedFileURL
        do {
            return try JSONDecoder().decode([String: Family].self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read the contract's metric families at \(url.path): \(error)")
        }
    }()
}
