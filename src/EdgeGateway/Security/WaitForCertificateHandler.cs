namespace EdgeGateway.Security;

/// <summary>Holds a gRPC request until the gateway is enrolled: a connection made earlier would carry no certificate for its whole life.</summary>
internal sealed class WaitForCertificateHandler(GatewayIdentity identity, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await identity.WaitReadyAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
