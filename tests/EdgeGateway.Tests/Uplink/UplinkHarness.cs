using System.Collections.Concurrent;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Uplink;

/// <summary>One uplink service wired to an in-memory outbox, started and stopped like the host would.</summary>
internal sealed class UplinkHarness : IAsyncDisposable
{
    private bool _started;

    public UplinkHarness(int port, Action<MqttUplinkOptions>? configure = null, TimeProvider? time = null, InMemoryOutbox? outbox = null, string? deviceId = null, IOutbox? realOutbox = null)
    {
        time ??= TimeProvider.System;
        DeviceId = deviceId ?? $"car-{Guid.NewGuid():N}"[..16];
        Options = new MqttUplinkOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ReconnectMin = TimeSpan.FromMilliseconds(50),
            ReconnectMax = TimeSpan.FromMilliseconds(400),
            AckTimeout = TimeSpan.FromSeconds(5),
            KeepAlive = TimeSpan.FromSeconds(5),
            CommunicationTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(Options);
        Outbox = outbox ?? new InMemoryOutbox();
        IOutbox used = realOutbox ?? Outbox;
        Link = new LinkStateMachine(LinkLogger, time);
        Link.Changed += Transitions.Enqueue;
        Service = new MqttUplinkService(
            used,
            Microsoft.Extensions.Options.Options.Create(Options),
            Microsoft.Extensions.Options.Options.Create(new GatewayOptions { DeviceId = DeviceId, Role = GatewayRole.Vehicle }),
            Link,
            Counters,
            time,
            EdgeGateway.Security.GatewayIdentity.DevelopmentPlaintext(DeviceId), // the named override: these tests are about the uplink
            ServiceLogger);
    }

    public string DeviceId { get; }

    public MqttUplinkOptions Options { get; }

    public InMemoryOutbox Outbox { get; }

    public LinkStateMachine Link { get; }

    public UplinkCounters Counters { get; } = new();

    public MqttUplinkService Service { get; }

    public TestLogger<LinkStateMachine> LinkLogger { get; } = new();

    public TestLogger<MqttUplinkService> ServiceLogger { get; } = new();

    public ConcurrentQueue<LinkStateChange> Transitions { get; } = new();

    public async Task StartAsync()
    {
        _started = true;
        await Service.StartAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async Task StopAsync()
    {
        if (_started)
        {
            _started = false;
            await Service.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Service.Dispose();
    }
}
