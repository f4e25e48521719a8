import Synchronization

/// The targets remembered only for their version (nothing staged, active, zombie or in
/// history names them), across shards, longest idle first: what `max_targets` forgets first
/// (CONTRACT §2.2). A doubly linked list over a slab of nodes, so joining, leaving and taking
/// the head are O(1).
///
/// Locking: linked and unlinked under a shard's lock (this lock nests inside it); the head is
/// taken with no shard lock held, and the shard checked afterwards.
final class IdleTargets: Sendable {
    static let none = UInt32.max

    private struct Node {
        var shard: UInt32
        var slot: UInt32
        var prev: UInt32
        var next: UInt32
    }

    private struct List {
        var nodes: [Node] = []
        var free: [UInt32] = []
        var head = IdleTargets.none
        var tail = IdleTargets.none
    }

    private let list = Mutex(List())
    /// Targets in every shard's table, idle or not.
    let remembered = Atomic<Int>(0)
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var isOverCapacity: Bool { remembered.load(ordering: .relaxed) > capacity }

    /// Appends a target that just became idle; returns its node.
    func link(shard: UInt32, slot: UInt32) -> UInt32 {
        list.withLock { l in
            let node = Node(shard: shard, slot: slot, prev: l.tail, next: Self.none)
            let index: UInt32
            if let reused = l.free.popLast() {
                index = reused
                l.nodes[Int(index)] = node
            } else {
                index = UInt32(l.nodes.count)
                l.nodes.append(node)
            }
            if l.tail != Self.none { l.nodes[Int(l.tail)].next = index } else { l.head = index }
            l.tail = index
            return index
        }
    }

    /// A target named again leaves the list.
    func unlink(_ index: UInt32) {
        list.withLock { l in Self.unlink(index, in: &l) }
    }

    /// Takes the longest-idle target off the list: its shard, slot and the node it held.
    func takeLongestIdle() -> (shard: UInt32, slot: UInt32, node: UInt32)? {
        list.withLock { l in
            guard l.head != Self.none else { return nil }
            let index = l.head
            let node = l.nodes[Int(index)]
            Self.unlink(index, in: &l)
            return (node.shard, node.slot, index)
        }
    }

    private static func unlink(_ index: UInt32, in l: inout List) {
        let node = l.nodes[Int(index)]
        if node.prev != none { l.nodes[Int(node.prev)].next = node.next } else { l.head = node.next }
        if node.next != none { l.nodes[Int(node.next)].prev = node.prev } else { l.tail = node.prev }
        l.free.append(index)
    }
}
