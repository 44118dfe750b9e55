using System.Collections.Concurrent;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace EdgeGateway.Benchmarks.FleetConsole;

/// <summary>
/// The yardstick of a command round trip: a plain MQTTnet broker on loopback (no ACL, no persistence), a requester
/// publishing QoS 1 to <c>req/{n}</c> and a responder answering QoS 1 on <c>resp/{n}</c>: the same four broker hops
/// as a command and its result, with nothing stored or run on either side.
/// </summary>
internal static class RawMqttRequestResponse
{
    public static async Task<List<double>> MeasureAsync(int port, int count)
    {
        using var server = new MqttServerFactory().CreateMqttServer(new MqttServerOptionsBuilder().WithDefaultEndpoint().WithDefaultEndpointPort(port).Build());
        await server.StartAsync().ConfigureAwait(false);
        var factory = new MqttClientFactory();
        using var requester = factory.CreateMqttClient();
        using var responder = factory.CreateMqttClient();
        var pending = new ConcurrentDictionary<string, TaskCompletionSource>(StringComparer.Ordinal);
        responder.ApplicationMessageReceivedAsync += e => responder.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("resp/" + e.ApplicationMessage.Topic["req/".Length..])
            .WithPayload(e.ApplicationMessage.Payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        requester.ApplicationMessageReceivedAsync += e =>
        {
            if (pending.TryRemove(e.ApplicationMessage.Topic["resp/".Length..], out var done))
            {
                done.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await ConnectAsync(responder, port, "raw-responder", "req/#").ConfigureAwait(false);
        await ConnectAsync(requester, port, "raw-requester", "resp/#").ConfigureAwait(false);

        var payload = new byte[64];
        var timings = new List<double>(count);
        for (var i = -20; i < count; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pending[id] = done;
            var watch = Stopwatch.StartNew();
            await requester.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("req/" + id).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()).ConfigureAwait(false);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (i >= 0)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        await requester.DisconnectAsync().ConfigureAwait(false);
        await responder.DisconnectAsync().ConfigureAwait(false);
        await server.StopAsync().ConfigureAwait(false);
        return timings;
    }

    private static async Task ConnectAsync(IMqttClient client, int port, string id, string filter)
    {
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(id)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart(true).Build()).ConfigureAwait(false);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build()).ConfigureAwait(false);
    }
}
