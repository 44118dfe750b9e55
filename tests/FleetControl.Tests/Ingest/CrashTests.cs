using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Ingest;

/// <summary>kill -9 of FleetControl must never lose an envelope it has acknowledged.</summary>
public sealed class CrashTests
{
    [Fact]
    public async Task KillDuringIngest_Restart_EveryAckedEnvelopeIsStored()
    {
        using var data = new TempDirectory();
        var mqttPort = FreePort.Next();
        var acked = new HashSet<string>();
        var published = 0;

        await using (var first = await FleetControlProcess.StartAsync(data.Path, mqttPort))
        {
            var device = await TestDevice.ConnectAsync(mqttPort, "car-50");
            var batches = Enumerable.Range(0, 40)
                .Select(b => Enumerable.Range(0, 50).Select(i => TestEnvelopes.Position("car-50", (ulong)((b * 50) + i + 1))).ToArray())
                .ToList();
            var publishing = Task.WhenAll(batches.Select(batch => device.PublishBatchAsync(batch)));
            published = batches.Count * 50;

            // Kill as soon as the first acks arrive, while later batches are still being committed.
            acked.UnionWith((await device.NextAckAsync(TimeSpan.FromSeconds(30))).MessageIds);
            await first.KillAsync();
            while (device.TryGetAck(out var ack))
            {
                acked.UnionWith(ack!.MessageIds);
            }

            try
            {
                await publishing.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                // Publishes in flight when the broker died fail; the gateway would re-send them.
            }

            device.DropConnection();
        }

        await using var second = await FleetControlProcess.StartAsync(data.Path, mqttPort);
        var positions = await second.GetJsonAsync("/api/devices/car-50/positions?limit=10000");
        var stored = positions.EnumerateArray().Select(p => p.GetProperty("messageId").GetString()!).ToHashSet();

        TestContext.Current.TestOutputHelper?.WriteLine($"published {published}, acked before kill {acked.Count}, stored after restart {stored.Count}");
        Assert.NotEmpty(acked);
        Assert.True(acked.IsSubsetOf(stored), $"{acked.Except(stored).Count()} acked envelopes missing after kill -9 ({stored.Count} stored of {published} published)");
    }
}
