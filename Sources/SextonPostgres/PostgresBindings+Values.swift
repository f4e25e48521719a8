import PostgresNIO

/// Binds in order, nil as SQL NULL.
func bindings(_ values: (any PostgresNonThrowingEncodable & Sendable)?...) -> PostgresBindings {
    var bindings = PostgresBindings()
    for value in values {
        if let value { bindings.append(value) } else { bindings.appendNull() }
    }
    return bindings
}

extension AsyncSequence {
    func collect() async throws -> [Element] {
        try await reduce(into: []) { $0.append($1) }
    }
}
