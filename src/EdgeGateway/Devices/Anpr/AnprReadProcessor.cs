using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Time;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// Turns one accepted camera post into evidence: hashes and stores the images, places the read with the GNSS
/// track, matches it against the hotlist (a hit is announced in the vehicle first, then stored as an
/// Alert-class envelope with the images), and stores the read (Read class, stream <c>anpr</c>) and its
/// images (Bulk class, stream <c>anpr-images</c>) in the outbox.
/// </summary>
internal sealed class AnprReadProcessor
{
    /// <summary>Stream of the read metadata (Read class).</summary>
    public const string ReadStream = "anpr";

    /// <summary>Stream of the images (Bulk class).</summary>
    public const string ImageStream = "anpr-images";

    /// <summary>Stream of hotlist hits (Alert class).</summary>
    public const string HitStream = "anpr-hits";

    private readonly AnprOptions _options;
    private readonly IObservationSink _sink;
    private readonly HotlistHolder _hotlist;
    private readonly AnprHitFeed _feed;
    private readonly AnprImageStore _images;
    private readonly AnprCounters _counters;
    private readonly GnssTrack _track;
    private readonly AnprCameraMonitor _cameras;
    private readonly TimeProvider _time;
    private readonly IClockStatus? _clock;
    private readonly HitSuppressor _suppressor;
    private readonly ILogger<AnprReadProcessor> _logger;

    public AnprReadProcessor(
        IOptions<AnprOptions> options,
        IObservationSink sink,
        HotlistHolder hotlist,
        AnprHitFeed feed,
        AnprImageStore images,
        AnprCounters counters,
        GnssTrack track,
        AnprCameraMonitor cameras,
        TimeProvider time,
        ILogger<AnprReadProcessor> logger,
        IClockStatus? clock = null)
    {
        _options = options.Value;
        _sink = sink;
        _hotlist = hotlist;
        _feed = feed;
        _images = images;
        _counters = counters;
        _track = track;
        _cameras = cameras;
        _time = time;
        _clock = clock;
        _logger = logger;
        _suppressor = new HitSuppressor(_options.HitSuppressionWindow);
    }

    /// <summary>Processes one read; returns what the outbox said about the read itself.</summary>
    public async Task<(EnqueueResult Result, string ReadId, bool Hit)> ProcessAsync(CameraRead camera, byte[] plate, byte[] overview, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        _cameras.Seen(camera.CameraId, now);
        var readId = Guid.CreateVersion7(now).ToString();
        var read = new AnprRead
        {
            ReadId = readId,
            Vrm = camera.Vrm,
            NormalisedVrm = camera.NormalisedVrm,
            Confidence = camera.Confidence,
            Country = camera.Country,
            CameraId = camera.CameraId,
            Lane = camera.Lane,
            CameraTime = Timestamp.FromDateTimeOffset(camera.CameraTime),
            ReceivedAt = Timestamp.FromDateTimeOffset(now),
            ReceivedTimeSource = _clock?.IsSynchronised == true ? "NTP" : "LOCAL",
        };
        if (_track.TryPositionAt(camera.CameraTime, _options.MaxPositionGap, out var lat, out var lon, out var age))
        {
            read.Latitude = lat;
            read.Longitude = lon;
            read.PositionAgeMs = age;
        }

        // Hashed as received, before anything else touches the bytes.
        var images = new List<AnprImage>(2);
        foreach (var (kind, bytes) in new[] { ("plate", plate), ("overview", overview) })
        {
            if (bytes.Length == 0)
            {
                continue;
            }

            var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
            read.Images.Add(new AnprImageRef { Kind = kind, Sha256 = sha, Size = (ulong)bytes.Length });
            images.Add(new AnprImage { ReadId = readId, Kind = kind, Sha256 = sha, ContentType = "image/jpeg", Data = ByteString.CopyFrom(bytes) });
            await _images.WriteAsync(readId, kind, bytes, now, cancellationToken).ConfigureAwait(false);
        }

        var hit = false;
        var list = _hotlist.Current;
        if (list.TryMatch(camera.NormalisedVrm, _options.Fuzzy, now.ToUnixTimeMilliseconds(), out var match))
        {
            var entryVrm = match.EntryVrm;
            if (_suppressor.TryAlert(entryVrm, now.ToUnixTimeMilliseconds()))
            {
                hit = true;
                _counters.CountHit();
                Log.Hit(_logger, camera.Vrm, camera.CameraId, entryVrm, match.List, match.Kind, match.Reason);
                _feed.Publish(new AnprHitNotice(readId, camera.Vrm, entryVrm, match.List, match.Reason, match.Markers, match.Kind,
                    camera.CameraId, camera.CameraTime, read.HasLatitude ? read.Latitude : null, read.HasLongitude ? read.Longitude : null, list.Version));
                var alert = new AnprHit
                {
                    Read = read,
                    EntryVrm = entryVrm,
                    List = match.List,
                    Reason = match.Reason,
                    Match = match.Kind,
                    HotlistVersion = list.Version,
                };
                alert.Markers.AddRange(match.Markers);
                alert.Images.AddRange(images);
                await StoreAsync(Draft(HitStream, PriorityClass.Alert, camera.CameraTime, e => e.AnprHit = alert), "hit", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                _counters.CountSuppressed();
                Log.Suppressed(_logger, entryVrm, _options.HitSuppressionWindow);
            }
        }

        var result = await StoreAsync(Draft(ReadStream, PriorityClass.Read, camera.CameraTime, e => e.AnprRead = read), "read", cancellationToken).ConfigureAwait(false);
        if (result == EnqueueResult.Accepted)
        {
            _counters.CountRead();
            foreach (var image in images)
            {
                await StoreAsync(Draft(ImageStream, PriorityClass.Bulk, camera.CameraTime, e => e.AnprImage = image), "image", cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            _counters.CountRefused();
        }

        return (result, readId, hit);
    }

    private static Envelope Draft(string stream, PriorityClass priority, DateTimeOffset capturedAt, Action<Envelope> body)
    {
        // The camera's clock is not known to be disciplined: LOCAL, with the gateway's receive time in the body.
        var envelope = new Envelope { Stream = stream, Priority = priority, CapturedAt = Timestamp.FromDateTimeOffset(capturedAt), TimeSource = TimeSource.Local };
        body(envelope);
        return envelope;
    }

    private async Task<EnqueueResult> StoreAsync(Envelope draft, string what, CancellationToken cancellationToken)
    {
        var result = await _sink.AcceptAsync(draft, cancellationToken).ConfigureAwait(false);
        if (result != EnqueueResult.Accepted)
        {
            Log.Refused(_logger, what, result);
        }

        return result;
    }
}
