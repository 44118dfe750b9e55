using System.Globalization;
using System.Text;
using EdgeGateway.Contracts.Anpr;
using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Anpr;

/// <summary>
/// The ANPR REST API. Reads are personal data: searching, viewing images and exporting need the evidence role
/// (<c>evidence-officer</c> or <c>administrator</c>), and each search and export is audited. Hotlists are operational:
/// reading them needs <c>engineer</c> or <c>administrator</c>, and so does changing them (audited).
/// <list type="bullet">
/// <item><c>GET /api/anpr/reads?vrm=&amp;from=&amp;to=&amp;deviceId=&amp;area=south,west,north,east&amp;limit=&amp;format=json|csv</c></item>
/// <item><c>GET /api/anpr/reads/{readId}/{plate|overview}.jpg</c></item>
/// <item><c>GET /api/anpr/hits?limit=</c>: each hit with its alert (state, acknowledgement) and the hotlist's current entry</item>
/// <item><c>GET /api/anpr/hotlist</c> (version, entries, each vehicle's version), <c>GET /api/anpr/hotlist/entries?vrm=</c></item>
/// <item><c>POST /api/anpr/hotlist</c> with <see cref="HotlistChangeRequest"/>: the next version, sent to every vehicle</item>
/// </list>
/// </summary>
internal static class AnprApi
{
    public static IEndpointRouteBuilder MapAnprApi(this IEndpointRouteBuilder endpoints)
    {
        var reads = endpoints.MapGroup("/api/anpr").RequireAuthorization(AuthPolicies.Evidence);
        reads.MapGet("/reads", async (string? vrm, DateTimeOffset? from, DateTimeOffset? to, string? deviceId, string? area, int? limit, string? format,
            HttpContext http, IAnprReadStore store, AuditLog audit) =>
        {
            if (from is { } f && to is { } t && f >= t)
            {
                return Results.BadRequest(new { error = "from must be before to" });
            }

            var n = limit ?? 1000;
            if (n is < 1 or > AnprReadQuery.MaxLimit)
            {
                return Results.BadRequest(new { error = $"limit must be 1-{AnprReadQuery.MaxLimit}" });
            }

            (double, double, double, double)? box = null;
            if (area is not null)
            {
                var parts = area.Split(',');
                if (parts.Length != 4 || !parts.All(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
                {
                    return Results.BadRequest(new { error = "area must be south,west,north,east in degrees" });
                }

                var v = parts.Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
                if (v[0] > v[2] || v[1] > v[3])
                {
                    return Results.BadRequest(new { error = "area: south must not exceed north, nor west east" });
                }

                box = (v[0], v[1], v[2], v[3]);
            }

            if (vrm is not null && AnprVrm.Normalise(vrm) is null)
            {
                return Results.BadRequest(new { error = $"vrm '{vrm}' is not a plate" });
            }

            var csv = string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase);
            if (format is not null && !csv && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            {
                return Results.BadRequest(new { error = "format must be json or csv" });
            }

            var query = new AnprReadQuery(vrm, from, to, deviceId, box, n);
            var found = await store.SearchAsync(query, http.RequestAborted).ConfigureAwait(false);
            var target = $"vrm={vrm} from={from:o} to={to:o} device={deviceId} area={area}";
            await audit.RecordAsync(http, csv || format is not null ? "anpr.exported" : "anpr.searched", target, "ok", $"{found.Count} reads").ConfigureAwait(false);
            if (!csv)
            {
                return Results.Ok(new { count = found.Count, reads = found });
            }

            return Results.Text(ToCsv(found), "text/csv; charset=utf-8");
        });

        reads.MapGet("/reads/{readId}/{kind}.jpg", async (string readId, string kind, HttpContext http, IAnprReadStore store, AuditLog audit) =>
        {
            if (await store.ImagePathAsync(readId, kind, http.RequestAborted).ConfigureAwait(false) is not { } path || !File.Exists(path))
            {
                return Results.NotFound(new { error = $"no {kind} image of read '{readId}'" });
            }

            await audit.RecordAsync(http, "anpr.image.viewed", $"{readId}/{kind}").ConfigureAwait(false);
            return Results.File(path, "image/jpeg");
        });

        // Each hit with the alert it raised (alert-message:{messageId}: state and acknowledgement) and the entry the
        // hotlist holds for it now (null once removed), beside the entry as the vehicle matched it.
        reads.MapGet("/hits", async (int? limit, HttpContext http, IAnprReadStore store, IHotlistStore hotlist, Alerts.AlertStore alerts) => Results.Ok((await store.RecentHitsAsync(Math.Clamp(limit ?? 100, 1, 10_000), http.RequestAborted).ConfigureAwait(false)).Select(h => new
        {
            messageId = h.MessageId,
            deviceId = h.DeviceId,
            readId = h.Hit.Read.ReadId,
            vrm = h.Hit.Read.Vrm,
            entryVrm = h.Hit.EntryVrm,
            list = h.Hit.List,
            reason = h.Hit.Reason,
            markers = h.Hit.Markers,
            match = h.Hit.Match,
            hotlistVersion = h.Hit.HotlistVersion,
            cameraTime = h.Hit.Read.CameraTime.ToDateTimeOffset(),
            latitude = h.Hit.Read.HasLatitude ? h.Hit.Read.Latitude : (double?)null,
            longitude = h.Hit.Read.HasLongitude ? h.Hit.Read.Longitude : (double?)null,
            alert = alerts.Get($"{Alerts.AlertRules.AlertMessage}:{h.MessageId}") is { } a
                ? new { alertId = a.AlertId, state = a.State, acknowledgedBy = a.AcknowledgedBy, acknowledgedAt = a.AcknowledgedAt }
                : null,
            currentEntry = hotlist.HotlistEntries(h.Hit.EntryVrm).Select(ToDto).FirstOrDefault(),
        })));

        var hotlist = endpoints.MapGroup("/api/anpr/hotlist").RequireAuthorization(AuthPolicies.OperateFleet);
        hotlist.MapGet("/", (IHotlistStore store) =>
        {
            var version = store.HotlistVersion;
            return Results.Ok(new
            {
                version,
                entries = store.HotlistEntries().Count,
                devices = store.DevicesHoldingHotlists().Select(d => new
                {
                    deviceId = d.DeviceId,
                    version = d.Version,
                    reportedAt = d.ReportedAt,
                    upToDate = d.Version == version,
                    pendingVersion = d.PendingCommands.Count > 0 ? d.PendingVersion : (long?)null,
                }),
            });
        });
        hotlist.MapGet("/entries", (string? vrm, IHotlistStore store) =>
            Results.Ok(store.HotlistEntries(vrm is null ? null : AnprVrm.Normalise(vrm) ?? vrm).Select(ToDto)));
        hotlist.MapPost("/", async (HotlistChangeRequest request, HttpContext http, IHotlistStore store, HotlistDistributor distributor, AuditLog audit, ILogger<HotlistDistributor> logger) =>
        {
            var upserts = new List<HotlistEntry>();
            foreach (var dto in request.Upserts ?? [])
            {
                if (AnprVrm.Normalise(dto.Vrm ?? string.Empty) is not { } normalised)
                {
                    return Results.BadRequest(new { error = $"vrm '{dto.Vrm}' is not a plate (letters and digits, at most {AnprVrm.MaxLength})" });
                }

                if (string.IsNullOrWhiteSpace(dto.List) || string.IsNullOrWhiteSpace(dto.Reason))
                {
                    return Results.BadRequest(new { error = $"entry '{dto.Vrm}' needs a list and a reason" });
                }

                var entry = new HotlistEntry { Vrm = normalised, List = dto.List.Trim(), Reason = dto.Reason.Trim() };
                entry.Markers.AddRange((dto.Markers ?? []).Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim()));
                if (dto.ExpiresAt is { } expires)
                {
                    entry.ExpiresAt = Timestamp.FromDateTimeOffset(expires);
                }

                upserts.Add(entry);
            }

            var removals = new List<string>();
            foreach (var vrm in request.Removals ?? [])
            {
                removals.Add(AnprVrm.Normalise(vrm ?? string.Empty) ?? string.Empty);
                if (removals[^1].Length == 0)
                {
                    return Results.BadRequest(new { error = $"removal '{vrm}' is not a plate" });
                }
            }

            if (upserts.Count == 0 && removals.Count == 0)
            {
                return Results.BadRequest(new { error = "nothing to change: give upserts and/or removals" });
            }

            var delta = store.ChangeHotlist(upserts, removals);
            var user = AuthPolicies.NameOf(http.User);
            var entries = store.HotlistEntries().Count;
            Log.HotlistChanged(logger, delta.Version, user, upserts.Count, delta.Removals.Count, entries);
            await audit.RecordAsync(http, "anpr.hotlist.changed", $"version {delta.Version}", "ok", $"{upserts.Count} upserts, {delta.Removals.Count} removals").ConfigureAwait(false);
            distributor.Changed();
            return Results.Ok(new { version = delta.Version, upserts = upserts.Count, removals = delta.Removals.Count, entries });
        });
        return endpoints;
    }

    private static HotlistEntryDto ToDto(HotlistEntry e) =>
        new(e.Vrm, e.List, e.Reason, [.. e.Markers], e.ExpiresAt?.ToDateTimeOffset());

    /// <summary>One capture record per line; images as kind:sha256:state.</summary>
    internal static string ToCsv(IEnumerable<AnprReadRecord> reads)
    {
        var csv = new StringBuilder("readId,deviceId,vrm,normalisedVrm,confidence,country,cameraId,lane,cameraTime,receivedAt,receivedTimeSource,latitude,longitude,positionAgeMs,images,messageId\n");
        foreach (var r in reads)
        {
            string[] fields =
            [
                r.ReadId, r.DeviceId, r.Vrm, r.NormalisedVrm, r.Confidence.ToString("0.####", CultureInfo.InvariantCulture), r.Country, r.CameraId, r.Lane,
                r.CameraTime.ToString("o", CultureInfo.InvariantCulture), r.ReceivedAt.ToString("o", CultureInfo.InvariantCulture), r.ReceivedTimeSource,
                r.Latitude?.ToString("0.0000000", CultureInfo.InvariantCulture) ?? string.Empty,
                r.Longitude?.ToString("0.0000000", CultureInfo.InvariantCulture) ?? string.Empty,
                r.PositionAgeMs?.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
                string.Join(' ', r.Images.Select(i => $"{i.Kind}:{i.Sha256}:{i.Stored}")), r.MessageId,
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append('\n');
        }

        return csv.ToString();
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
