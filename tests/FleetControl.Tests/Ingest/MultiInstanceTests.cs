using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Npgsql;

namespace FleetControl.Tests.Ingest;

/// <summary>
/// Three FleetControl processes behind one mosquitto (MQTT 5 shared subscription), one PostgreSQL
/// database and one vault directory. One is SIGKILLed mid-stream; the gateways republish what was not
/// acknowledged (as the real outbox does), and the store ends with every envelope exactly once.
/// </summary>
public sealed class MultiInstanceTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private const int Devices = 3;
    private const int Rounds = 9;
    private const int BatchSize = 10;
    private readonly TempDirectory _dir = new();
    private MosquittoBroker _mosquitto = null!;

    public async ValueTask InitializeAsync() => _mosquitto = await MosquittoBroker.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _mosquitto.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task ThreeInstances_OneKilledMidStream_EveryEnvelopeStoredExactlyOnce()
    {
        var connectionString = await cluster.CreateDatabaseAsync("multi");
        var vault = _dir.Sub("shared-vault");
        // Started together: the migrations' advisory lock lets one create the schema while the others wait.
        var fleets = await Task.WhenAll(Enumerable.Range(1, 3).Select(i => FleetControlProcess.StartAsync(
            _dir.Sub("fleet-" + i),
            _mosquitto.Port,
            "--Store:Provider=PostgreSql",
            $"--Store:ConnectionString={connectionString}",
            "--Store:MaxPoolSize=5",
            $"--Evidence:VaultDirectory={vault}",
            "--Mqtt:Mode=External",
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:ClientId=fleet-instance-{i}",
            "--Mqtt:SharedSubscriptionGroup=fleet",
            "--Mqtt:SessionExpiry=00:00:05")));
        await using var f1 = fleets[0];
        await using var f2 = fleets[1];
        await using var f3 = fleets[2];
        var gateways = new List<ResendingGateway>();
        try
        {
            for (var d = 0; d < Devices; d++)
            {
                gateways.Add(new ResendingGateway(await TestDevice.ConnectAsync(_mosquitto.Port, $"car-m{d}")));
            }

            var sequence = 0UL;
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var g in gateways)
                {
                    await g.PublishAsync([.. Enumerable.Range(0, BatchSize).Select(_ => TestEnvelopes.Position(g.Device.DeviceId, ++sequence))]);
                }

                if (round == Rounds / 3)
                {
                    // Mid-stream, once the victim has provably taken part (it has acknowledged something).
                    await Eventually.UntilAsync(async () => (await f2.GetJsonAsync("/api/stats")).GetProperty("acksSent").GetInt64() > 0, "instance 2 acknowledged a batch", TimeSpan.FromSeconds(60));
                    await f2.KillAsync();
                }
            }

            foreach (var g in gateways)
            {
                try
                {
                    await g.UntilAllAcknowledgedAsync(TimeSpan.FromSeconds(60));
                }
                catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
                {
                    await using var ds = NpgsqlDataSource.Create(connectionString);
                    await using var q = ds.CreateCommand("SELECT count(*) FROM envelopes WHERE message_id = ANY(@ids)");
                    q.Parameters.AddWithValue("ids", g.PendingIds.ToArray());
                    Assert.Fail($"{g.Device.DeviceId}: {g.PendingCount} envelopes never acknowledged ({g.Resends} resends, {g.AcksSeen} acks seen, {await q.ExecuteScalarAsync(TestContext.Current.CancellationToken)} of them stored).\n--- instance 2: {Tail(f2.Output)}\n--- instance 1: {await f1.GetJsonAsync("/api/stats")}\n{Tail(f1.Output)}\n--- instance 3: {await f3.GetJsonAsync("/api/stats")}\n{Tail(f3.Output)}");
                }
            }

            var expected = gateways.SelectMany(g => g.Published).ToHashSet(StringComparer.Ordinal);
            Assert.Equal(Devices * Rounds * BatchSize, expected.Count);
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (var cmd = dataSource.CreateCommand("SELECT message_id FROM envelopes"))
            {
                var stored = new List<string>();
                await using var reader = await cmd.ExecuteReaderAsync(TestContext.Current.CancellationToken);
                while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                {
                    stored.Add(reader.GetString(0));
                }

                Assert.Equal(expected.Count, stored.Count); // nothing twice
                Assert.True(expected.SetEquals(stored), "every published envelope stored");
            }

            // Either survivor answers for every device, from the shared store.
            foreach (var fleet in new[] { f1, f3 })
            {
                foreach (var g in gateways)
                {
                    var device = await fleet.GetJsonAsync($"/api/devices/{g.Device.DeviceId}");
                    Assert.Equal(Rounds * BatchSize, device.GetProperty("envelopeCount").GetInt64());
                    Assert.Equal(Rounds * BatchSize, device.GetProperty("positionCount").GetInt64());
                }

                Assert.Equal(expected.Count, (await fleet.GetJsonAsync("/api/stats")).GetProperty("envelopesStored").GetInt64());
            }
        }
        finally
        {
            foreach (var g in gateways)
            {
                await g.Device.DisposeAsync();
            }
        }
    }

    private static string Tail(string output) => output.Length > 3000 ? output[^3000..] : output;

    /// <summary>A protocol-level gateway that keeps every envelope until acknowledged and republishes the rest.</summary>
    private sealed class ResendingGateway(TestDevice device)
    {
        private readonly ConcurrentDictionary<string, Envelope> _pending = new(StringComparer.Ordinal);

        public TestDevice Device => device;

        public int PendingCount => _pending.Count;

        public IEnumerable<string> PendingIds => _pending.Keys;

        public int AcksSeen { get; private set; }

        public int Resends { get; private set; }

        public List<string> Published { get; } = [];

        public async Task PublishAsync(Envelope[] batch)
        {
            foreach (var e in batch)
            {
                _pending[e.MessageId] = e;
                Published.Add(e.MessageId);
            }

            await device.PublishBatchAsync(batch);
            Drain();
        }

        /// <summary>Waits for acks; whatever stays unacknowledged for a few seconds is published again (same message ids).</summary>
        public async Task UntilAllAcknowledgedAsync(TimeSpan timeout)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            cts.CancelAfter(timeout);
            while (true)
            {
                Drain();
                if (_pending.IsEmpty)
                {
                    return;
                }

                cts.Token.ThrowIfCancellationRequested();
                if (!await device.WaitForAckAsync(TimeSpan.FromSeconds(2)))
                {
                    foreach (var chunk in _pending.Values.OrderBy(e => e.Sequence).Chunk(BatchSize))
                    {
                        Resends++;
                        await device.PublishBatchAsync(chunk);
                    }
                }
            }
        }

        private void Drain()
        {
            while (device.TryGetAck(out var ack))
            {
                Remove(ack!);
            }
        }

        private void Remove(DeliveryAck ack)
        {
            AcksSeen++;
            foreach (var id in ack.MessageIds)
            {
                _pending.TryRemove(id, out _);
            }
        }
    }
}
