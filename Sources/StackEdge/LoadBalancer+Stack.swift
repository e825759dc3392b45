import StackSupport

extension LoadBalancer {
    /// The runner's way in: TLS from the stack CA (listener certificate; targets and the IdP trusted through
    /// the CA), the stack's logger, and the bound port reported to `bound`.
    ///
    /// ```swift
    /// let key = EdgeSigningKey()                        // made first: the backends need key.publicKeyPEM by key.keyID
    /// let signer = LoadBalancer.signerARN(for: config.lb)
    /// let lbPort = BoundPort(name: "load balancer")
    /// services.append(DeferredService {
    ///     let idpPort = try await identity.bound.value()
    ///     let lbConfig = config.lb.withTargets(EdgeConfig.managerTargetGroup, ["https://127.0.0.1:\(try await backends.managerPort.value())"])
    ///                             .withTargets(EdgeConfig.analyticsTargetGroup, ["https://127.0.0.1:\(try await backends.analyticsPort.value())"])
    ///     return try LoadBalancer(config: lbConfig, context: context,
    ///         idp: .init(publicBaseURL: "https://\(names.identityProvider):\(idpPort)", internalBaseURL: "https://127.0.0.1:\(idpPort)",
    ///                    issuer: identity.issuer),
    ///         client: .init(clientID: web.clientId, clientSecret: web.clientSecret!),
    ///         signingKey: key, accessLog: stateDir + "/alb-access.log", bound: lbPort)
    /// })
    /// // once lbPort is bound: identity.registerCallback(client: "web", url: "https://<lb name or 127.0.0.1>:<port>/oauth2/idpresponse")
    /// ```
    public convenience init(config: EdgeConfig, context: StackContext, idp: IdentityProviderEndpoints, client: OIDCClientCredentials,
                            signingKey: EdgeSigningKey, accessLog: String?, bound: BoundPort) throws {
        var logger = context.logger
        logger[metadataKey: "component"] = "load-balancer"
        try self.init(
            config: config, idp: idp, client: client,
            tls: EdgeTLS(listener: try context.serverTLS(), upstream: context.ca.clientTLSConfiguration()),
            accessLog: accessLog, signingKey: signingKey, logger: logger,
            onRunning: { port in bound.fulfil(port) })
    }
}
