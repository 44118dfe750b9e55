using EdgeGateway.Contracts.Metrics;
using FleetControl.Auth;
using FleetControl.Ingest;
using FleetControl.Mqtt;
using FleetControl.Store;

namespace FleetControl.Api;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text for the fleet, built on each scrape (nothing runs in between). Ingest
/// (stored, duplicates, rejected, commits, acks), devices online, and per device the figures of its latest
/// health report: link, backlog and oldest unsent age per class, last report's age. Requires a fleet reader
/// (Prometheus sends the token with <c>authorization: credentials_file</c>).
/// </summary>
internal static class MetricsApi
{
    public static IEndpointRouteBuilder MapFleetMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", async (IFleetStore store, IngestStats stats, MqttIngestClient ingest, IServiceProvider services, TimeProvider time, CancellationToken ct) =>
        {
            var devices = await store.GetDevicesAsync(ct).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var broker = services.GetService<EmbeddedBroker>();
            var w = new PrometheusWriter()
                .Metric("fleetcontrol_ingest_connected", "gauge", "1 while the ingest client is subscribed to the broker", ingest.Subscribed.IsCompletedSuccessfully && ingest.IsConnected ? 1 : 0)
                .Metric("fleetcontrol_envelopes_stored_total", "counter", "Envelopes stored since start-up", stats.EnvelopesStored)
                .Metric("fleetcontrol_duplicates_total", "counter", "Envelopes dropped as already stored (at-least-once redelivery)", stats.Duplicates)
                .Metric("fleetcontrol_rejected_total", "counter", "Envelopes or payloads refused, by kind",
                    [(PrometheusWriter.Labels(("kind", "envelope")), stats.RejectedEnvelopes), (PrometheusWriter.Labels(("kind", "payload")), stats.RejectedPayloads)])
                .Metric("fleetcontrol_commits_total", "counter", "Store commit batches", stats.Commits)
                .Metric("fleetcontrol_acks_sent_total", "counter", "Delivery acknowledgements sent to gateways", stats.AcksSent)
                .Metric("fleetcontrol_ack_failures_total", "counter", "Delivery acknowledgements that could not be sent", stats.AckFailures)
                .Metric("fleetcontrol_broker_refused_publishes_total", "counter", "Publishes the embedded broker refused (outside the device's prefix)", broker?.RefusedPublishes ?? 0)
                .Metric("fleetcontrol_devices", "gauge", "Devices known, by online state",
                    [(PrometheusWriter.Labels(("online", "true")), devices.Count(d => d.Online)), (PrometheusWriter.Labels(("online", "false")), devices.Count(d => !d.Online))])
                .Metric("fleetcontrol_device_online", "gauge", "1 while the device's MQTT session is up", devices.Select(d => (Device(d), d.Online ? 1d : 0d)))
                .Metric("fleetcontrol_device_health_age_seconds", "gauge", "Age of the device's latest health report",
                    devices.Where(d => d.HealthAt is not null).Select(d => (Device(d), (now - d.HealthAt!.Value).TotalSeconds)))
                .Metric("fleetcontrol_device_backlog_messages", "gauge", "Messages buffered on the device, per class (from its latest health report)",
                    PerClass(devices, q => q.Depth))
                .Metric("fleetcontrol_device_oldest_unsent_age_seconds", "gauge", "Age of the device's oldest unsent message, per class (from its latest health report)",
                    PerClass(devices, q => q.OldestUnsentAgeMs / 1000d))
                .Runtime(now);
            return Results.Text(w.ToString(), PrometheusWriter.ContentType);
        }).RequireAuthorization(AuthPolicies.ReadFleet);
        return endpoints;
    }

    private static string Device(DeviceRecord d) => PrometheusWriter.Labels(("device", d.DeviceId));

    private static IEnumerable<(string, double)> PerClass(IEnumerable<DeviceRecord> devices, Func<EdgeGateway.Contracts.V1.QueueClassStats, double> value) =>
        devices.Where(d => d.Health is not null).SelectMany(d => d.Health!.Queues.Select(q =>
            (PrometheusWriter.Labels(("device", d.DeviceId), ("class", q.Priority.ToString().ToLowerInvariant())), value(q))));
}
