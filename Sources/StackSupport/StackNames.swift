/// The stack's hostnames, all derived from one configurable domain so that a second stack (or a test) can
/// live under another name without touching any component.
///
/// With the default domain `gauntlet.test` the names are `example.logs.gauntlet.test` (load balancer),
/// `auth.example.logs.gauntlet.test` (identity provider) and `upload.example.logs.gauntlet.test` (upload
/// gateway). `.test` is reserved (RFC 2606), so these names can never leak to a real resolver by accident.
public struct StackNames: Sendable, Hashable, Codable {
    /// The domain every name hangs off, e.g. `gauntlet.test`.
    public var domain: String
    /// The tenant label (AWS's deployment would use the customer name here), e.g. `example`.
    public var tenant: String

    public init(domain: String = "gauntlet.test", tenant: String = "example") {
        self.domain = domain
        self.tenant = tenant
    }

    /// The load balancer's hostname: `<tenant>.logs.<domain>`.
    public var loadBalancer: String { "\(tenant).logs.\(domain)" }
    /// The identity provider's (hosted UI and API) hostname.
    public var identityProvider: String { "auth.\(loadBalancer)" }
    /// The upload gateway's hostname.
    public var upload: String { "upload.\(loadBalancer)" }

    /// Every hostname the stack serves; the leaf certificate covers exactly these plus 127.0.0.1.
    public var all: [String] { [loadBalancer, identityProvider, upload] }
}
