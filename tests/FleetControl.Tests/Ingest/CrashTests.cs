using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;

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

    [Fact]
    public async Task KillDuringUrgentIngest_RestartAndResendAll_EveryEmergencyStoredExactlyOnce()
    {
        using var data = new TempDirectory();
        var mqttPort = FreePort.Next();
        var emergencies = Enumerable.Range(0, 30).Select(i => Emergency("car-51", (ulong)i + 1)).ToList();
        var emergencyIds = emergencies.Select(e => e.MessageId).ToHashSet(StringComparer.Ordinal);
        var emergencyTopic = Topics.ForEnvelope("car-51", PriorityClass.Emergency, "panic");
        var acked = new HashSet<string>(StringComparer.Ordinal);

        await using (var first = await FleetControlProcess.StartAsync(data.Path, mqttPort))
        {
            // A telemetry backlog (the backlog lane) with one Emergency per publish between its batches (the urgent lane).
            var device = await TestDevice.ConnectAsync(mqttPort, "car-51");
            var publishes = new List<Task>();
            for (var b = 0; b < 30; b++)
            {
                publishes.Add(device.PublishBatchAsync(Enumerable.Range(0, 50).Select(i => TestEnvelopes.Position("car-51", (ulong)((b * 50) + i + 1))).ToArray()));
                publishes.Add(device.PublishAsync(emergencyTopic, TestEnvelopes.Batch(emergencies[b]).ToByteArray()));
            }

            // Kill as soon as an Emergency is acknowledged (journaled, perhaps not yet folded into the database).
            while (!acked.Overlaps(emergencyIds))
            {
                acked.UnionWith((await device.NextAckAsync(TimeSpan.FromSeconds(30))).MessageIds);
            }

            await first.KillAsync();
            while (device.TryGetAck(out var ack))
            {
                acked.UnionWith(ack!.MessageIds);
            }

            try
            {
                await Task.WhenAll(publishes).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                // Publishes in flight when the broker died fail; the gateway would re-send them.
            }

            device.DropConnection();
        }

        // The restart replays the journal; the device then re-sends every Emergency (acknowledged or not).
        await using var second = await FleetControlProcess.StartAsync(data.Path, mqttPort);
        await using var again = await TestDevice.ConnectAsync(mqttPort, "car-51");
        foreach (var emergency in emergencies)
        {
            await again.PublishAsync(emergencyTopic, TestEnvelopes.Batch(emergency).ToByteArray());
        }

        var ackedAgain = new HashSet<string>(StringComparer.Ordinal);
        while (!ackedAgain.IsSupersetOf(emergencyIds))
        {
            ackedAgain.UnionWith((await again.NextAckAsync(TimeSpan.FromSeconds(30))).MessageIds);
        }

        var device51 = await second.GetJsonAsync("/api/devices/car-51");
        var events = device51.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("messageId").GetString()!).ToList();
        var positions = (await second.GetJsonAsync("/api/devices/car-51/positions?limit=10000")).GetArrayLength();
        TestContext.Current.TestOutputHelper?.WriteLine($"acked before kill {acked.Count} ({acked.Count(emergencyIds.Contains)} emergencies); stored after restart: {events.Count} events, {positions} positions");

        Assert.Equal(emergencyIds.Order(StringComparer.Ordinal), events.Order(StringComparer.Ordinal));
        Assert.Equal(positions + emergencies.Count, device51.GetProperty("envelopeCount").GetInt64()); // each counted once
    }

    private static Envelope Emergency(string deviceId, ulong sequence)
    {
        var envelope = TestEnvelopes.Event(deviceId, sequence, "emergency");
        envelope.Stream = "panic";
        envelope.Priority = PriorityClass.Emergency;
        return envelope;
    }
}
