using System.Diagnostics;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Ingest;

/// <summary>A modest load through the whole ingest path; prints the rate it reached.</summary>
public sealed class ThroughputTests
{
    [Fact]
    public async Task PublishManyBatches_SeveralDevices_AllStoredOnceAndAcked()
    {
        const int devices = 4;
        const int batchesPerDevice = 25;
        const int envelopesPerBatch = 100;
        using var data = new TempDirectory();
        var port = FreePort.Next();
        await using var fleet = await FleetControlInstance.StartAsync(data.Path, port);
        var clients = new List<TestDevice>();
        for (var d = 0; d < devices; d++)
        {
            clients.Add(await TestDevice.ConnectAsync(port, $"load-{d}"));
        }

        var batches = clients.Select(c => Enumerable.Range(0, batchesPerDevice)
            .Select(b => Enumerable.Range(0, envelopesPerBatch).Select(i => TestEnvelopes.Position(c.DeviceId, (ulong)((b * envelopesPerBatch) + i + 1))).ToArray())
            .ToList()).ToList();

        // Warm-up (JIT, LiteDB collections): one batch per device, not measured.
        foreach (var client in clients)
        {
            await client.PublishBatchAsync(TestEnvelopes.Position(client.DeviceId, 0));
            await client.NextAckAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        var acked = await Task.WhenAll(clients.Select(async (client, d) =>
        {
            await Task.WhenAll(batches[d].Select(batch => client.PublishBatchAsync(batch)));
            var ids = new HashSet<string>();
            while (ids.Count < batchesPerDevice * envelopesPerBatch)
            {
                ids.UnionWith((await client.NextAckAsync(TimeSpan.FromSeconds(60))).MessageIds);
            }

            return ids.Count;
        })).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        stopwatch.Stop();

        var total = devices * batchesPerDevice * envelopesPerBatch;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{total} envelopes in {stopwatch.Elapsed.TotalSeconds:F2} s = {total / stopwatch.Elapsed.TotalSeconds:F0} envelopes/s, {fleet.Stats.Commits} commits");
        Assert.All(acked, count => Assert.Equal(batchesPerDevice * envelopesPerBatch, count));
        Assert.Equal(total + devices, (await fleet.GetJsonAsync("/api/stats")).GetProperty("envelopesStored").GetInt64());
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
