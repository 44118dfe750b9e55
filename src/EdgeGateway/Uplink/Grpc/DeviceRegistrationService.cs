using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace EdgeGateway.Uplink.Grpc;

/// <summary>
/// Calls FleetControl's DeviceRegistry.Register once at start-up. It runs in the background: when
/// FleetControl is down the rest of the gateway starts and buffers as usual. A Polly pipeline
/// (timeout per attempt, bounded exponential retry) wraps the one call; when a round of attempts
/// fails, the service pauses and starts another round until it succeeds or the gateway stops.
/// </summary>
internal sealed class DeviceRegistrationService(
    IOptions<GatewayOptions> gateway,
    IOptions<RegistrationOptions> options,
    RegistrationState state,
    GatewayIdentity identity,
    TimeProvider time,
    ILogger<DeviceRegistrationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var g = gateway.Value;
        var o = options.Value;
        var request = BuildRequest(g);
        var pipeline = BuildPipeline(o);
        using var channel = GrpcChannel.ForAddress(g.FleetControlUrl, new GrpcChannelOptions { HttpHandler = identity.CreateHttpHandler() });
        var client = new DeviceRegistry.DeviceRegistryClient(channel);
        Log.Registering(logger, g.DeviceId, g.Role.ToString(), request.SoftwareVersion, g.FleetControlUrl);

        try
        {
            await identity.WaitReadyAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var response = await pipeline.ExecuteAsync(
                        async ct =>
                        {
                            state.OnAttempt();
                            return await client.RegisterAsync(request, cancellationToken: ct).ResponseAsync.ConfigureAwait(false);
                        },
                        stoppingToken).ConfigureAwait(false);

                    if (response.Accepted)
                    {
                        var serverTime = response.ServerTime?.ToDateTimeOffset() ?? time.GetUtcNow();
                        state.OnAccepted(serverTime);
                        Log.Registered(logger, response.TopicPrefix, serverTime, time.GetUtcNow() - serverTime);
                    }
                    else
                    {
                        // A refusal is an answer, not an outage: retrying the same request cannot change it.
                        Log.Refused(logger, g.DeviceId, response.Reason);
                    }

                    return;
                }
                catch (Exception ex) when (IsTransient(ex) && !stoppingToken.IsCancellationRequested)
                {
                    Log.RoundFailed(logger, g.FleetControlUrl, state.Attempts, Describe(ex), o.RoundPause);
                }

                await Task.Delay(o.RoundPause, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Gateway stopping.
        }
    }

    internal static RegisterRequest BuildRequest(GatewayOptions g)
    {
        var request = new RegisterRequest
        {
            DeviceId = g.DeviceId,
            Role = g.Role == GatewayRole.Dock ? DeviceRole.Dock : DeviceRole.Vehicle,
            SoftwareVersion = GatewayVersion.Current,
            Hostname = Environment.MachineName,
        };
        request.Capabilities.Add(g.Role == GatewayRole.Dock ? "bwv-dock" : "gnss");
        return request;
    }

    private ResiliencePipeline<RegisterResponse> BuildPipeline(RegistrationOptions o) =>
        new ResiliencePipelineBuilder<RegisterResponse> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<RegisterResponse>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && IsTransient(ex)),
                MaxRetryAttempts = o.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.InitialBackoff,
                MaxDelay = o.MaxBackoff,
                OnRetry = args =>
                {
                    Log.AttemptFailed(logger, args.AttemptNumber + 1, Describe(args.Outcome.Exception), args.RetryDelay);
                    return default;
                },
            })
            .AddTimeout(o.AttemptTimeout)
            .Build();

    private static bool IsTransient(Exception ex) => ex is RpcException or TimeoutRejectedException or HttpRequestException;

    private static string Describe(Exception? ex) => ex switch
    {
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        TimeoutRejectedException => "timed out",
        null => "no exception",
        _ => ex.Message,
    };
}
