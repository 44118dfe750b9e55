using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// The yardstick: a plain MQTTnet QoS 1 publish loop (PUBACK awaited, up to <c>window</c> in
/// flight, like the uplink's MaxInFlight) against the same broker, to a topic nobody subscribes to.
/// </summary>
internal static class RawQos1Baseline
{
    public static async Task<TimeSpan> PublishAsync(int port, string clientId, int messages, byte[] payload, int window)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build()).ConfigureAwait(false);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic($"fleet/v1/{clientId}/bench/raw")
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        using var slots = new SemaphoreSlim(window);
        var inFlight = new List<Task>(messages);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            await slots.WaitAsync().ConfigureAwait(false);
            inFlight.Add(PublishOneAsync(client, message, slots));
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        sw.Stop();
        await client.DisconnectAsync().ConfigureAwait(false);
        return sw.Elapsed;
    }

    private static async Task PublishOneAsync(IMqttClient client, MqttApplicationMessage message, SemaphoreSlim slots)
    {
        try
        {
            var result = await client.PublishAsync(message).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"raw publish refused: {result.ReasonCode}");
            }
        }
        finally
        {
            slots.Release();
        }
    }
}
