/// A place in the insertion-order list that survives releasing the lock: the slot and the
/// generation it had, so a slot freed and reused meanwhile is recognised.
private struct Cursor {
    var slot: Int32
    var generation: UInt32
}

extension CleanupEngine {
    /// One pass (CONTRACT §3.3): samples memory pressure, then removes what is due under each
    /// zombie's effective strategy, re-evaluated now. `all` removes every zombie (an operator's
    /// purge, label `manual`). A dry run, requested or configured, reports and removes nothing.
    /// The worker's passes sample lazy zombies within a time budget; a manual pass checks them all.
    /// Zombies whose handler must run first go to the handler workers; a manual pass runs them
    /// itself and waits, so its result counts them.
    @discardableResult
    public func runPass(trigger: PassTrigger = .manual, dryRun requested: Bool = false, all: Bool = false) async -> CleanupPassResult {
        let started = clock.now()
        let dryRun = config.dryRun || requested
        let pressure = memory.sample()
        let (pass, adaptive) = state.withLock { s in
            s.memoryPressure = pressure
            s.passCounter += 1
            return (s.passCounter, adaptiveInputs(s, zombieCount: s.store.count))
        }
        var tally = CleanupPassResult(trigger: trigger, dryRun: dryRun, all: all, finishedAt: started)
        var lazyStale = 0
        var pending: [Claim] = []
        if all {
            takeOldest(label: .manual, trigger: nil, keeping: 0, pass: pass, dryRun: dryRun, into: &tally, &pending)
        } else if adaptive.memoryPressureHigh {
            takeOldest(label: .immediate, trigger: .memoryPressure, keeping: 0, pass: pass, dryRun: dryRun, into: &tally, &pending)
        } else {
            takeOldest(
                label: .immediate, trigger: .forceThreshold, keeping: config.forceCleanupThreshold,
                pass: pass, dryRun: dryRun, into: &tally, &pending)
            takeOverCap(pass: pass, dryRun: dryRun, into: &tally, &pending)
            takeDue(pass: pass, dryRun: dryRun, into: &tally, &pending)
            lazyStale = sampleLazy(
                everything: trigger == .manual, pass: pass, dryRun: dryRun, started: started, into: &tally, &pending)
        }
        if trigger == .manual {
            await handle(pending, into: &tally)
        } else {
            handlerQueue.push(pending)
        }
        let finished = clock.now()
        tally.duration = finished - started
        tally.finishedAt = finished
        state.withLock { s in
            if !all {
                s.dryRunHeld = dryRun ? tally.candidates : 0
                s.lazyStaleEstimate = lazyStale
            }
            s.lastPass = tally
            s.store.compactDueQueueIfSparse()
        }
        observer.passFinished(tally)
        return tally
    }

    /// Between passes: takes what has fallen due (handler retries, retention, a custom
    /// handler's retention) at its time, without the rest of a pass.
    func sweepDue() {
        let pass = state.withLock { s in
            s.passCounter += 1
            return s.passCounter
        }
        var tally = CleanupPassResult(trigger: .schedule, dryRun: false, all: false, finishedAt: clock.now())
        var pending: [Claim] = []
        takeDue(pass: pass, dryRun: false, into: &tally, &pending)
        handlerQueue.push(pending)
    }

    /// Takes zombies oldest first while more than `keeping` would stay: all of them for a purge
    /// or under memory pressure, the excess over `force_cleanup_threshold` otherwise.
    private func takeOldest(
        label: StrategyLabel, trigger: AdaptiveTrigger?, keeping: Int, pass: UInt64, dryRun: Bool,
        into tally: inout CleanupPassResult, _ pending: inout [Claim]
    ) {
        var cursor: Cursor?
        var reported = 0
        var finished = false
        while !finished {
            let work = state.withLock { s in
                var work = CleanupWork()
                var slot = s.store.all.head
                if let c = cursor, s.store.nodes[Int(c.slot)].live, s.store.nodes[Int(c.slot)].generation == c.generation {
                    slot = c.slot
                }
                while slot >= 0, work.claims.count + work.reports.count < tuning.sliceSize {
                    guard s.store.count - s.store.inFlight - reported > keeping else { break }
                    let next = s.store.allLinks.next[Int(slot)]
                    if s.store.isAvailable(slot, pass: pass) {
                        if let trigger, !dryRun { s.count(trigger, into: &work) }
                        s.take(slot, label: label, pass: pass, dryRun: dryRun, into: &work)
                        if dryRun { reported += 1 }
                    }
                    slot = next
                }
                let more = slot >= 0 && s.store.count - s.store.inFlight - reported > keeping
                cursor = more ? Cursor(slot: slot, generation: s.store.nodes[Int(slot)].generation) : nil
                finished = !more
                work.remover = s.remover
                return work
            }
            pending += perform(work, into: &tally)
        }
    }

    /// Takes the oldest zombies of every target over `max_zombies_per_target`.
    private func takeOverCap(pass: UInt64, dryRun: Bool, into tally: inout CleanupPassResult, _ pending: inout [Claim]) {
        let targets = state.withLock { Array($0.store.overCapTargets) }
        var start = 0
        while start < targets.count {
            let chunk = targets[start..<min(start + max(tuning.sliceSize / 16, 1), targets.count)]
            start = chunk.endIndex
            let work = state.withLock { s in
                var work = CleanupWork()
                for target in chunk where s.store.overCapTargets.contains(target) {
                    s.evictOverCap(target, pass: pass, dryRun: dryRun, countTriggers: !dryRun, into: &work)
                }
                work.remover = s.remover
                return work
            }
            pending += perform(work, into: &tally)
        }
    }

    /// Takes every zombie whose due time has come: deferred retention over, custom handler
    /// retention over, handler retries, and immediate ones a dry run held back.
    private func takeDue(pass: UInt64, dryRun: Bool, into tally: inout CleanupPassResult, _ pending: inout [Claim]) {
        let now = clock.now()
        if dryRun {
            let due = state.withLock { $0.store.dueSlots(now: now) }
            var start = 0
            while start < due.count {
                let chunk = due[start..<min(start + tuning.sliceSize, due.count)]
                start = chunk.endIndex
                let work = state.withLock { s in
                    var work = CleanupWork()
                    for slot in chunk where s.store.isAvailable(slot, pass: pass) {
                        s.take(slot, label: s.store.nodes[Int(slot)].label, pass: pass, dryRun: true, into: &work)
                    }
                    return work
                }
                pending += perform(work, into: &tally)
            }
            return
        }
        while true {
            let work = state.withLock { s in
                var work = CleanupWork()
                while work.claims.count < tuning.sliceSize, let slot = s.store.popDue(now: now) {
                    s.take(slot, label: s.store.nodes[Int(slot)].label, pass: pass, dryRun: false, into: &work)
                }
                work.remover = s.remover
                return work
            }
            if work.claims.isEmpty { return }
            pending += perform(work, into: &tally)
        }
    }

    /// The lazy sampling pass. Draws without replacement (a growing prefix of the pool holds the
    /// drawn ones), so no zombie is counted twice. The worker's pass goes on while more than
    /// `lazyRepeatShare` of a round's sample had expired and its time budget lasts; a manual
    /// pass (`everything`) draws the whole pool. Returns the estimated expired zombies left.
    private func sampleLazy(
        everything: Bool, pass: UInt64, dryRun: Bool, started: Timestamp, into tally: inout CleanupPassResult,
        _ pending: inout [Claim]
    ) -> Int {
        let roundSize = everything ? tuning.sliceSize : tuning.lazySampleSize
        let deadline = started + tuning.lazyPassBudget
        var drawn = 0
        while true {
            let (work, sampled, expired, undrawn) = state.withLock { s in
                var work = CleanupWork()
                var sampled = 0
                var expired = 0
                let now = clock.now().nanoseconds
                while sampled < roundSize, drawn < s.store.pool.count {
                    let j = drawn + Int(s.rng.next(upperBound: UInt64(s.store.pool.count - drawn)))
                    let slot = s.store.pool.slots[j]
                    guard s.store.isAvailable(slot, pass: pass) else {
                        s.store.swapPoolPositions(drawn, j)
                        drawn += 1
                        continue
                    }
                    sampled += 1
                    let isExpired = s.store.nodes[Int(slot)].dueAt <= now
                    if isExpired { expired += 1 }
                    if isExpired && !dryRun {
                        s.take(slot, label: .lazy, pass: pass, dryRun: false, into: &work)
                    } else {
                        if isExpired { s.take(slot, label: .lazy, pass: pass, dryRun: true, into: &work) }
                        s.store.swapPoolPositions(drawn, j)
                        drawn += 1
                    }
                }
                work.remover = s.remover
                return (work, sampled, expired, s.store.pool.count - drawn)
            }
            pending += perform(work, into: &tally)
            let share = sampled > 0 ? Double(expired) / Double(sampled) : 0
            guard undrawn > 0, sampled > 0 else { return 0 }
            if !everything && (share <= tuning.lazyRepeatShare || clock.now() >= deadline) {
                return Int((share * Double(undrawn)).rounded())
            }
        }
    }
}
