using System.Globalization;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.Tetra;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Turns the other adapters' alerts into recording triggers: an ANPR hotlist hit (<see cref="IAnprHitSource"/>)
/// becomes an <see cref="TriggerSources.AnprHit"/> pulse, a radio emergency press (<see cref="IRadioEmergencySource"/>)
/// a <see cref="TriggerSources.RadioEmergency"/> pulse. The trigger time is the gateway's clock when the
/// alert arrives (an ANPR camera's own clock may be off; it is kept as <c>camera_time</c>). Both sources raise on their reading loops, so the handlers
/// only call <see cref="ITriggerPublisher.Publish"/>, which never blocks. Either source may be absent (a vehicle
/// without ANPR): then nothing is subscribed to it.
/// </summary>
internal sealed class AdapterTriggerBridge(
    ITriggerPublisher publisher,
    TimeProvider time,
    IAnprHitSource? anpr = null,
    IRadioEmergencySource? radio = null) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (anpr is not null)
        {
            anpr.Hit += OnAnprHit;
        }

        if (radio is not null)
        {
            radio.EmergencyRaised += OnRadioEmergency;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (anpr is not null)
        {
            anpr.Hit -= OnAnprHit;
        }

        if (radio is not null)
        {
            radio.EmergencyRaised -= OnRadioEmergency;
        }

        return Task.CompletedTask;
    }

    private void OnAnprHit(AnprHitNotice hit) =>
        publisher.Publish(new TriggerSignal(TriggerSources.AnprHit, TriggerState.Pulse, time.GetUtcNow(),
            string.Create(CultureInfo.InvariantCulture, $"hotlist {hit.List} hit on {hit.Vrm} ({hit.Reason}) by ANPR camera {hit.CameraId}"),
            new Dictionary<string, string>
            {
                ["vrm"] = hit.Vrm, ["list"] = hit.List, ["read_id"] = hit.ReadId, ["anpr_camera"] = hit.CameraId,
                ["camera_time"] = hit.CameraTime.ToString("O", CultureInfo.InvariantCulture),
                ["hotlist_version"] = hit.HotlistVersion.ToString(CultureInfo.InvariantCulture),
            }));

    private void OnRadioEmergency(RadioEmergency emergency) =>
        publisher.Publish(new TriggerSignal(TriggerSources.RadioEmergency, TriggerState.Pulse, emergency.At,
            string.Create(CultureInfo.InvariantCulture, $"emergency from {emergency.Source} radio {emergency.Identity} (status {emergency.StatusValue})"),
            new Dictionary<string, string>
            {
                ["radio"] = emergency.Source, ["identity"] = emergency.Identity,
                ["status"] = emergency.StatusValue.ToString(CultureInfo.InvariantCulture),
            }));
}
