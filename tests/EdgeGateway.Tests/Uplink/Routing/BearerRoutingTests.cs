using System.ComponentModel.DataAnnotations;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Tests.Devices.Gnss;
using EdgeGateway.Uplink.Routing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Uplink.Routing;

/// <summary>Which classes also go over TETRA, and what the fan-out does with the radio's answer.</summary>
public sealed class BearerRoutingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(PriorityClass.Emergency, true, true)]
    [InlineData(PriorityClass.Emergency, false, true)]
    [InlineData(PriorityClass.Alert, true, false)]
    [InlineData(PriorityClass.Alert, false, true)]
    [InlineData(PriorityClass.Event, false, false)]
    [InlineData(PriorityClass.Read, false, false)]
    [InlineData(PriorityClass.Telemetry, false, false)]
    [InlineData(PriorityClass.Bulk, false, false)]
    public void Defaults_FollowTheRoutingTable(PriorityClass priority, bool ipLinkUp, bool expected)
    {
        var policy = new BearerRoutingPolicy(new RoutingOptions());

        Assert.Equal(expected, policy.UseTetra(priority, ipLinkUp, tetraAvailable: true));
        Assert.False(policy.UseTetra(priority, ipLinkUp, tetraAvailable: false));
    }

    [Theory]
    [InlineData(PriorityClass.Bulk)]
    [InlineData(PriorityClass.Read)]
    public void Options_BulkOrReadOverTetra_AreRefusedNamingTheSetting(PriorityClass priority)
    {
        var options = new RoutingOptions();
        options.Tetra[priority] = TetraRoute.WhenLteDown;

        var errors = options.Validate(new ValidationContext(options)).ToList();

        var error = Assert.Single(errors);
        Assert.Contains($"Routing:Tetra:{priority}", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emergency_StoredThenSentOverTetra_ConsumedReportAcknowledgesTheOutboxCopy()
    {
        var sds = new RecordingSds(new SdsSendResult(SdsSendOutcome.Delivered, 1, 0x02, "report"));
        var acknowledged = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new InMemoryObservationSink();
        await using var sink = NewSink(inner, sds, ipLinkUp: true, ids => acknowledged.TrySetResult(ids));

        var draft = Emergency("m-1");
        Assert.Equal(EnqueueResult.Accepted, await sink.AcceptAsync(draft, TestContext.Current.CancellationToken));

        Assert.Equal(["m-1"], await acknowledged.Task.WaitAsync(Bound, TestContext.Current.CancellationToken));
        var (destination, pid, payload, urgent) = Assert.Single(sds.Sends);
        Assert.Equal("9000", destination);
        Assert.Equal(SdsEnvelope.Pid, pid);
        Assert.True(urgent);
        Assert.True(SdsEnvelope.TryDecodeUserData(payload, out var carried, out _));
        Assert.Equal("m-1", carried!.MessageId);
        Assert.Single(inner.Snapshot()); // the outbox copy is there too
        Assert.Equal(1, sink.StoredOverTetra);
    }

    [Fact]
    public async Task ReceivedButNotConsumed_DoesNotAcknowledge()
    {
        var sds = new RecordingSds(new SdsSendResult(SdsSendOutcome.Delivered, 1, 0x00, "report"));
        var acks = 0;
        await using (var sink = NewSink(new InMemoryObservationSink(), sds, ipLinkUp: false, _ => Interlocked.Increment(ref acks)))
        {
            await sink.AcceptAsync(Emergency("m-2"), TestContext.Current.CancellationToken);
        }

        Assert.Single(sds.Sends);
        Assert.Equal(0, acks);
    }

    [Fact]
    public async Task Alert_GoesOverTetraOnlyWhileTheIpLinkIsDown()
    {
        var sds = new RecordingSds(new SdsSendResult(SdsSendOutcome.Sent, 1, -1, "OK"));
        var up = true;
        await using (var sink = new SdsFanOutSink(new InMemoryObservationSink(), new Lazy<ITetraSds>(sds), new BearerRoutingPolicy(new RoutingOptions()), () => up, _ => { }, "9000", NullLogger.Instance))
        {
            await sink.AcceptAsync(Alert("a-1"), TestContext.Current.CancellationToken);
            up = false;
            await sink.AcceptAsync(Alert("a-2"), TestContext.Current.CancellationToken);
            await sink.AcceptAsync(new Envelope { MessageId = "t-1", Priority = PriorityClass.Telemetry, Position = new Position() }, TestContext.Current.CancellationToken);
        }

        var sent = Assert.Single(sds.Sends);
        Assert.True(SdsEnvelope.TryDecodeUserData(sent.Payload, out var carried, out _));
        Assert.Equal("a-2", carried!.MessageId);
        Assert.False(sent.Urgent); // an Alert queues behind an Emergency on the air interface
    }

    [Fact]
    public async Task RefusedByTheOutbox_IsNotSentOverTetra()
    {
        var sds = new RecordingSds(new SdsSendResult(SdsSendOutcome.Sent, 1, -1, "OK"));
        await using (var sink = NewSink(new RefusingSink(), sds, ipLinkUp: false, _ => { }))
        {
            Assert.Equal(EnqueueResult.RefusedDiskFull, await sink.AcceptAsync(Emergency("m-3"), TestContext.Current.CancellationToken));
        }

        Assert.Empty(sds.Sends);
    }

    private static SdsFanOutSink NewSink(IObservationSink inner, ITetraSds sds, bool ipLinkUp, Action<IReadOnlyList<string>> acknowledge) =>
        new(inner, new Lazy<ITetraSds>(sds), new BearerRoutingPolicy(new RoutingOptions()), () => ipLinkUp, acknowledge, "9000", NullLogger.Instance);

    private static Envelope Emergency(string id) => new()
    {
        MessageId = id,
        DeviceId = "car-1",
        Stream = "radio",
        Priority = PriorityClass.Emergency,
        Event = new DeviceEvent { Type = "emergency" },
    };

    private static Envelope Alert(string id) => new()
    {
        MessageId = id,
        DeviceId = "car-1",
        Stream = "anpr",
        Priority = PriorityClass.Alert,
        Event = new DeviceEvent { Type = "hotlist-hit" },
    };

    /// <summary>Answers every send with one result and keeps what was sent.</summary>
    private sealed class RecordingSds(SdsSendResult result) : ITetraSds
    {
        private readonly List<(string Destination, byte Pid, byte[] Payload, bool Urgent)> _sends = [];

        public bool IsAvailable => true;

        public IReadOnlyList<(string Destination, byte Pid, byte[] Payload, bool Urgent)> Sends
        {
            get
            {
                lock (_sends)
                {
                    return [.. _sends];
                }
            }
        }

        public Task<SdsSendResult> SendAsync(string destination, byte protocolId, ReadOnlyMemory<byte> payload, bool requestReport, bool urgent, CancellationToken cancellationToken)
        {
            lock (_sends)
            {
                _sends.Add((destination, protocolId, payload.ToArray(), urgent));
            }

            return Task.FromResult(result);
        }
    }

    private sealed class RefusingSink : IObservationSink
    {
        public ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken) => ValueTask.FromResult(EnqueueResult.RefusedDiskFull);
    }
}
