using EdgeGateway.Contracts.V1;
using FleetControl.Ingest;

namespace FleetControl.Anpr;

/// <summary>
/// Files each committed ANPR envelope into the <see cref="IAnprReadStore"/> before its DeliveryAck (idempotent by read
/// and message id), and passes vehicles' hotlist version reports (<c>anpr.hotlist</c> events) to the distributor.
/// </summary>
internal sealed class AnprIngestObserver(IAnprReadStore store, HotlistDistributor distributor, ILogger<AnprIngestObserver> logger) : IIngestObserver
{
    public void OnStored(IReadOnlyList<Envelope> envelopes)
    {
        var relevant = false;
        foreach (var envelope in envelopes)
        {
            switch (envelope.BodyCase)
            {
                case Envelope.BodyOneofCase.AnprRead or Envelope.BodyOneofCase.AnprImage:
                    relevant = true;
                    break;
                case Envelope.BodyOneofCase.AnprHit:
                    relevant = true;
                    var hit = envelope.AnprHit;
                    Log.Hit(logger, envelope.DeviceId, hit.Read.Vrm, hit.EntryVrm, hit.List, hit.Reason);
                    break;
                case Envelope.BodyOneofCase.Event when envelope.Event.Type == "anpr.hotlist"
                    && long.TryParse(envelope.Event.Attributes.GetValueOrDefault("version"), System.Globalization.CultureInfo.InvariantCulture, out var version):
                    distributor.Reported(envelope.DeviceId, version);
                    break;
            }
        }

        if (relevant)
        {
            // The ingest calls observers synchronously before the DeliveryAck; the store must be durable when this returns.
            foreach (var (deviceId, image, actual) in store.StoreAsync(envelopes, CancellationToken.None).GetAwaiter().GetResult())
            {
                Log.ImageHashMismatch(logger, deviceId, image.ReadId, image.Kind, actual, image.Sha256);
            }
        }
    }
}
