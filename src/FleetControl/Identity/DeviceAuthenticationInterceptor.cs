using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace FleetControl.Identity;

/// <summary>
/// Runs before every gRPC method: checks the caller's client certificate (chain, validity, revocation)
/// on every call, records the device id for <see cref="DeviceCaller"/>, and keeps the call in a table
/// so that revoking the device aborts it at once (a long evidence upload included). Only
/// <c>DeviceIdentity/Enrol</c> runs without a certificate (its one-time token authorises it), and the standard
/// gRPC health service (<c>grpc.health.v1.Health</c>), which tells nothing but readiness.
/// </summary>
internal sealed class DeviceAuthenticationInterceptor : Interceptor
{
    private const string EnrolMethod = "/edgegateway.v1.DeviceIdentity/Enrol";

    // The standard gRPC health service: a load balancer or an installer probes it without a device certificate.
    private const string HealthService = "/grpc.health.v1.Health/";
    private readonly TransportSecurity _security;
    private readonly CertificateAuthority _authority;
    private readonly ILogger<DeviceAuthenticationInterceptor> _logger;
    private readonly ConcurrentDictionary<HttpContext, string> _active = new();

    public DeviceAuthenticationInterceptor(
        TransportSecurity security, CertificateAuthority authority, EnrolmentRegistry registry, ILogger<DeviceAuthenticationInterceptor> logger)
    {
        _security = security;
        _authority = authority;
        _logger = logger;
        registry.DeviceRevoked += AbortCallsOf;
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var http = Authenticate(context);
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        finally
        {
            Forget(http);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var http = Authenticate(context);
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        finally
        {
            Forget(http);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var http = Authenticate(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            Forget(http);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var http = Authenticate(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        finally
        {
            Forget(http);
        }
    }

    private HttpContext? Authenticate(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (!_security.IsTlsEnabled)
        {
            DeviceCaller.SetDevelopmentPlaintext(http);
            return null;
        }

        if ((string.Equals(context.Method, EnrolMethod, StringComparison.Ordinal) || context.Method.StartsWith(HealthService, StringComparison.Ordinal))
            && http.Connection.ClientCertificate is null)
        {
            return null;
        }

        var check = _authority.Validate(http.Connection.ClientCertificate);
        if (!check.IsValid)
        {
            Log.CallRefused(_logger, context.Method, context.Peer, check.Reason!);
            throw new RpcException(new Status(StatusCode.Unauthenticated, check.Reason!));
        }

        DeviceCaller.SetAuthenticated(http, check.DeviceId!);
        _active[http] = check.DeviceId!;
        return http;
    }

    private void Forget(HttpContext? http)
    {
        if (http is not null)
        {
            _active.TryRemove(http, out _);
        }
    }

    private void AbortCallsOf(string deviceId)
    {
        foreach (var (http, id) in _active)
        {
            if (string.Equals(id, deviceId, StringComparison.Ordinal))
            {
                Log.CallAborted(_logger, deviceId, http.Request.Path);
                http.Abort();
            }
        }
    }
}
