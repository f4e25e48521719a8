/// Picks the shard (coordinator shard or id-index bucket) of a target or an operation id.
///
/// FNV-1a over the UTF-8 bytes, not `hashValue`: SipHash costs several hundred instructions
/// for a short string, and a submission picks two shards. Its seeded resistance to chosen keys
/// buys nothing here: keys that collide only share a lock, and the tables inside each shard
/// still use `Hashable`.
enum ShardHash {
    static func of(_ key: String, bits: Int) -> Int {
        var key = key
        let hash = key.withUTF8 { bytes in
            bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        }
        // The top bits of a multiplicative mix: FNV's low bits depend mostly on the last bytes.
        return bits == 0 ? 0 : Int(truncatingIfNeeded: (hash &* 0x9e37_79b9_7f4a_7c15) >> UInt64(64 - bits))
    }
}
